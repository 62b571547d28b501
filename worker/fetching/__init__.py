"""HTTP fetching: robots.txt, timeouts, redirects, size caps, content types, charsets, errors."""

from worker.fetching.client import FetchedPage, Fetcher, build_fetcher, build_http_client
from worker.fetching.decoding import decode_html

__all__ = ["FetchedPage", "Fetcher", "build_fetcher", "build_http_client", "decode_html"]
