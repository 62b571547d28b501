"""Celery tasks: wiring only, one call into the pipeline per task.

Tasks take ids, never objects. They are idempotent (the pipeline leaves final URLs alone), so
late acknowledgement and redelivery are safe. Queueing happens after the pipeline committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from celery import Task
from celery.exceptions import TimeLimitExceeded
from sqlalchemy.exc import OperationalError

from worker import metrics, pipeline
from worker.broker import prune_delivered, queue_depth
from worker.celery_app import app
from worker.runtime import get_runtime
from worker.syncing import sync_if_changed

log = structlog.get_logger(__name__)


@app.task(name="newsworker.tick", ignore_result=True)
def tick() -> int:
    """Sync the sources file if it changed, claim due sources and queue a poll for each, and
    queue again the URLs whose fetch task was lost."""
    runtime = get_runtime()
    sync_if_changed(runtime)
    source_ids = pipeline.tick(runtime)
    backlog = pipeline.measure_backlog(runtime)
    metrics.backlog(backlog.pending, backlog.oldest_queued_at)
    metrics.ticked()
    for source_id in source_ids:
        poll.delay(source_id)
    for url_id in pipeline.sweep_lost_urls(runtime, queued=_queue_depth()):
        fetch.delay(url_id)
    pipeline.prune_raw_pages(runtime)
    pipeline.forget_unrepeated_paragraphs(runtime)
    prune_delivered(runtime.settings.broker_url)
    return len(source_ids)


def _queue_depth() -> int | None:
    """Messages the tasks' queue holds, None when the broker does not say (the sweep then
    takes every URL pending past the timeout for lost, as after a broker restart)."""
    try:
        return queue_depth(app)
    except Exception as exc:  # kombu raises many kinds; all mean "no answer"
        log.warning("sweep.queue_depth_unknown", error=str(exc))
        return None


class PollTask(Task):  # type: ignore[misc]
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """A poll killed at its time limit is the source's recorded error (Celery calls this
        in the worker's main process then); else nothing said why its source went quiet."""
        if not isinstance(exc, TimeLimitExceeded) or not args:
            return
        detail = f"the poll ran past {exc.args[0] if exc.args else '?'}s"
        try:
            pipeline.record_poll_stopped(get_runtime(), int(args[0]), "time_limit", detail)
        except Exception:  # the database down too: the log line is all there is
            log.exception("poll.time_limit_not_recorded", source=args[0])


@app.task(
    name="newsworker.poll",
    base=PollTask,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
)
def poll(source_id: int) -> int:
    """Poll one source and queue a fetch for every URL it yielded that needs one."""
    result = pipeline.poll_source(get_runtime(), source_id)
    for url_id in result.url_ids:
        fetch.delay(url_id)
    return len(result.url_ids)


@app.task(
    name="newsworker.fetch",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
)
def fetch(self: Any, url_id: int, force: bool = False, rerun_at: str | None = None) -> str:
    """Bring one URL to its final state; transient failures come back after their delay.
    ``rerun_at``: the queued_at of the rerun that queued it (ISO 8601), see ``process_url``."""
    structlog.contextvars.bind_contextvars(url_id=url_id)
    marked = datetime.fromisoformat(rerun_at) if rerun_at else None
    try:
        return pipeline.process_url(get_runtime(), url_id, force=force, rerun_at=marked).state
    except pipeline.RetryLater as retry:
        # without rerun_at: the retry goes on with the attempt this task started
        raise self.retry(
            args=(url_id, force), kwargs={}, countdown=retry.delay, max_retries=None
        ) from retry
