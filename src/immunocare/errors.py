"""The one exception tree of immunocare.

Every error the system raises on purpose derives from :class:`ImmunocareError`.
Doors map the tree to their own form once (HTTP statuses in ``api``, exit codes in ``cli``)::

    ImmunocareError
     ├── ValidationError          bad input; names each field and the reason      (HTTP 422)
     ├── NotFoundError            no such patient, item or user                   (HTTP 404)
     ├── ConflictError            would duplicate something unique (an MRN)       (HTTP 409)
     ├── AuthenticationError      nobody is logged in, or the credentials fail    (HTTP 401)
     ├── PermissionDeniedError    logged in, but not allowed to do this           (HTTP 403)
     ├── KnowledgeBaseError       the knowledge base data are invalid             (HTTP 500)
     └── ConfigurationError       the settings are unsafe or inconsistent         (start-up)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "FieldIssue",
    "ImmunocareError",
    "KnowledgeBaseError",
    "NotFoundError",
    "PermissionDeniedError",
    "ValidationError",
]


class ImmunocareError(Exception):
    """The root of every error immunocare raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One problem with one input field.

    Attributes:
        field: dotted path of the field, e.g. ``infections.0.onset``.
        message: the reason, written for the person who typed the value.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ImmunocareError):
    """Input that cannot be accepted; carries every issue found, not just the first."""

    def __init__(self, issues: Iterable[FieldIssue]) -> None:
        self.issues: tuple[FieldIssue, ...] = tuple(issues)
        if not self.issues:
            raise ValueError("a ValidationError needs at least one issue")
        super().__init__("; ".join(str(issue) for issue in self.issues))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        """An error about one field."""
        return cls([FieldIssue(field, message)])

    def prefixed(self, prefix: str) -> ValidationError:
        """The same issues with their field paths nested under ``prefix``."""
        return ValidationError(FieldIssue(f"{prefix}.{i.field}", i.message) for i in self.issues)


class NotFoundError(ImmunocareError):
    """The requested patient, record item or user does not exist."""


class ConflictError(ImmunocareError):
    """The change would break a uniqueness rule, such as two patients with one MRN."""


class AuthenticationError(ImmunocareError):
    """No valid session, token or password was presented."""


class PermissionDeniedError(ImmunocareError):
    """The authenticated user may not perform this action."""


class KnowledgeBaseError(ImmunocareError):
    """The knowledge base files are missing, malformed or inconsistent; lists every problem."""

    def __init__(self, *problems: str) -> None:
        self.problems: tuple[str, ...] = problems
        super().__init__("\n".join(problems))


class ConfigurationError(ImmunocareError):
    """The settings are unsafe or inconsistent (e.g. a placeholder secret in production)."""
