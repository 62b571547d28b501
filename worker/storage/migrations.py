"""Running Alembic from code: the CLI's ``db upgrade`` and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from worker.errors import ConfigError

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
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    """The revision this release's code expects (the newest migration)."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this release's migrations: a database at a revision it
    does not know was migrated by a newer release."""
    return revision in {script.revision for script in _scripts().walk_revisions()}


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(alembic_ini())))
