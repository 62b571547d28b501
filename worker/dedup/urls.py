"""URL canonicalisation: one key per page, never one key for two pages.

Two keys are derived:

- ``frontier_key``: the URL as a source yielded it, cleaned of what never changes the page
  (case of scheme and host, default port, fragment, tracking parameters, parameter order). It is
  the unique key of the ``urls`` table, so a URL seen again is not fetched again.
- ``article_key``: the frontier key with AMP variants folded onto the regular page; it is what
  ``articles.canonical_url`` holds when the page names no usable ``rel=canonical``.

courlan's ``normalize_url`` cleans scheme, host, port and path; the query is cleaned here.
courlan's query cleaning maps two pages onto one key: its ``strict`` mode drops every parameter
it does not know (``view.php?ud=1`` and ``view.php?ud=2``), its other mode drops parameters
without "=" (``index.php?/archives/12.html``) and those whose name only starts like a tracker's
(``recap?gameId=1``, ``photos?gallery=2``), and it reads the URL as HTML-escaped text, so that
``?id=1&section=world`` became ``?id=1§ion=world``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

import courlan
from courlan.clean import TRACKERS_RE

from worker.storable import MAX_URL_CHARS

_AMP_QUERY_KEYS = {"amp", "outputtype", "_amp", "amp_js_v", "usqp"}
_AMP_QUERY_VALUES = {"amp", "1", "true"}
# courlan's tracker names, matched as whole words only ("utm_*", "_ga", "ref", not "gameid").
_TRACKING_PARAM = re.compile(rf"(?:{TRACKERS_RE.pattern})(?:(?<=_)|(?![a-z0-9]))")
# ... but for names of their own that sites give their pages' ids (``view.php?cid=1001``, a
# JUGEM blog's ``?eid=123``): prefixed, they stay trackers (``s_cid``, ``mc_eid``)
_PAGE_ID_PARAMS = {"cid", "eid", "uid"}
# Trackers courlan does not know, each a name nothing but a campaign or share counter uses:
# Webtrekk's (heise, ZEIT), the NYT's share id, the Guardian's "CMP", FAZ's "GEPC", MSN's
# "ocid", comScore's "ns_*", Outbrain's "dicbo", Yahoo's consent counter. Short names a site
# may select its content by ("id", "p", "page", "s", "src", "mod", "story") are not here.
_MORE_TRACKERS = frozenset(
    {
        "wt_mc", "wt_zmc", "smid", "cmp", "cmpid", "gepc", "ocid", "ncid", "icid", "ito",
        "ftag", "dicbo", "spm", "guccounter", "sr_share", "__twitter_impression",
        "ns_mchannel", "ns_campaign", "ns_linkname", "ns_fee", "_hsenc", "_hsmi",
        "fb_action_ids", "fb_action_types", "fb_ref",
        "action_object_map", "action_type_map", "action_ref_map",
    }
)  # fmt: skip
# WebTrends names every parameter of its own "WT." ("WT.mc_id", "WT.tsrc")
_TRACKER_PREFIXES = ("wt.",)


class UnusableURL(ValueError):  # noqa: N818 - names the refusal
    """A link that must never be fetched (not http(s), no host, javascript:, data:...)."""


def resolve(link: str, base: str) -> str:
    """Resolve a link found on ``base`` into an absolute http(s) URL, or raise UnusableURL."""
    link = link.strip()
    if not link:
        raise UnusableURL("empty link")
    lowered = link.lower()
    for scheme in ("javascript:", "data:", "mailto:", "tel:", "about:", "file:", "ftp:"):
        if lowered.startswith(scheme):
            raise UnusableURL(f"{scheme} links are never fetched")
    try:
        absolute = urljoin(base, link)
        parts = urlsplit(absolute)
        parts.port  # noqa: B018  # read to check it: "http://x:port/" raises here
    except ValueError as exc:  # "http://[not-an-address]/", an out-of-range port
        raise UnusableURL(f"malformed URL: {link[:200]!r} ({exc})") from exc
    if urlsplit(link).path.endswith(";") and not parts.path.endswith(";"):
        # urljoin reads ";..." after the last segment as parameters and drops them when empty:
        # "/news;" would be fetched, and keyed, as "/news"
        parts = parts._replace(path=parts.path + ";")
        absolute = urlunsplit(parts)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnusableURL(f"not an http(s) URL: {link[:200]!r}")
    if any(ch.isspace() for ch in absolute) or len(absolute) > MAX_URL_CHARS:
        raise UnusableURL(f"malformed URL: {link[:200]!r}")
    if not absolute.isascii():
        try:  # a lone surrogate cannot be encoded, so neither keyed nor requested
            absolute.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UnusableURL(f"malformed URL: {link[:200]!r} ({exc.reason})") from exc
    return absolute


def frontier_key(url: str) -> str:
    """The cleaned URL used to recognise a URL seen before."""
    parts = urlsplit(url)
    bare = urlunsplit(parts._replace(query="", fragment=""))
    normalized = urlsplit(courlan.normalize_url(bare, strict=False))
    query = clean_query(parts.query)
    path = normalized.path or ("/" if query else "")
    return urlunsplit(normalized._replace(path=path, query=query, fragment=""))


def clean_query(query: str) -> str:
    """Tracking parameters dropped, the others sorted by name (values of one name keep their
    order) and encoded alike; a piece without "=" ("?12345") is kept as written."""
    kept: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        if "=" not in piece:
            kept.append((piece, piece))
            continue
        name, value = (unquote_plus(part) for part in piece.split("=", 1))
        if not is_tracking_param(name):
            kept.append((name, urlencode([(name, value)])))
    return "&".join(written for _, written in sorted(kept, key=lambda pair: pair[0]))


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter only counts visits (a campaign, a share, a referrer) and so
    never changes the page: a URL with it and without it are one key."""
    lowered = name.lower()
    if lowered in _PAGE_ID_PARAMS:
        return False
    if lowered in _MORE_TRACKERS or lowered.startswith(_TRACKER_PREFIXES):
        return True
    return bool(_TRACKING_PARAM.search(lowered))


def article_key(url: str) -> str:
    """The frontier key with AMP variants folded onto the regular page."""
    parts = urlsplit(frontier_key(url))
    host = parts.netloc
    if host.startswith("amp."):
        host = host[len("amp.") :]
    path = re.sub(r"/amp(?=/|$)", "", parts.path) or "/"
    path = re.sub(r"\.amp(\.html?)$", r"\1", path)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not (key.lower() in _AMP_QUERY_KEYS and value.lower() in _AMP_QUERY_VALUES | {""})
    ]
    return urlunsplit(parts._replace(netloc=host, path=path, query=urlencode(query)))


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on one site (ignoring www., m. and amp. host prefixes); never for
    an address whose port is out of range (a page's canonical "https://x.example:99999/")."""
    try:
        return _site(url) == _site(other)
    except ValueError:
        return False


def _site(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        host = host.removeprefix(prefix)
    return f"{host}:{parts.port}" if parts.port else host
