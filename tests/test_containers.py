"""The container files, checked without a Docker engine: services, commands, health checks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer
import yaml

from worker.cli import app

REPO = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def _cli_accepts(argv: list[str]) -> bool:
    """Whether ``newsworker <argv>`` names an existing command (options are not checked)."""
    command: Any = typer.main.get_command(app)
    for word in argv:
        if word.startswith("-"):
            break
        if not hasattr(command, "commands"):
            return True  # an argument of a leaf command
        sub = command.commands.get(word)
        if sub is None:
            return False
        command = sub
    return not hasattr(command, "commands")


def test_compose_has_the_services_of_the_design() -> None:
    services = _compose()["services"]
    assert {"redis", "postgres", "migrate", "worker", "beat"} <= set(services)
    assert "postgres-data" in json.dumps(services["postgres"]["volumes"])


def test_every_newsworker_command_in_compose_exists() -> None:
    services = _compose()["services"]
    commands = []
    for name, service in services.items():
        for argv in (service.get("command"), service.get("healthcheck", {}).get("test")):
            if isinstance(argv, list) and "newsworker" in argv:
                commands.append((name, argv[argv.index("newsworker") + 1 :]))
    assert {name for name, _ in commands} >= {"migrate", "worker", "beat"}
    for name, argv in commands:
        assert _cli_accepts(argv), f"{name}: `newsworker {' '.join(argv)}` is not a CLI command"
    assert _cli_accepts(["db", "upgrade"])
    assert not _cli_accepts(["db", "downgrade-everything"])


def test_long_running_services_have_health_checks_and_restart_policies() -> None:
    services = _compose()["services"]
    for name in ("redis", "postgres", "worker", "beat"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert services[name].get("restart") in ("unless-stopped", "always"), name
    assert services["migrate"]["restart"] == "no"


def test_workers_and_beat_wait_for_a_finished_migration() -> None:
    services = _compose()["services"]
    for name in ("worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        env = services[name]["environment"]
        assert env["NEWSWORKER_DATABASE_URL"].startswith(
            "${NEWSWORKER_DATABASE_URL:-postgresql+psycopg://"
        )
        assert env["NEWSWORKER_BROKER_URL"].startswith("${NEWSWORKER_BROKER_URL:-redis://")


def test_dockerfile_commands_exist() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for argv_json in re.findall(r"^(?:CMD|HEALTHCHECK .*CMD) (\[.*\])$", dockerfile, re.MULTILINE):
        argv = json.loads(argv_json)
        assert argv[0] == "newsworker"
        assert _cli_accepts(argv[1:]), argv
    for copied in re.findall(r"^COPY (\S+)", dockerfile, re.MULTILINE):
        assert (REPO / copied).exists(), f"Dockerfile copies a missing path: {copied}"
