"""The pipeline: poll -> fetch -> extract -> deduplicate -> store, as plain functions.

Celery tasks and the CLI call these; tests call them directly. Each function opens its sessions
at the edge (``runtime.sessions``) and never holds a transaction open during network I/O.
"""

from worker.pipeline.crawl import (
    CrawlReport,
    crawl_inline,
    queue_polls,
    summarize_crawl,
    wait_for_crawl,
)
from worker.pipeline.poll import (
    Backlog,
    PollResult,
    forget_unrepeated_paragraphs,
    measure_backlog,
    poll_source,
    prune_raw_pages,
    record_poll_stopped,
    sweep_lost_urls,
    tick,
)
from worker.pipeline.process import RetryLater, UrlOutcome, process_url

__all__ = [
    "Backlog",
    "CrawlReport",
    "PollResult",
    "RetryLater",
    "UrlOutcome",
    "crawl_inline",
    "forget_unrepeated_paragraphs",
    "measure_backlog",
    "poll_source",
    "process_url",
    "prune_raw_pages",
    "queue_polls",
    "record_poll_stopped",
    "summarize_crawl",
    "sweep_lost_urls",
    "tick",
    "wait_for_crawl",
]
