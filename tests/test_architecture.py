"""The import direction of docs/architecture.md, enforced: a reverse import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "immunocare"

RANK = {
    "errors": 0,
    "_types": 0,
    "domain": 1,
    "knowledge": 2,
    "clinical": 3,
    "store": 4,
    "interop": 4,
    "population": 4,
    "config": 5,
    "services": 5,
    "api": 6,
    "web": 6,
    "app": 7,
    "cli": 8,
    "__main__": 9,
}
"""Each top-level part of the package and its layer: a module imports only lower layers and its own part."""

SIDEWAYS = {
    ("web", "api"): "the two HTTP doors share the request plumbing of api._deps",
    (
        "services",
        "config",
    ): "use cases receive the Settings the entry points built (the type, not a new instance)",
}
"""Imports between parts of one layer that are allowed, with the reason."""

PURE = ("domain", "clinical")
IO_LIBRARIES = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "ibis",
    "duckdb",
    "pyspark",
    "httpx",
    "psycopg",
    "uvicorn",
)


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "immunocare" and len(parts) > 1 else None


def module_name(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.append(node.module)
    return found


def violations(source_part: str, imported: list[str]) -> list[str]:
    problems = []
    for name in imported:
        target = part_of(name)
        if source_part in PURE and name.split(".")[0] in IO_LIBRARIES:
            problems.append(f"{source_part} must stay pure but imports {name}")
        if target is None or target == source_part:
            continue
        if target not in RANK:
            problems.append(f"{name} belongs to no layer")
        elif RANK[target] > RANK[source_part] or (
            RANK[target] == RANK[source_part] and (source_part, target) not in SIDEWAYS
        ):
            problems.append(f"{source_part} imports {name} (layer {target})")
    return problems


def test_every_module_imports_only_downward() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = part_of(module_name(path)) or "app"
        assert source in RANK, f"{path} belongs to no layer; add it to RANK and to docs/architecture.md"
        problems += [f"{path.relative_to(SRC)}: {p}" for p in violations(source, imports_of(path))]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("domain", ["immunocare.knowledge"]),
        ("clinical", ["immunocare.services.record"]),
        ("store", ["immunocare.api"]),
        ("services", ["immunocare.web.forms"]),
        ("domain", ["sqlalchemy.orm"]),
        ("clinical", ["fastapi"]),
        ("api", ["immunocare.cli"]),
        ("knowledge", ["immunocare.config"]),
    ],
    ids=[
        "domain->knowledge",
        "clinical->services",
        "store->api",
        "services->web",
        "domain->sqlalchemy",
        "clinical->fastapi",
        "api->cli",
        "knowledge->config",
    ],
)
def test_a_reverse_import_is_caught(source: str, imported: list[str]) -> None:
    assert violations(source, imported) != []
