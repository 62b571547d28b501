"""The exception tree callers catch by stage.

Third-party errors (httpx, lxml, feedparser) are mapped to these at the boundary, so the pipeline
only ever decides on our own types. Every error carries a short machine-readable ``reason`` that
ends up in ``urls.reason`` or ``sources.last_error``, and a human message.
"""

from __future__ import annotations


class NewsworkerError(Exception):
    """Base of every error the pipeline raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class ConfigError(NewsworkerError):
    """The sources file or a setting is invalid; the message names the outlet, key and problem."""

    reason = "config"


class FetchError(NewsworkerError):
    """An HTTP fetch did not produce a usable response."""

    reason = "fetch"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, reason=reason)
        self.http_status = http_status
        self.retry_after = retry_after


class TransientFetchError(FetchError):
    """Worth retrying later: timeouts, connection errors, 5xx, 429."""

    reason = "transient"


class PermanentFetchError(FetchError):
    """Retrying will not help: 404, 410, other 4xx, wrong content type, too large."""

    reason = "permanent"


class NotModified(FetchError):  # noqa: N818 - it is an outcome, not a failure
    """A conditional GET answered 304: nothing new since the last poll."""

    reason = "not_modified"


class DiscoveryError(NewsworkerError):
    """A feed or sitemap could not be parsed."""

    reason = "bad_feed"


class ExtractionError(NewsworkerError):
    """The page could not be turned into an article."""

    reason = "extraction"


class NotAnArticle(ExtractionError):  # noqa: N818 - an outcome that ends as `skipped`
    """The page is readable but is not an article (a listing, an index, an empty page)."""

    reason = "not_article"
