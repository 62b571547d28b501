"""Hypothesis strategies for the property tests: URLs, hostile page bytes, wire-story texts.

A URL is drawn as an identity (what names the page: scheme, host, port, decoded path segments,
query parameters) and written out in one of many spellings (case, default port, fragment,
tracking parameters, parameter order, percent-encoding, punycode). Tests can then tell "another
page" from "the same page written differently" without re-implementing the code under test.
"""

from __future__ import annotations

import codecs
import string
from dataclasses import dataclass, replace
from urllib.parse import quote

from hypothesis import strategies as st

from tests.localweb.wire import BUDGET, DRILLS, FOLLOW_UP, PMI, local_story, market_report

# --- URLs -------------------------------------------------------------------------------------

TLDS = ["com", "org", "net", "co.uk", "com.au", "de", "fr", "kr", "jp", "news"]
UNICODE_LABELS = ["bücher", "münchen", "café", "新闻", "ニュース", "новости", "한국일보", "ελλάδα"]
PATH_WORDS = [
    "news", "world", "article", "2024", "03", "view.php", "index.html", "story.html",
    "allies-to-hold-drills", "q&a-with-the-minister", "r&d", "café-culture", "新闻", "정치",
    "новости", "100%-renewable", "what's-next", "a+b", "(live)", "1,000-jobs", "@reporter",
    "ampere", "amplifier", "Story-ID", "%7Euser", "amp", "page.amp.html",
]  # fmt: skip
# What quote() leaves alone in a path (its safe set in courlan plus the unreserved characters);
# every other character means the same page literal or percent-encoded.
LITERAL = frozenset(string.ascii_letters + string.digits + "!=:,-_.~")
MUST_ESCAPE = frozenset("/?#% ")
PATH_CHARS = string.ascii_letters + string.digits + "-._~!$'()*+,;=:@ /?#%éü中"
# Parameter names that name an article on real sites (WordPress ``p``, Korea Herald ``ud``,
# Naver ``oid``/``aid``, Korean CMSs ``idxno``, ESPN ``gameId``...), none of them a tracker.
ARTICLE_PARAMS = [
    "id", "p", "ud", "aid", "oid", "idxno", "no", "articleId", "story_id", "newsId", "page",
    "page_id", "cat", "section", "region", "year", "gameId", "gallery", "v", "nid", "cid",
    "eid", "uid",
]  # fmt: skip
# Parameters that never change the page: analytics and ad-click identifiers.
TRACKING_PARAMS = [
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid",
    "dclid", "msclkid", "mc_cid", "mc_eid", "s_cid", "_ga", "xtor", "igshid",
]  # fmt: skip
# Query strings without "=" (Serendipity and CodeIgniter route through them).
BARE_QUERIES = ["12345", "12346", "20240304", "/archives/123-drills.html", "/news/view/12"]
VALUE_CHARS = string.ascii_letters + string.digits + " -_.~+&=#%/é中"
FRAGMENTS = ["", "comments", "!/photo/2", "p=3&x=y", "top", "é"]


@dataclass(frozen=True)
class UrlIdentity:
    """What names one page: two different identities are two different pages."""

    scheme: str
    labels: tuple[str, ...]  # host labels in lower case, the TLD last
    port: int | None  # None or a port other than the scheme's default
    segments: tuple[str, ...]  # decoded path segments, never empty, "." or ".."
    trailing_slash: bool
    query: tuple[tuple[str, str], ...] = ()  # decoded (name, value) pairs, distinct names
    bare_query: str | None = None  # a query without "=", only when ``query`` is empty


@dataclass(frozen=True)
class Spelling:
    """One way of writing an identity; every spelling names the same page."""

    scheme_upper: bool = False
    upper_labels: tuple[bool, ...] = ()  # per host label: written in capitals
    punycode: tuple[bool, ...] = ()  # per host label: written as xn--
    default_port: bool = False
    escape_path: tuple[bool, ...] = ()  # per path character quote() escapes: written as %XX
    query_order: tuple[int, ...] = ()  # a permutation of the query parameters
    plus_for_space: bool = True
    escape_unicode_values: bool = False
    lower_hex: bool = False
    tracking: tuple[tuple[int, str, str], ...] = ()  # (position, name, value)
    fragment: str | None = None


PLAIN = Spelling()


def _labels() -> st.SearchStrategy[str]:
    ascii_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
        lambda label: label not in ("www", "amp") and not label.startswith("xn--")
    )
    return st.one_of(ascii_label, st.sampled_from(UNICODE_LABELS))


def segments() -> st.SearchStrategy[str]:
    drawn = st.text(PATH_CHARS, min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
    return st.one_of(st.sampled_from(PATH_WORDS), drawn)


def values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 10**12).map(str),
        st.sampled_from(["world", "20210406000123", "en", "Seoul shares", "café", "新闻"]),
        st.text(VALUE_CHARS, min_size=1, max_size=10),
    )


def is_amp_free(identity: UrlIdentity) -> bool:
    """Nothing in it that ``article_key`` folds as an AMP marker."""
    return not any(s == "amp" or s.endswith((".amp.html", ".amp.htm")) for s in identity.segments)


@st.composite
def url_identities(draw: st.DrawFn) -> UrlIdentity:
    labels = draw(st.lists(_labels(), min_size=1, max_size=3))
    path = draw(st.lists(segments(), max_size=5))
    names = draw(st.lists(st.sampled_from(ARTICLE_PARAMS), unique=True, max_size=3))
    query = tuple((name, draw(values())) for name in names)
    bare = draw(st.none() | st.sampled_from(BARE_QUERIES)) if not query else None
    return UrlIdentity(
        scheme=draw(st.sampled_from(["http", "https"])),
        labels=(*labels, *draw(st.sampled_from(TLDS)).split(".")),
        port=draw(st.none() | st.sampled_from([8000, 8080, 8443])),
        segments=tuple(path),
        trailing_slash=bool(path) and draw(st.booleans()),
        query=query,
        bare_query=bare,
    )


@st.composite
def neighbours(draw: st.DrawFn, identity: UrlIdentity) -> UrlIdentity:
    """An identity one change away from ``identity``: another page of the web."""
    changes = ["host", "add_segment"]
    if identity.segments:
        changes += ["segment", "drop_segment"]
    if identity.query:
        changes += ["value", "drop_param"]
    if identity.bare_query is None:
        changes.append("add_param")
    if not identity.query:
        changes.append("bare")
    change = draw(st.sampled_from(changes))
    if change == "host":
        n = draw(st.integers(0, len(identity.labels) - 2))
        label = draw(_labels().filter(lambda label: label != identity.labels[n]))
        return replace(identity, labels=(*identity.labels[:n], label, *identity.labels[n + 1 :]))
    if change in ("segment", "add_segment", "drop_segment"):
        path = list(identity.segments)
        n = draw(st.integers(0, len(path) - (0 if change == "add_segment" else 1)))
        if change == "add_segment":
            path.insert(n, draw(segments()))
        elif change == "drop_segment":
            del path[n]
        else:
            path[n] = draw(segments().filter(lambda s: s != identity.segments[n]))
        trailing = identity.trailing_slash and bool(path)
        other = replace(identity, segments=tuple(path), trailing_slash=trailing)
        return other if other != identity else replace(identity, segments=(*path, "x"))
    if change == "value":
        n = draw(st.integers(0, len(identity.query) - 1))
        name, value = identity.query[n]
        new = (name, draw(values().filter(lambda v: v != value)))
        return replace(identity, query=(*identity.query[:n], new, *identity.query[n + 1 :]))
    if change == "drop_param":
        n = draw(st.integers(0, len(identity.query) - 1))
        return replace(identity, query=identity.query[:n] + identity.query[n + 1 :])
    if change == "add_param":
        used = {name for name, _ in identity.query}
        name = draw(st.sampled_from([p for p in ARTICLE_PARAMS if p not in used]))
        return replace(identity, query=(*identity.query, (name, draw(values()))))
    bare = draw(st.sampled_from([None, *BARE_QUERIES]).filter(lambda b: b != identity.bare_query))
    return replace(identity, bare_query=bare)


@st.composite
def spellings(draw: st.DrawFn, identity: UrlIdentity) -> Spelling:
    """A spelling of ``identity`` from what ``frontier_key`` says never changes the page: case
    of scheme and host, default port, fragment, tracking parameters, parameter order; and from
    what only encodes the same characters otherwise (percent-encoding, punycode, + for space).
    """
    labels = len(identity.labels)
    escapable = sum(1 for s in identity.segments for c in s if c not in LITERAL | MUST_ESCAPE)
    tracking: list[tuple[int, str, str]] = []
    if identity.bare_query is None:  # "?12345&utm_source=x" is another query string
        tracking = draw(
            st.lists(
                st.tuples(
                    st.integers(0, len(identity.query)),
                    st.sampled_from(TRACKING_PARAMS),
                    st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=8),
                ),
                max_size=3,
                unique_by=lambda t: t[1],
            )
        )
    return Spelling(
        scheme_upper=draw(st.booleans()),
        upper_labels=tuple(draw(st.lists(st.booleans(), min_size=labels, max_size=labels))),
        punycode=tuple(draw(st.lists(st.booleans(), min_size=labels, max_size=labels))),
        default_port=identity.port is None and draw(st.booleans()),
        escape_path=tuple(draw(st.lists(st.booleans(), min_size=escapable, max_size=escapable))),
        query_order=tuple(draw(st.permutations(range(len(identity.query))))),
        plus_for_space=draw(st.booleans()),
        escape_unicode_values=draw(st.booleans()),
        lower_hex=draw(st.booleans()),
        tracking=tuple(tracking),
        fragment=draw(st.none() | st.sampled_from(FRAGMENTS)),
    )


def _escape(text: str, lower: bool = False) -> str:
    escaped = quote(text, safe="")
    return escaped.lower() if lower else escaped


def _idna(label: str) -> str:
    """The xn-- form of a label, or the label when it has none that reads back the same."""
    try:
        ascii_form = label.encode("idna").decode("ascii")
        back = ascii_form.encode("ascii").decode("idna")
    except UnicodeError:
        return label
    return ascii_form if back == label else label


def render(identity: UrlIdentity, spelling: Spelling = PLAIN) -> str:
    """``identity`` written out as a URL, the way ``spelling`` says."""
    labels = []
    for n, label in enumerate(identity.labels):
        if n < len(spelling.punycode) and spelling.punycode[n]:
            label = _idna(label)
        if n < len(spelling.upper_labels) and spelling.upper_labels[n] and label.isascii():
            label = label.upper()
        labels.append(label)
    netloc = ".".join(labels)
    if identity.port is not None:
        netloc += f":{identity.port}"
    elif spelling.default_port:
        netloc += ":80" if identity.scheme == "http" else ":443"

    flags = iter(spelling.escape_path)
    written = []
    for segment in identity.segments:
        chars = []
        for char in segment:
            if char in LITERAL:
                chars.append(char)
            elif char in MUST_ESCAPE or next(flags, True):
                chars.append(_escape(char))
            else:
                chars.append(char)
        written.append("".join(chars))
    path = "/" + "/".join(written) + ("/" if identity.trailing_slash else "")

    order = spelling.query_order or tuple(range(len(identity.query)))
    pairs = [_pair(*identity.query[n], spelling) for n in order]
    for position, name, value in sorted(spelling.tracking, reverse=True):
        pairs.insert(min(position, len(pairs)), f"{name}={value}")
    query = identity.bare_query if identity.bare_query is not None else "&".join(pairs)

    scheme = identity.scheme.upper() if spelling.scheme_upper else identity.scheme
    url = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    if spelling.fragment is not None:
        url += "#" + "".join(c if c.isascii() else _escape(c) for c in spelling.fragment)
    return url


def _pair(name: str, value: str, spelling: Spelling) -> str:
    chars = []
    for char in value:
        if char == " ":
            chars.append("+" if spelling.plus_for_space else "%20")
        elif char in "&=#%+/" or (not char.isascii() and spelling.escape_unicode_values):
            chars.append(_escape(char, spelling.lower_hex))
        else:
            chars.append(char)
    return f"{name}={''.join(chars)}"


# --- hostile page bytes -----------------------------------------------------------------------

# Charset labels a page or a server may state: real ones, codecs that are not text encodings,
# codecs that raise on decoding, and garbage.
CHARSETS = [
    "utf-8", "UTF-8", "utf8", "latin1", "iso-8859-1", "windows-1252", "cp1257", "shift_jis",
    "euc-kr", "gb2312", "big5", "koi8-r", "iso-2022-jp", "utf-16", "utf-16le", "utf-32",
    "utf-7", "utf-8-sig", "x-user-defined", "unicode", "ascii", "us-ascii", "charmap",
    "undefined", "punycode", "idna", "rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri",
    "unicode_escape", "raw_unicode_escape", "mbcs", "palmos", "none", "_", "..",
]  # fmt: skip
HTML_FRAGMENTS = [
    "<!doctype html>", "<html>", "<html lang='ko'>", "<html amp>", "</html>", "<head>",
    "</head>", "<body>", "</body>", "<title>Allies to drill</title>", "<article>", "</article>",
    "<div class='content'>", "</div>", "<p>", "</p>", "<br>", "<table><tr><td>", "</td></tr>",
    "<script>var a = '</p>';</script>", "<style>p{}</style>", "<!-- comment", "-->",
    "<![CDATA[", "]]>", "<?xml version='1.0' encoding='utf-16'?>", "<svg><p>", "&amp;",
    "&#0;", "&#xD800;", "&#1114112;", "&nbsp;", "\x00", "\ufeff", "\ud800",
    '<meta property="article:published_time" content="2024-13-45T99:99:99+25:00">',
    '<meta name="author" content="By , and ">', '<link rel="canonical" href="javascript:x">',
    '<link rel="canonical" href="http://[::1">', '<meta property="og:image" content="//">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "author": [null, {"name": 1}],'
    ' "datePublished": "yesterday", "articleBody": ["a"], "headline": {"x": []}}</script>',
    '<script type="application/ld+json">{"@graph": [{"@id": "#a", "author": {"@id": "#a"}}]}'
    "</script>",
    '<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script>',
    '<time datetime="0000-00-00">', "<h1>", "</h1>", "<ul><li>", "<a href='/news/2'>more</a>",
]  # fmt: skip


def _article_paragraphs() -> st.SearchStrategy[bytes]:
    paragraphs = st.lists(st.sampled_from([*DRILLS, *BUDGET]), min_size=1, max_size=6)
    return paragraphs.map(lambda ps: "".join(f"<p>{p}</p>" for p in ps).encode())


def _meta_charset() -> st.SearchStrategy[bytes]:
    garbage = st.from_regex(r"[A-Za-z0-9._:-]{1,16}", fullmatch=True)
    names = st.one_of(st.sampled_from(CHARSETS), garbage)
    return names.map(lambda name: f'<meta charset="{name}">'.encode())


@st.composite
def hostile_pages(draw: st.DrawFn) -> bytes:
    """HTML pieces (article paragraphs among them), random bytes, NULs, BOMs, charsets that lie,
    deep nesting, sometimes all of it re-encoded: what a crawler gets from the open web."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(HTML_FRAGMENTS).map(lambda s: s.encode("utf-8", "surrogatepass")),
                _meta_charset(),
                _article_paragraphs(),
                st.binary(max_size=24),
                st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE]),
                st.integers(1, 2000).map(lambda n: b"<div>" * n),
                st.integers(1, 300).map(lambda n: b"<b><i><span>" * n),
            ),
            max_size=16,
        )
    )
    content = b"".join(pieces)
    if draw(st.booleans()):  # the whole page in a legacy or wide encoding
        encoding = draw(st.sampled_from(["cp1252", "euc-kr", "shift_jis", "utf-16", "utf-32"]))
        content = content.decode("utf-8", "replace").encode(encoding, "replace")
    return content


def declared_charsets() -> st.SearchStrategy[str | None]:
    """The charset of a Content-Type header (printable header text)."""
    garbage = st.text(string.ascii_letters + string.digits + string.punctuation + "é", max_size=12)
    return st.none() | st.sampled_from(CHARSETS) | garbage


# --- wire-story texts -------------------------------------------------------------------------

STORIES: dict[str, list[str]] = {
    "drills": DRILLS,
    "budget": BUDGET,
    "pmi": PMI,
    "follow-up": FOLLOW_UP,
    "market-mon": market_report("May 6", "2,676.63", "up 12.40", "1,361.00", "210.5"),
    "market-tue": market_report("May 7", "2,734.36", "up 57.73", "1,358.90", "95.3"),
    "local-1": local_story(1),
    "local-2": local_story(2),
}
KOREAN = [
    "정부는 내년 예산안을 확정하고 국방비와 사회보장비를 크게 늘리기로 했다고 밝혔다.",
    "기획재정부 관계자는 경기 둔화에 대응하기 위해 재정 지출을 확대할 필요가 있다고 말했다.",
    "예산안은 다음 달 국회에 제출되며 연말까지 처리될 것으로 예상된다고 관계자는 전했다.",
]
NEW_LEDE = (
    "The story moved again on Friday as officials gave new details, a day after the first "
    "reports, and said more would be known in the coming days."
)
NOTE = "Editor's note: this story was updated with new figures and comments from officials."
TAIL = "Sign up for our morning briefing to get the day's most important stories every weekday."
INTRO = "Here are the main stories from around Asia this morning."


def _copy(draw: st.DrawFn, story: list[str], *, keep: int = 2) -> str:
    """``story`` as an outlet prints it: cut after ``keep`` or more paragraphs, a new lede, an
    editor's note, a newsletter plug, typeset quotes and dashes."""
    paragraphs = list(story[: draw(st.integers(min(keep, len(story)), len(story)))])
    if draw(st.booleans()):
        paragraphs[0] = NEW_LEDE
    if draw(st.booleans()):
        paragraphs.insert(0, NOTE)
    if draw(st.booleans()):
        paragraphs.append(TAIL)
    if draw(st.booleans()):
        paragraphs = [p.replace(" -- ", " \u2014 ").replace("'", "\u2019") for p in paragraphs]
    return "\n\n".join(paragraphs)


def _round_up(draw: st.DrawFn, stories: list[list[str]]) -> str:
    """The first paragraphs of several stories in one text (a round-up, a digest)."""
    paragraphs = [p for story in stories for p in story[: draw(st.integers(1, 4))]]
    if draw(st.booleans()):
        paragraphs.insert(0, INTRO)
    return "\n\n".join(paragraphs)


@st.composite
def wire_texts(draw: st.DrawFn) -> str:
    """An article body: a copy of one story, or now and then a round-up of several."""
    names = sorted(STORIES)
    if draw(st.integers(0, 3)) == 0:
        chosen = draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
        return _round_up(draw, [STORIES[name] for name in chosen])
    return _copy(draw, STORIES[draw(st.sampled_from(names))])


@st.composite
def wire_days(draw: st.DrawFn) -> list[str]:
    """The articles of a few outlets on one day: copies of two or three stories (templated
    reports of other days among them) that keep all but at most the last paragraph."""
    names = draw(st.lists(st.sampled_from(sorted(STORIES)), min_size=2, max_size=3, unique=True))
    articles = []
    for _ in range(draw(st.integers(3, 6))):
        story = STORIES[draw(st.sampled_from(names))]
        articles.append(_copy(draw, story, keep=len(story) - 1))
    return articles


@st.composite
def edited_texts(draw: st.DrawFn) -> str:
    """A wire text, a Korean text or a one-liner, with words or figures edited at random."""
    text = draw(
        st.one_of(
            wire_texts(),
            st.lists(st.sampled_from(KOREAN), min_size=1, max_size=3).map("\n\n".join),
            st.sampled_from([*DRILLS, *PMI]),  # one paragraph: too short to judge
        )
    )
    words = text.split(" ")
    for _ in range(draw(st.integers(0, 4))):
        n = draw(st.integers(0, len(words) - 1))
        words[n] = draw(st.sampled_from(["said", "42", "3.5", "Seoul", "on Monday", ""]))
    return " ".join(words)
