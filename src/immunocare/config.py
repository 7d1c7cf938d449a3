"""Settings: declared once, built at start-up by an entry point and passed down.

Every field can be set from the environment with the ``IMMUNOCARE_`` prefix
(``IMMUNOCARE_DATABASE_URL``, ``IMMUNOCARE_SECRET_KEY`` …) or from a ``.env`` file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from immunocare._types import MEMORY_AMOUNT
from immunocare.errors import ConfigurationError

__all__ = ["DEV_SECRET", "Environment", "Settings"]

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Environment(StrEnum):
    """Where immunocare runs; unsafe defaults are refused outside development and test."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """immunocare's configuration. Build it once (``Settings()``) and pass it down."""

    model_config = SettingsConfigDict(env_prefix="IMMUNOCARE_", env_file=".env", extra="ignore")

    environment: Environment = Field(Environment.DEVELOPMENT, description="development, test or production.")
    database_url: str = Field(
        "sqlite:///immunocare.db",
        description="SQLAlchemy URL: sqlite:///FILE (embedded default) or postgresql+psycopg://…",
    )
    secret_key: str = Field(
        DEV_SECRET, description="Secret for signing; must be changed outside development and test."
    )
    timezone: str = Field(
        "UTC", description="IANA time zone of the center; times typed without an offset are read in it."
    )
    knowledge_overlay_dir: Path | None = Field(
        None, description="Folder of site-specific knowledge files that add to or replace the built-in ones."
    )
    session_hours: float = Field(12.0, gt=0, description="How long a login session lasts.")
    cookie_secure: bool = Field(
        False, description="Send the session cookie only over HTTPS (set true behind TLS)."
    )
    max_body_bytes: int = Field(
        2_000_000, gt=0, description="Largest request body accepted; larger ones get HTTP 413."
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id iterations for password hashes.")
    argon2_memory_kib: int = Field(65536, ge=64, description="argon2id memory for password hashes, KiB.")
    population_sources: dict[str, str] = Field(
        {},
        description="OMOP CDM sources the Population page may screen, as JSON: name → source spec "
        '(`{"warehouse": "postgresql://reader@db/omop?schema=cdm", "eunomia": "/data/GiBleed.duckdb"}`); '
        "the page shows only the names.",
    )
    population_memory_limit: str | None = Field(
        None,
        description="The most memory a population screen on DuckDB may hold (`2GB`, `512MiB`); beyond "
        "it DuckDB spills to a temporary folder. Unset: DuckDB's own limit, 80% of the machine's memory.",
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Self:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"unknown time zone {self.timezone!r}") from None
        limit = self.population_memory_limit
        if limit is not None and not MEMORY_AMOUNT.fullmatch(limit):
            raise ConfigurationError(
                f"IMMUNOCARE_POPULATION_MEMORY_LIMIT: {limit!r} is not an amount of memory: "
                "write it as 2GB or 512MiB"
            )
        for name, spec in self.population_sources.items():
            if not name.strip() or not spec.strip():
                raise ConfigurationError(
                    f"IMMUNOCARE_POPULATION_SOURCES: source {name!r} needs a name and a spec"
                )
        if self.environment is Environment.PRODUCTION and (
            self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ConfigurationError(
                "set IMMUNOCARE_SECRET_KEY to a random value of at least 32 characters in production"
            )
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The center's time zone."""
        return ZoneInfo(self.timezone)
