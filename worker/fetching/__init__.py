"""HTTP fetching: timeouts, redirects, size caps, content types, charsets, error mapping."""

from worker.fetching.client import FetchedPage, Fetcher, build_http_client
from worker.fetching.decoding import decode_html

__all__ = ["FetchedPage", "Fetcher", "build_http_client", "decode_html"]
