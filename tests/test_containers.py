"""The container files, checked without a Docker engine: services, commands, health checks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from celery import Celery

from worker.celery_app import configure
from worker.cli import app
from worker.settings import Settings
from worker.storage.migrations import upgrade

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


def _default(value: str) -> str:
    """``${NAME:-default}`` -> ``default``; a plain value as it is."""
    match = re.fullmatch(r"\$\{\w+:-(.*)\}", value)
    return match.group(1) if match else value


def _seconds(duration: str | int) -> float:
    """A compose duration (``60s``, ``1m30s``, ``90``) in seconds."""
    if isinstance(duration, int):
        return float(duration)
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us)", duration)
    assert parts, f"not a duration: {duration!r}"
    unit = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 0.000001}
    return sum(float(number) * unit[suffix] for number, suffix in parts)


def _example_env() -> dict[str, str]:
    lines = (REPO / "config" / "example.env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def test_flower_is_optional_and_watches_the_workers_broker() -> None:
    services = _compose()["services"]
    flower = services["flower"]
    assert flower["profiles"] == ["flower"], "started only with --profile flower"
    assert [name for name, s in services.items() if s.get("profiles")] == ["flower"]
    assert flower["image"].startswith("mher/flower:")
    broker = services["worker"]["environment"]["NEWSWORKER_BROKER_URL"]
    assert f"--broker={broker}" in flower["command"], "the same broker as the workers"
    assert flower["command"][flower["command"].index(f"--broker={broker}") + 1] == "flower"
    assert flower["depends_on"]["redis"]["condition"] == "service_healthy"
    assert any(str(port).endswith(":5555") for port in flower["ports"])
    assert flower["healthcheck"]["test"]


def test_a_stopped_worker_gets_its_soft_shutdown_before_the_kill() -> None:
    worker = _compose()["services"]["worker"]
    env = worker["environment"]
    assert env["REMAP_SIGTERM"] == "SIGQUIT", "SIGTERM starts the soft (then cold) shutdown"
    grace = _seconds(worker["stop_grace_period"])
    for soft in (
        _default(env["NEWSWORKER_SOFT_SHUTDOWN_SECONDS"]),
        _example_env()["NEWSWORKER_SOFT_SHUTDOWN_SECONDS"],
    ):
        assert 0 < float(soft) <= grace - 10, (
            f"soft shutdown {soft}s leaves too little of the {grace:.0f}s grace period to requeue"
        )
    shared = {"NEWSWORKER_DATABASE_URL", "NEWSWORKER_BROKER_URL", "NEWSWORKER_SOURCES_FILE"}
    assert shared <= set(env), "the worker extends the shared environment, not replaces it"


def test_the_compose_worker_settings_reach_celery(tmp_path: Path) -> None:
    env = _compose()["services"]["worker"]["environment"]
    settings = Settings.model_validate(
        {
            "var_dir": tmp_path,
            "soft_shutdown_seconds": _default(env["NEWSWORKER_SOFT_SHUTDOWN_SECONDS"]),
            "max_memory_per_child_kb": _example_env()["NEWSWORKER_MAX_MEMORY_PER_CHILD_KB"],
        }
    )
    celery = Celery("compose-check")
    configure(celery, settings)
    assert celery.conf.worker_soft_shutdown_timeout == 45.0
    assert celery.conf.worker_max_memory_per_child == 800_000
    assert celery.conf.task_acks_late and celery.conf.task_reject_on_worker_lost
    assert celery.conf.worker_prefetch_multiplier == 2
    assert celery.conf.worker_max_tasks_per_child == 1000
    configure(
        celery,
        Settings.model_validate(
            {"var_dir": tmp_path, "max_memory_per_child_kb": 0, "prefetch_multiplier": 1}
        ),
    )
    assert celery.conf.worker_max_memory_per_child is None, "0 turns the limit off"
    assert celery.conf.worker_prefetch_multiplier == 1
    assert celery.conf.worker_soft_shutdown_timeout == 0.0


def test_worker_metrics_are_exposed_on_the_network_not_on_a_fixed_host_port() -> None:
    worker = _compose()["services"]["worker"]
    assert "ports" not in worker, "a fixed host port breaks `--scale worker=N`"
    metrics_port = Settings.model_fields["metrics_port"].default
    assert str(metrics_port) in [str(port) for port in worker["expose"]]


def test_every_newsworker_service_reads_the_env_file() -> None:
    services = _compose()["services"]
    running_newsworker = [
        name for name, service in services.items() if "newsworker" in (service.get("command") or [])
    ]
    assert set(running_newsworker) >= {"migrate", "worker", "beat"}
    for name in running_newsworker:
        env_files = services[name].get("env_file") or []
        paths = [entry if isinstance(entry, str) else entry["path"] for entry in env_files]
        assert ".env" in paths, f"{name} does not read .env"


def test_example_env_names_real_settings_with_valid_values() -> None:
    example = _example_env()
    fields = {f"NEWSWORKER_{name.upper()}": name for name in Settings.model_fields}
    unknown = [name for name in example if name.startswith("NEWSWORKER_") and name not in fields]
    assert not unknown, f"config/example.env names settings that do not exist: {unknown}"
    compose_text = (REPO / "docker-compose.yml").read_text()
    for name in example:
        if not name.startswith("NEWSWORKER_"):
            assert "${" + name in compose_text, f"{name} is used by neither Settings nor compose"
    values = {fields[name]: value for name, value in example.items() if name in fields}
    Settings.model_validate(values)  # each value is valid


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker's build context leaves ``path`` out (its patterns, without exceptions)."""
    from fnmatch import fnmatch

    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]  # a directory's contents
    for pattern in patterns:
        if pattern.startswith("**/"):  # at any depth
            if any(fnmatch(part, pattern.removeprefix("**/")) for part in parts):
                return True
        elif any(fnmatch(prefix, pattern) for prefix in prefixes):
            return True
    return False


def test_the_build_context_keeps_secrets_out_and_what_the_image_copies_in() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for secret in (".env", ".git/config", "var/newsworker.sqlite", "worker/__pycache__/x.pyc"):
        assert _ignored(secret, patterns), f"{secret} would be sent to the builder"
    copied = re.findall(r"^COPY\s+(.+?)\s+\S+$", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    sources = [source for line in copied for source in line.split()]
    assert "alembic.ini" in sources and "worker" in sources
    for source in sources:
        assert not _ignored(source, patterns), f"the Dockerfile copies {source}, which is ignored"


def test_the_build_context_leaves_out_a_checkouts_virtualenv_and_builds() -> None:
    """README's quick start makes ``.venv`` in the checkout: 525 MB sent to every build."""
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    local = (
        ".venv/lib/python3.11/site-packages/celery/app/base.py",
        "build/lib/worker/cli.py",
        "dist/newsworker-0.1.0.tar.gz",
        "celerybeat-schedule",
        "celerybeat-schedule.db",
        "worker/fetching/client.pyc",
    )
    for path in local:
        assert _ignored(path, patterns), f"{path} would be sent to the builder"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (REPO / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (keyword.upper(), arguments)
        for keyword, _, arguments in (line.partition(" ") for line in lines)
        if keyword and not keyword.startswith("#")
    ]


def test_the_dependency_layer_is_rebuilt_only_when_pyproject_changes(tmp_path: Path) -> None:
    """Docker reruns a RUN when a file copied before it changed. The dependencies were installed
    with the package, whose readme is README.md: every README edit installed them all again."""
    instructions = _dockerfile_instructions()
    install = next(i for i, (key, args) in enumerate(instructions) if "pip install" in args)
    copied_before = [
        source
        for key, args in instructions[:install]
        if key == "COPY"
        for source in args.split()[:-1]
    ]
    assert copied_before == ["pyproject.toml"]
    # the layer installs what pyproject.toml declares: its command, run on the file
    command = re.search(r'python -c "(.+?)"', instructions[install][1])
    assert command is not None
    (tmp_path / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())
    listed = subprocess.run(
        [sys.executable, "-c", command.group(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    with (REPO / "pyproject.toml").open("rb") as pyproject:
        assert listed == tomllib.load(pyproject)["project"]["dependencies"]
    # and the package's own install, later, has its readme
    package = next(
        i for i, (key, args) in enumerate(instructions) if "pip install --no-deps" in args
    )
    later = [args for key, args in instructions[install:package] if key == "COPY"]
    assert any("README.md" in args.split()[:-1] for args in later)


def _health_options(argv: list[str]) -> dict[str, Any]:
    """The options ``newsworker <argv>`` gives the health command, parsed as the CLI would."""
    assert argv[:2] == ["newsworker", "health"], argv
    group: Any = typer.main.get_command(app)
    command = group.commands["health"]
    with command.make_context("health", argv[2:]) as context:
        params: dict[str, Any] = context.params
    return params


def test_each_container_checks_its_own_process_not_the_service() -> None:
    """`newsworker health` judges the service: with two workers, a hung one stayed healthy
    because the other ticked, and nothing replaced it."""
    services = _compose()["services"]
    worker = services["worker"]["healthcheck"]["test"]
    beat = services["beat"]["healthcheck"]["test"]
    assert worker == ["CMD", "newsworker", "health", "--worker"]
    assert beat == ["CMD", "newsworker", "health", "--beat"]
    assert _health_options(worker[1:]) == {"worker": True, "beat": False, "node": None}
    assert _health_options(beat[1:]) == {"worker": False, "beat": True, "node": None}
    # no --hostname: the worker is celery@<container id>, the name the check computes
    assert "--hostname" not in services["worker"]["command"]
    assert "--hostname" not in services["beat"]["command"]
    (healthcheck,) = [args for key, args in _dockerfile_instructions() if key == "HEALTHCHECK"]
    (cmd,) = [args for key, args in _dockerfile_instructions() if key == "CMD"]
    assert json.loads(cmd) == ["newsworker", "worker"]
    argv = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert _health_options(argv)["worker"], "the image's default command is a worker"


def test_health_checks_allow_for_a_busy_machine() -> None:
    """`newsworker health` took 5-10 s while a worker started beside it: past a 10 s timeout,
    three such checks in a row marked a working container unhealthy."""
    services = _compose()["services"]
    for name in ("worker", "beat"):
        assert _seconds(services[name]["healthcheck"]["timeout"]) >= 30, name
    healthcheck = re.search(
        r"^HEALTHCHECK .*--timeout=(\S+)", (REPO / "Dockerfile").read_text(), re.M
    )
    assert healthcheck is not None and _seconds(healthcheck.group(1)) >= 30


_HEALTH_AND_WHAT_IT_LOADED = """
import sys
from worker.cli import app
try:
    app(["health", *sys.argv[1:]])
except SystemExit:
    pass
heavy = ("worker.celery_app", "worker.tasks", "worker.extraction", "trafilatura", "numpy")
print(sorted(name for name in heavy if name in sys.modules))
"""


@pytest.mark.parametrize("options", [[], ["--worker"], ["--beat"]])
def test_the_health_check_loads_neither_the_tasks_nor_the_extractors(
    tmp_path: Path, options: list[str]
) -> None:
    """The health check runs every 30 s in each container. Through the worker's Celery app it
    imported the whole pipeline, extractors and all: 3-4 s idle, up to 10 s on a busy machine."""
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    env.update(
        NEWSWORKER_VAR_DIR=str(var),
        NEWSWORKER_DATABASE_URL=f"sqlite:///{var / 'newsworker.sqlite'}",
        NEWSWORKER_BROKER_URL=f"sqla+sqlite:///{var / 'broker.sqlite'}",
    )
    upgrade(env["NEWSWORKER_DATABASE_URL"])
    checked = subprocess.run(
        [sys.executable, "-c", _HEALTH_AND_WHAT_IT_LOADED, *options],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    verdict, loaded = checked.stdout.strip().splitlines()
    if options:  # nothing runs here: this process's row is missing
        assert "has no heartbeat" in verdict, verdict
    else:
        assert "database ok" in verdict and "broker ok" in verdict, verdict
    assert loaded == "[]"


def test_postgres_is_ready_only_when_it_answers_over_the_network() -> None:
    # on a new volume the image's setup server listens on the socket only: migrate then met
    # "connection refused" on postgres:5432 and the first `up` failed
    test = " ".join(_compose()["services"]["postgres"]["healthcheck"]["test"])
    assert "pg_isready -h 127.0.0.1" in test
