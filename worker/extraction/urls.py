"""URL helpers: resolving what a page states against its own address, comparing pages."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml.html import HtmlElement

from worker.dedup.urls import clean_query

_ENCODED_ADDRESS = re.compile(r"https?%3A%2F%2F", re.IGNORECASE)


def absolute(value: str | None, base: str) -> str | None:
    """``value`` resolved against ``base``; None unless the result is an http(s) URL."""
    if not value:
        return None
    value = value.strip()
    if not value or value.startswith(("data:", "javascript:", "mailto:")):
        return None
    if _ENCODED_ADDRESS.match(value):  # "https%3A%2F%2Fnews.example%2Fa": escaped once too often
        value = unquote(value)
    try:
        resolved = urljoin(base, value)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return resolved


def document_base(root: HtmlElement, url: str) -> str:
    """The address the page's relative URLs resolve against: its ``<base href>`` (itself
    resolved against the page's address, as browsers do; "/" on single-page apps), or the
    page's own address when it states none or one that is not http(s).

    Looked for in the head, where HTML puts it, not through the whole tree for a misplaced
    tag."""
    head = root.find("head")
    for element in head.iter("base") if head is not None else ():
        if href := element.get("href"):
            return absolute(href, url) or url
    return url


def listing_for_another(canonical: str, url: str) -> bool:
    """``canonical`` names a listing that ``url`` is one entry of, not the page itself: the
    site's home page, or a section whose address the page's goes on from with a name of its
    own ("/news" on "/news/38853_sperrfrist-endet-am-1-februar"). Misconfigured CMSs state
    either on every article; taken for the canonical URL, it would make each article after the
    first a variant of it. An address that goes on without a name ("/story/amp",
    "/story/slide/2", "/story/print") is a variant of its canonical page. A query of tracking
    parameters alone ("/?utm_source=homepage", "/?ref=logo") leaves the listing one."""
    try:
        stated, page = urlsplit(canonical), urlsplit(url)
    except ValueError:
        return False
    if not _only_tracking(stated.query):
        return False
    if _HOME_PATH.fullmatch(stated.path):  # "/", "", "/index.html"
        return not (_HOME_PATH.fullmatch(page.path) and _only_tracking(page.query))
    section = stated.path.rstrip("/") + "/"
    if _host(stated.hostname) != _host(page.hostname) or not page.path.startswith(section):
        return False
    return any(_names_an_article(part) for part in page.path[len(section) :].split("/"))


def _only_tracking(query: str) -> bool:
    """Whether a query holds no parameter but tracking ones (or none at all): nothing is left
    of it once the URL key's cleaning has dropped them."""
    return not clean_query(query)


_HOME_PATH = re.compile(r"/?(?:index\.\w+)?")
_SLUG_BREAK = re.compile(r"[-_.+\s]+")
# An article's own name in its address: at least this many words ("budget-passes-council")
_SLUG_WORDS = 3


def _host(hostname: str | None) -> str:
    return (hostname or "").removeprefix("www.")


def _names_an_article(segment: str) -> bool:
    words = _SLUG_BREAK.split(unquote(segment))
    return sum(1 for word in words if any(c.isalpha() for c in word)) >= _SLUG_WORDS


def page_key(url: str) -> str:
    """A loose identity for a page: host without www, path without trailing slash, query."""
    try:
        parts = urlsplit(url.strip())
        host = _host(parts.hostname)
    except ValueError:
        return url
    return f"{host}{parts.path.rstrip('/')}?{parts.query}"


def same_page(a: str, b: str) -> bool:
    """True when two URLs name the same page, ignoring scheme, www, fragment, trailing slash."""
    return bool(a) and bool(b) and page_key(a) == page_key(b)


def host_label(url: str) -> str:
    """The distinctive part of a host name ("www.koreaherald.com" -> "koreaherald")."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    labels = [label for label in host.split(".") if label and label != "www"]
    if len(labels) >= 3 and len(labels[-2]) <= 3:  # bbc.co.uk, abc.net.au
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def names_a_stock_image(url: str) -> bool:
    """The address of a site-wide picture rather than an article's: a logo, an icon, a blank
    or placeholder image (WordPress.com's "s0.wp.com/i/blank.jpg", a theme's
    "social_placeholder.png", a site icon under "/blavatar/"), the picture a site shares when
    an article has none ("opengraph_default.jpg", "OG-Image.jpg", "twitter-standard.jpg",
    "default-presse-opener.jpg", "/fallback/"), told by its file name."""
    try:
        path = unquote(urlsplit(url).path).lower()
    except ValueError:
        return False
    name = path.rsplit("/", 1)[-1]
    words = set(_WORD_BREAK.split(name))
    if _STOCK_WORDS & words or name.endswith(".ico") or "/blavatar/" in path:
        return True
    if ("default" in words and words & (_SHARE_WORDS | _DEFAULT_WORDS)) or "/fallback/" in path:
        return True
    if words & _SHARE_WORDS and words <= _SHARE_WORDS | _GENERIC_WORDS:
        return True
    return any(_LOGO_WORD.fullmatch(word) for word in words)


_WORD_BREAK = re.compile(r"[^a-z0-9]+")
_STOCK_WORDS = frozenset(
    {"logo", "icon", "favicon", "blank", "placeholder", "spacer", "transparent", "blavatar"}
)
# What a site's default picture for shared links is named after
_SHARE_WORDS = frozenset(
    {"og", "opengraph", "share", "sharing", "social", "twitter", "facebook", "fb"}
)  # fmt: skip
# and a default's, beside "default" only ("teaser.jpg" may be an article's own)
_DEFAULT_WORDS = frozenset({"user", "opener", "teaser"})
_GENERIC_WORDS = frozenset(
    {"", "image", "img", "default", "standard", "jpg", "jpeg", "png", "webp", "gif"}
)  # fmt: skip
# A logo or icon named in one word: "googlelogo", "nmblogo", "institutionlogo29539", "icon2";
# not an Italian or Spanish word in "-alogo", "-ilogo", "-ologo" ("catalogo", "epilogo",
# "psicologo-roma.jpg").
_LOGO_WORD = re.compile(r"[a-z]*(?<![aio])logo\d*|(?:logo|icon)\d+")


def names_a_pixel_or_avatar(url: str) -> bool:
    """The address of a tracking pixel (Facebook's "facebook.com/tr", Google Analytics'
    "/collect", comScore's, WordPress's stats) or of a person's Gravatar: an author's face
    is not the article's picture."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return False
    if any(host == name or host.endswith(f".{name}") for name in _PIXEL_HOSTS):
        return True
    if any(_under(parts.path, prefix) for prefix in _PIXEL_PATHS.get(host, ())):
        return True
    # Gravatar's own host, or an image proxy's copy ("i0.wp.com/secure.gravatar.com/avatar/")
    return "gravatar.com/avatar/" in f"{host}{parts.path}".lower()


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(f"{prefix}/")


# Hosts that serve nothing but pixels and beacons
_PIXEL_HOSTS = (
    "scorecardresearch.com", "doubleclick.net", "pixel.wp.com", "bat.bing.com",
    "px.ads.linkedin.com", "ct.pinterest.com", "pixel.quantserve.com", "analytics.twitter.com",
)  # fmt: skip
# and the pixel paths of hosts that serve more
_PIXEL_PATHS = {
    "facebook.com": ("/tr",),
    "google-analytics.com": ("/collect", "/r/collect", "/g/collect", "/__utm.gif"),
}
