"""Load what extraction loads on first use, before the worker's pool processes fork.

The first page a process extracts costs about a second more than the next ones: the language
model (py3langid, half a second), justext's stoplists (trafilatura's fallback) and their
caches load on first use; so do dateparser's locales (a second and a half), on the first page
whose date only htmldate's search of the free text finds. Loaded once in the worker's main
process (Celery's ``worker_init``, before the pool forks), every pool process starts with them,
including those that replace a process after ``worker_max_tasks_per_child`` tasks: in the
throughput benchmark a new pool process came every 1,000 tasks, and each paid that second on
its first page.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from worker.errors import ExtractionError
from worker.extraction.article import extract_article

_PARAGRAPHS = "".join(
    f"<p>{text}</p>"
    for text in (
        "The city council approved the new budget on Tuesday after a long debate about schools, "
        "roads and the harbour.",
        "The mayor said the vote would settle the matter for a year, while the opposition asked "
        "for an audit of the harbour works before any new spending is allowed.",
        "Residents who spoke at the meeting welcomed the money for schools but criticised the "
        "delay in repairing the main road, which has been closed since the spring floods.",
    )
)
# A page with a body, one whose date is only in its text (htmldate then asks dateparser), and
# one without a body (it takes trafilatura down its fallback extractors).
SAMPLE_PAGES = (
    "<html lang='en'><head><title>Council passes budget</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Council passes budget</h1>"
    f"{_PARAGRAPHS}</article><footer>(c) Example</footer></body></html>",
    "<html lang='es'><head><title>Presupuesto</title></head><body><article><h1>Presupuesto</h1>"
    f"<p>En Madrid el 3 de mayo de 2022</p>{_PARAGRAPHS}</article></body></html>",
    "<html><body><div><span>Short</span></div></body></html>",
)


def warm_up() -> None:
    """Extract the sample pages once, loading every lazily loaded model and list.

    trafilatura's warning about the page without a body is silenced: it is the point of that
    page, and a warning at every start reads as a fault to an operator.
    """
    library_log = logging.getLogger("trafilatura")
    level = library_log.level
    library_log.setLevel(logging.ERROR)
    try:
        for page in SAMPLE_PAGES:
            # the page without a body is not an article: as intended
            with suppress(ExtractionError):
                extract_article(page, "https://warm-up.invalid/news/1")
    finally:
        library_log.setLevel(level)
