"""The Celery app: broker, reliability settings, the beat tick, per-process setup.

Beat schedules nothing but a short tick; which sources are due lives in the database
(``sources.next_poll_at``), so a second beat is harmless and a beat that was down catches up
once. Tasks acknowledge late and are rejected back to the queue when their worker dies.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import structlog
from celery import Celery, signals
from kombu.entity import Queue
from sqlalchemy.exc import IntegrityError, OperationalError

from worker import metrics
from worker.broker import transport_options
from worker.extraction.warmup import warm_up
from worker.liveness import BEAT_NAME, BeatHeartbeat, WorkerHeartbeat, node_name
from worker.logging import configure_logging
from worker.runtime import reset_runtime
from worker.settings import Settings, get_settings

log = structlog.get_logger(__name__)

app = Celery("newsworker", include=["worker.tasks"])

TASK_QUEUE = "newsworker"
TICK_QUEUE = "newsworker.tick"


def configure(celery: Celery, settings: Settings) -> None:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if settings.broker_url.startswith("sqla+sqlite:///"):
        Path(settings.broker_url.removeprefix("sqla+sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    celery.conf.update(
        broker_url=settings.broker_url,
        broker_transport_options=transport_options(settings),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_default_queue=TASK_QUEUE,
        # The tick has a queue of its own, which every worker also reads (a worker reads all
        # of task_queues): behind a backlog of fetches in the main queue it would run minutes
        # late, polls with it, and `newsworker health` would call every worker down.
        task_queues=[Queue(name) for name in (TASK_QUEUE, TICK_QUEUE)],  # type: ignore[no-untyped-call]
        task_routes={"newsworker.tick": {"queue": TICK_QUEUE}},
        # a page that holds a pool process forever (an extractor stuck on it) must not take
        # the worker's processes one by one: the process is killed and replaced
        task_annotations={
            "newsworker.fetch": {"time_limit": settings.fetch_time_limit_seconds or None},
            "newsworker.poll": {"time_limit": settings.poll_time_limit_seconds or None},
        },
        task_serializer="json",
        accept_content=["json"],
        # held unacknowledged (acks_late): a stopping worker hands them back to the broker; a
        # killed one leaves them to Redis's visibility timeout and the lost-task sweep
        worker_prefetch_multiplier=settings.prefetch_multiplier,
        worker_max_tasks_per_child=1000,
        worker_max_memory_per_child=settings.max_memory_per_child_kb or None,
        # Cold shutdown (SIGQUIT; SIGTERM under REMAP_SIGTERM=SIGQUIT): wait this long for the
        # tasks in hand, then cancel them; acks_late puts their messages back on the queue.
        worker_soft_shutdown_timeout=settings.soft_shutdown_seconds,
        worker_hijack_root_logger=False,
        worker_concurrency=settings.concurrency,
        # survives a broker connection lost while a task is held (see worker.consumer)
        worker_consumer="worker.consumer:BrokerConsumer",
        timezone="UTC",
        beat_schedule={
            "tick": {"task": "newsworker.tick", "schedule": settings.tick_seconds},
        },
        beat_schedule_filename=str(settings.var_dir / "celerybeat-schedule"),
    )


configure(app, get_settings())


def prepare_embedded_broker(celery: Celery = app, attempts: int = 5) -> None:
    """Create the embedded broker's queue rows before workers and beat start.

    kombu's SQLAlchemy transport creates its tables and then a queue row on first use, each
    with a check-then-create, so a worker and a beat starting together on a new broker file can
    both create them, and the loser dies ("table kombu_queue already exists", "UNIQUE
    constraint failed: kombu_queue.name"). Declared here first, with a retry for a concurrent
    ``newsworker`` process doing the same, the race is gone.
    """
    if not str(celery.conf.broker_url).startswith("sqla+"):
        return
    for attempt in range(attempts):
        try:
            with celery.connection_for_write() as connection:
                for queue in celery.amqp.queues.values():
                    queue(connection.default_channel).declare()
            return
        except (IntegrityError, OperationalError) as exc:
            lost_race = isinstance(exc, IntegrityError) or "already exists" in str(exc)
            if not lost_race or attempt == attempts - 1:
                raise


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)


@signals.beat_init.connect
def _tick_on_start(sender: Any = None, **_: Any) -> None:
    """Claim due sources right away instead of one tick interval after (re)start."""
    app.send_task("newsworker.tick")


@signals.beat_embedded_init.connect
def _end_with_the_worker(**_: Any) -> None:
    """``run``'s beat is a child process of its worker. Killed (``kill -9``, the OOM killer),
    the worker left it running for good, re-parented to init and still ticking beside the
    beat of the next ``run``: on Linux the kernel now sends it SIGTERM when the worker dies."""
    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # died before the call took effect
        os.kill(os.getpid(), signal.SIGTERM)


_beat_heartbeat: BeatHeartbeat | None = None


def record_beat_heartbeat() -> None:
    """Have the beat this process runs write its heartbeat row (`newsworker health --beat`).

    For ``newsworker beat`` only: ``run``'s embedded beat is forked from a worker that has the
    embedded SQLite database open, and its writes fail ("locking protocol"); nothing
    health-checks it apart from its worker anyway."""
    signals.beat_init.connect(_start_beat_heartbeat)
    signals.after_task_publish.connect(_tick_sent)


def _start_beat_heartbeat(sender: Any = None, **_: Any) -> None:
    global _beat_heartbeat
    node = node_name(getattr(sender, "hostname", None), BEAT_NAME)
    _beat_heartbeat = BeatHeartbeat(get_settings().database_url, node)
    _beat_heartbeat.start()


def _tick_sent(sender: str | None = None, **_: Any) -> None:
    """Beat reached the broker with a tick: its row says so."""
    if _beat_heartbeat is not None and sender == "newsworker.tick":
        _beat_heartbeat.tick_sent()


@signals.worker_process_init.connect
def _per_process(**_: Any) -> None:
    reset_runtime()


@signals.task_prerun.connect
def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Bind the task to every log line it writes, and start its latency clock."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))
    if task_id:
        metrics.task_started(task_id)


@signals.task_postrun.connect
def _task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    structlog.contextvars.clear_contextvars()
    if task_id:
        metrics.task_finished(task_id, getattr(task, "name", None) or "unknown", state)


@signals.worker_init.connect
def _serve_metrics(**_: Any) -> None:
    """The metrics endpoint, from the main worker process only (worker_init is sent there,
    before the pool forks): the children's samples reach it through PROMETHEUS_MULTIPROC_DIR.
    Started before the broker connects, so a broker outage shows as newsworker_broker_up 0."""
    settings = get_settings()
    metrics.serve(app, settings.metrics_port, settings.metrics_address)


@signals.worker_init.connect
def _warm_up_extraction(**_: Any) -> None:
    """Load extraction's models in the main process, so every pool process starts with them."""
    started = time.perf_counter()
    warm_up()
    log.info("worker.extraction_warmed_up", ms=round((time.perf_counter() - started) * 1000))


@signals.worker_process_init.connect
def _pool_child_started(**_: Any) -> None:
    metrics.process_forked()


@signals.worker_process_shutdown.connect
def _pool_child_gone(pid: int | None = None, **_: Any) -> None:
    if pid:
        metrics.process_exited(pid)


_heartbeat: WorkerHeartbeat | None = None


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """Write this worker's heartbeat row (``newsworker status`` lists the workers seen)."""
    global _heartbeat
    settings = get_settings()
    node = getattr(sender, "hostname", None) or "worker"
    concurrency = getattr(getattr(sender, "pool", None), "num_processes", None)
    _heartbeat = WorkerHeartbeat(settings.database_url, node, {"concurrency": concurrency})
    _heartbeat.start()


@signals.worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    mark_stopped()


def mark_stopped() -> None:
    """Say that this process's worker or beat stopped, on the way out of the command that ran
    it: Celery sends worker_shutdown on a warm shutdown only, not on the cold one compose's
    SIGTERM is (REMAP_SIGTERM=SIGQUIT), and beat sends nothing at all. Either row kept saying
    running until it aged out. Once per row; a process killed outright writes nothing."""
    for heartbeat in (_heartbeat, _beat_heartbeat):
        if heartbeat is not None:
            heartbeat.stop()
