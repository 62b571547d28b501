"""Migrations: head matches the models on both backends, and down/up round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from tests.conftest import truncate_postgres
from worker.storage.migrations import downgrade, upgrade
from worker.storage.models import Base


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_round_trips(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("pg_url")
        truncate_postgres(url)
    contract = {"outlets", "sources", "articles", "urls", "raw_pages", "alembic_version"}
    assert contract <= _tables(url)
    assert _diff(url) == []
    downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    upgrade(url)
    assert _diff(url) == []


def test_schema_doc_describes_every_column_downstream_services_read() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    internal = {"story_keys", "outlet_paragraphs", "raw_pages", "heartbeats"}
    head = max(
        p.name.split("_")[1]
        for p in (Path(__file__).parents[1] / "alembic" / "versions").glob("*.py")
    )
    assert f"This page describes revision `{head}`" in doc
    for table in Base.metadata.sorted_tables:
        if table.name in internal:
            assert f"`{table.name}`" in doc
            continue
        section = doc.split(f"## `{table.name}`", 1)
        assert len(section) == 2, f"no section for {table.name}"
        body = section[1].split("\n## ", 1)[0]
        for column in table.columns:
            assert f"`{column.name}`" in body, f"{table.name}.{column.name} is not documented"
