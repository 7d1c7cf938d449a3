"""Imaging studies: one item table, and the audit log's item kinds extended to name it.

The audit log's ``item_kind`` CHECK constraint is rewritten with the new value. PostgreSQL alters
the constraint in place; SQLite cannot, so the table is rebuilt (batch mode) and the triggers that
make it append-only, which go with the old table, are made again. A downgrade fails once the
audit log names an imaging study: the log cannot be rewritten, and that is on purpose.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = "audit_log is append-only: entries cannot be changed or deleted"
_KINDS_0001 = (
    *("growth", "infections", "labs", "vaccinations", "medications", "infusions"),
    *("diagnoses", "phenotypes", "family_history", "genetic_findings", "care_team"),
)
_KINDS_0002 = (*_KINDS_0001, "imaging")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _set_item_kinds(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Rewrite the audit log's CHECK constraint on ``item_kind`` from ``old`` values to ``new``."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_audit_log_itemkind"), "audit_log", type_="check")
        listed = ", ".join(f"'{value}'" for value in new)
        op.create_check_constraint("itemkind", "audit_log", f"item_kind IN ({listed})")
        return
    with op.batch_alter_table("audit_log", recreate="always") as batch:
        batch.alter_column(
            "item_kind",
            existing_type=_enum("itemkind", *old),
            type_=_enum("itemkind", *new),
            existing_nullable=True,
        )
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )


def upgrade() -> None:
    table = "imaging_studies"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("modality", _enum("modality", "ct", "x_ray", "mri", "ultrasound"), nullable=False),
        sa.Column("body_site", _enum("bodysite", "chest", "sinuses", "abdomen", "other"), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )
    op.create_index(f"ix_{table}_patient", table, ["patient_id", "performed_on"])
    _set_item_kinds(_KINDS_0001, _KINDS_0002)


def downgrade() -> None:
    _set_item_kinds(_KINDS_0002, _KINDS_0001)
    op.drop_table("imaging_studies")
