"""Alembic's entry point for immunocare's migrations; the work is in :mod:`immunocare.store.migrate`.

Alembic executes this file for every command. Importing it anywhere else (pytest collects every
module for doctests) does nothing, because Alembic's ``context`` only has a ``config`` while a
command runs.
"""

from alembic import context

from immunocare.store.migrate import run_alembic_environment

if hasattr(context, "config"):
    run_alembic_environment()
