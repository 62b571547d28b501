"""Running Alembic from code: the CLI's ``db upgrade`` and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.pool import NullPool

from worker.errors import ConfigError
from worker.storage.db import make_engine

# The checkout (editable install, the container's /app), then the working directory.
_CANDIDATES = (Path(__file__).resolve().parents[2] / "alembic.ini", Path("alembic.ini"))


def alembic_ini() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "alembic.ini not found beside the package or in the working directory: run from the "
        "newsworker checkout, or install it editable (pip install -e .)"
    )


def alembic_config(database_url: str) -> Config:
    config = Config(str(alembic_ini()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate to ``revision``; ConfigError when a newer release migrated the database (Alembic
    only says it cannot locate the revision)."""
    try:
        command.upgrade(alembic_config(database_url), revision)
    except CommandError as exc:
        schema = current_revision(database_url)
        if schema is not None and not known_revision(schema):
            raise ConfigError(newer_schema(schema)) from exc
        raise


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    """The revision this release's code expects (the newest migration)."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(database_url: str) -> str | None:
    """The revision the database is at (None: not migrated yet; a SQLite file's directory is
    made, as the upgrade that follows makes it)."""
    engine = make_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def newer_schema(schema: str) -> str:
    """What to say of a database at ``schema``, a revision a newer release made."""
    return (
        f"database schema at {schema}, newer than this release's {head_revision()}: "
        "run the release that migrated it"
    )


def schema_problem(
    schema: str | None, upgrade_hint: str = "run `newsworker db upgrade`"
) -> str | None:
    """What keeps this release from a database at ``schema``: None when it is at head; else
    that a newer release migrated it, or that it is behind (``upgrade_hint`` says what to do)."""
    head = head_revision()
    if schema == head:
        return None
    if schema is not None and not known_revision(schema):
        return newer_schema(schema)
    behind = f"database schema at {schema or 'none'}, older than this release's {head}"
    return f"{behind}: {upgrade_hint}"


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this release's migrations: a database at a revision it
    does not know was migrated by a newer release."""
    return revision in {script.revision for script in _scripts().walk_revisions()}


def passed(current: str, target: str) -> bool:
    """Whether a database at ``current`` is already past ``target``: upgrading to it does
    nothing (Alembic says nothing either), and ``db upgrade`` must not claim to be at it."""
    scripts = _scripts()
    try:
        wanted = scripts.get_revision(target)
        ancestors = {script.revision for script in scripts.iterate_revisions(current, "base")}
    except (CommandError, RevisionError):  # "+1", no release's, or ``current`` a newer one's
        return False
    return wanted is not None and wanted.revision != current and wanted.revision in ancestors


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(alembic_ini())))
