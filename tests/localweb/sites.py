"""The test web: three local outlets built around the two seed pages.

``build_test_web(tmp_path)`` starts one :class:`~tests.localweb.server.LocalSite` per outlet
(each on its own 127.0.0.1 port), writes ``tmp_path / "sources.toml"`` naming their feeds and
sitemaps, and returns a :class:`TestWeb` whose ``expected`` maps every page URL, exactly as the
feed or sitemap yields it (absolute, relative links resolved), to what a correct pipeline must
end with (:class:`Expected`).

Outlets (keys of ``TestWeb.sites`` and of ``[outlets.*]`` in the sources file):

* ``herald`` - The Korea Herald (Asia/Seoul): RSS feed ``/rss/national.xml``; article pages in the
  2021 Korea Herald layout where the dates exist only as the printed "Published : ... Updated :"
  line, an AMP copy, a 404, a PDF, a section listing and a relative link.
* ``yonhap`` - Yonhap News Agency (Asia/Seoul): RSS feed ``/RSS/news.xml``; the original wire
  story the Herald republished (other headline and chrome, same body, JSON-LD NewsArticle) and a
  story that answers 503 + ``Retry-After: 1`` once before it answers 200.
* ``muslimtimes`` - Muslim Times (UTC): WordPress (Sahifa theme + Yoast); a Google News sitemap
  and a sitemap index whose gzip-compressed post sitemap lists the same article again.

The article texts of the seeds are taken from ``../shared/seeds`` (:func:`article_paragraphs`),
never retyped.
"""

from __future__ import annotations

import gzip
import html
import json
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape as xml_escape

import pytest

from tests.localweb.server import LocalSite, Response

__all__ = [
    "Expected",
    "TestWeb",
    "article_paragraphs",
    "build_test_web",
    "require_seeds",
    "seed_boilerplate",
    "seed_lines",
    "seed_title",
    "seeds_dir",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"

# --------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SeedSpec:
    first: str  # the first article paragraph starts with this
    last: str  # the last article paragraph ends with this
    title_before: str | None  # the title is the last line before the line starting with this


_SEEDS: dict[str, _SeedSpec] = {
    # The Korea Herald / Yonhap, 2021-04-06
    "003": _SeedSpec(
        first="The United States takes its defense alliance",
        last="hostile policy. (Yonhap)",
        title_before="By Yonhap",
    ),
    # Muslim Times, 2018-06-14
    "000": _SeedSpec(
        first="Muslim Times(Web Desk) -South Korea says",
        last="much remains hinged on follow-on diplomacy.",
        title_before=None,
    ),
}


def seeds_dir() -> Path:
    """``../shared/seeds`` relative to the repository root."""
    return Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _seed_key(seed: str | int) -> str:
    key = f"{int(seed):03d}" if isinstance(seed, int) else seed.split("_")[0]
    if key not in _SEEDS:
        raise KeyError(f"unknown seed {seed!r}; known: {sorted(_SEEDS)}")
    return key


def _seed_file(seed: str | int) -> Path:
    key = _seed_key(seed)
    matches = sorted(seeds_dir().glob(f"{key}_*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {key}_*.txt in {seeds_dir()}")
    return matches[0]


def require_seeds() -> Path:
    """The seeds directory; skips the calling test when it or a seed file is missing."""
    directory = seeds_dir()
    missing = [key for key in _SEEDS if not list(directory.glob(f"{key}_*.txt"))]
    if not directory.is_dir() or missing:
        pytest.skip(f"../shared/seeds not found: {directory} (missing seeds: {missing})")
    return directory


def seed_lines(seed: str | int) -> list[str]:
    """The non-empty lines of a seed, stripped."""
    text = _seed_file(seed).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _article_span(seed: str | int) -> tuple[int, int]:
    spec = _SEEDS[_seed_key(seed)]
    lines = seed_lines(seed)
    starts = [i for i, line in enumerate(lines) if line.startswith(spec.first)]
    ends = [i for i, line in enumerate(lines) if line.endswith(spec.last)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ValueError(f"seed {seed!r}: article markers not found exactly once")
    return starts[0], ends[0]


def article_paragraphs(seed: str | int) -> list[str]:
    """The article's own paragraphs of a seed ("003" or "000"), without any chrome line."""
    start, end = _article_span(seed)
    return seed_lines(seed)[start : end + 1]


def seed_title(seed: str | int) -> str:
    """The headline as the seed prints it."""
    spec = _SEEDS[_seed_key(seed)]
    lines = seed_lines(seed)
    start, _ = _article_span(seed)
    anchor = start
    if spec.title_before is not None:
        anchor = next(i for i, line in enumerate(lines) if line.startswith(spec.title_before))
    return lines[anchor - 1]


def seed_boilerplate(seed: str | int) -> list[str]:
    """The seed's lines that are neither the title nor article text (chrome, byline, dates)."""
    start, end = _article_span(seed)
    title = seed_title(seed)
    lines = seed_lines(seed)
    outside = lines[:start] + lines[end + 1 :]
    return [line for line in dict.fromkeys(outside) if line != title]


# --------------------------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------------------------


@dataclass
class Expected:
    """What a correct pipeline ends with for one discovered URL."""

    outlet: str
    state: str  # "stored" | "duplicate" | "skipped" | "failed"
    reason: str | None = None  # skipped/failed: "unsupported_type", "not_article", "http_404"
    http_status: int | None = None  # status of the last response
    attempts: int | None = None  # fetch attempts at this URL
    title: str | None = None
    authors: list[str] | None = None
    published_at: datetime | None = None  # UTC
    updated_at: datetime | None = None  # UTC
    section: str | None = None
    language: str | None = None
    paragraphs: list[str] | None = None  # the exact body paragraphs
    chrome: list[str] = field(default_factory=list)  # must NOT appear in the stored body
    duplicate_of: str | None = None  # state duplicate: the ``expected`` key it repeats
    # Extras beyond the brief:
    canonical_url: str | None = None  # the page's rel=canonical (tracking parameters dropped)
    same_story_as: str | None = None  # another outlet's copy of the same wire story (own row)


@dataclass
class TestWeb:
    """The running outlets, their sources file and the expected outcome per URL."""

    __test__ = False  # not a pytest test class

    sources_file: Path
    sites: dict[str, LocalSite]
    expected: dict[str, Expected]

    def stop(self) -> None:
        for site in self.sites.values():
            site.stop()

    def __enter__(self) -> TestWeb:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def site_of(self, url: str) -> LocalSite:
        """The site serving ``url``."""
        for site in self.sites.values():
            if url.startswith(site.base_url + "/"):
                return site
        raise KeyError(url)

    def path_of(self, url: str) -> str:
        """``url`` as its site counts it in ``hits`` (path plus query)."""
        return url[len(self.site_of(url).base_url) :]

    def stored(self) -> dict[str, Expected]:
        return {url: exp for url, exp in self.expected.items() if exp.state == "stored"}


OUTLETS: dict[str, dict[str, str]] = {
    "herald": {"name": "The Korea Herald", "timezone": "Asia/Seoul", "language": "en"},
    "yonhap": {"name": "Yonhap News Agency", "timezone": "Asia/Seoul", "language": "en"},
    "muslimtimes": {"name": "Muslim Times", "timezone": "UTC", "language": "en"},
}

# --------------------------------------------------------------------------------------------
# Invented articles (not from the seeds)
# --------------------------------------------------------------------------------------------

HERALD_SECOND_TITLE = "Weekend farm plots draw record applicants in Gyeonggi"
HERALD_SECOND_PARAGRAPHS = [
    "Applications for weekend farm plots in Gyeonggi Province hit a record high this spring, as "
    "city dwellers tired of social distancing look for ways to spend time outdoors, the "
    "provincial government said Tuesday.",
    "According to the province, some 18,400 households applied for 6,200 plots offered across "
    "21 cities and counties, nearly three times the number of places available. Last year, "
    "the plots drew about 11,000 applications.",
    "Most of the plots measure around 16 square meters and can be rented for the season for "
    "between 30,000 won and 50,000 won ($27-$44). Renters are given seedlings, basic tools and "
    "a short lesson on growing lettuce, peppers and potatoes.",
    '"Many applicants are families with young children who have spent much of the past year '
    'at home," said an official at the province\'s agriculture policy division. "We plan to '
    'add more plots near subway stations next year so that people without cars can take part."',
    "The province said the plots would be run without chemical fertilizers or pesticides, and "
    "that produce left unharvested at the end of October would be donated to local food banks.",
]

YONHAP_RETRY_TITLE = "Seoul keeps Yeouido cherry blossom road closed for 2nd year over virus"
YONHAP_RETRY_PARAGRAPHS = [
    "SEOUL, April 6 (Yonhap) -- The cherry blossom road behind the National Assembly in western "
    "Seoul will stay closed to visitors until next week to keep crowds from gathering amid the "
    "coronavirus pandemic, district officials said Tuesday.",
    "The Yeongdeungpo district office said the 1.7-kilometer stretch of Yeouiseo-ro will remain "
    "shut through April 12, extending a closure that began last week. It is the second year in "
    "a row that the district has called off its spring flower festival.",
    "Instead, a limited number of people who apply online will be allowed to walk the road in "
    "30-minute slots each day, with temperature checks at the entrance.",
    "Health authorities have urged people to avoid crowded outdoor spots this spring, warning "
    "that a rise in travel could lead to a fourth wave of infections.",
]

# --------------------------------------------------------------------------------------------
# Rendering helpers
# --------------------------------------------------------------------------------------------

GIF_1X1 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)

HTML = "text/html; charset=utf-8"
WP_HTML = "text/html; charset=UTF-8"


def _render(template: str, **values: str) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return string.Template(text).substitute(values)


def _esc(text: str) -> str:
    """Escape for a text node (quotes stay as typed, as CMSs print them)."""
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    """Escape for a double-quoted attribute value."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _texturize(text: str) -> str:
    """Escape like WordPress prints post text: typographic characters as numeric entities."""
    out = html.escape(text, quote=False)
    for char in "‘’“”–—…":
        out = out.replace(char, f"&#{ord(char)};")
    return out


def _php_json(data: object) -> str:
    """JSON as PHP's json_encode prints it (\\uXXXX escapes, escaped slashes)."""
    return json.dumps(data, ensure_ascii=True).replace("/", "\\/")


def _herald_dateline(published: str, updated: str) -> str:
    # As the Herald prints it (and the seed shows it): six no-break spaces between the two.
    return f"Published : {published} {'&nbsp;' * 6}Updated : {updated}"


def _herald_body(image_paths: list[str], caption: str, paragraphs: list[str]) -> str:
    """The Herald's 2021 article body: image boxes, then text with <br><br> between paragraphs."""
    parts = [
        '            <figure class="view_img">\n'
        f'              <img src="{path}" alt="">\n'
        f"              <figcaption>{_esc(caption)}</figcaption>\n"
        "            </figure>"
        for path in image_paths
    ]
    text = "<br>\n            <br>\n            ".join(_esc(p) for p in paragraphs)
    parts.append(f"            {text}")
    return "\n".join(parts)


def _amp_body(image_paths: list[str], caption: str, paragraphs: list[str]) -> str:
    parts = [
        "  <figure>\n"
        f'    <amp-img src="{path}" width="640" height="427" layout="responsive" alt="">'
        "</amp-img>\n"
        f"    <figcaption>{_esc(caption)}</figcaption>\n"
        "  </figure>"
        for path in image_paths
    ]
    parts.extend(f"  <p>{_esc(p)}</p>" for p in paragraphs)
    return "\n".join(parts)


def _herald_tags(tags: list[str]) -> str:
    return "\n".join(
        f'            <li><a href="/search/index.php?q={_attr(t)}">#{_esc(t)}</a></li>'
        for t in tags
    )


def _rss_item(
    title: str, link: str, description: str, pub_date: str, guid: str, author: str | None = None
) -> str:
    creator = f"\n<dc:creator>{xml_escape(author)}</dc:creator>" if author else ""
    return (
        "<item>\n"
        f"<title>{xml_escape(title)}</title>\n"
        f"<link>{xml_escape(link)}</link>\n"
        f"<description>{xml_escape(description)}</description>{creator}\n"
        f"<pubDate>{pub_date}</pubDate>\n"
        f'<guid isPermaLink="false">{xml_escape(guid)}</guid>\n'
        "</item>"
    )


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _robots(extra: str = "") -> Response:
    return Response(body="User-agent: *\nAllow: /\n" + extra, content_type="text/plain")


# --------------------------------------------------------------------------------------------
# The outlets
# --------------------------------------------------------------------------------------------

HERALD_FEED = "/rss/national.xml"
HERALD_MAIN = "/view.php?ud=20210406000123"
HERALD_TRACKING = "&utm_source=rss&utm_medium=feed"
HERALD_AMP = "/amp/view.php?ud=20210406000123"
HERALD_GONE = "/view.php?ud=gone"
HERALD_PDF = "/files/report.pdf"
HERALD_LIST = "/list.php?ct=020100000000"
HERALD_SECOND = "/view.php?ud=20210406000456"

YONHAP_FEED = "/RSS/news.xml"
YONHAP_WIRE = "/view/AEN20210406000200325"
YONHAP_RETRY = "/view/AEN20210406009999325"

MT_NEWS_SITEMAP = "/news-sitemap.xml"
MT_SITEMAP_INDEX = "/sitemap_index.xml"
MT_POST_SITEMAP = "/post-sitemap.xml.gz"
MT_ARTICLE = "/south-korea-says-alliance-with-us-as-robust-as-ever/"

HERALD_CHROME_COMMON = [
    "Back To Top",
    "Published :",
    "Updated :",
    "Most popular",
    "Editor's Picks",
    "More from Korea Herald",
    "Copyright Herald Corporation",
    "National",
]


def _build_herald(site: LocalSite, expected: dict[str, Expected]) -> None:
    home = site.base_url
    title = seed_title("003")
    paragraphs = article_paragraphs("003")
    page_title = f"{title} - The Korea Herald"
    canonical = site.url(HERALD_MAIN)
    images = [
        "/content/image/2021/04/06/20210406000123_0.gif",
        "/content/image/2021/04/06/20210406000123_1.gif",
    ]
    for path in images:
        site.add(path, Response(body=GIF_1X1, content_type="image/gif"))
    dateline = _herald_dateline("Apr 6, 2021 - 09:18", "Apr 6, 2021 - 09:18")
    description = paragraphs[0]
    published = _utc(2021, 4, 6, 0, 18)

    main_html = _render(
        "herald_article.html",
        page_title=_attr(page_title),
        description=_attr(description),
        keywords="Pentagon,alliance,John Kirby,North Korea,USFK",
        canonical=_attr(canonical),
        amphtml_link=f'<link rel="amphtml" href="{_attr(site.url(HERALD_AMP))}">',
        og_image=_attr(site.url(images[0])),
        top_date="2021-04-06",
        section="National",
        title=_esc(title),
        byline_query="Yonhap",
        byline="By Yonhap",
        dateline=dateline,
        article_html=_herald_body(images, "(AFP-Yonhap)", paragraphs),
        tags_html=_herald_tags(["Pentagon", "alliance", "NorthKorea"]),
    )
    site.add(HERALD_MAIN, Response(body=main_html, content_type=HTML))
    # A real server ignores the tracking parameters the feed adds.
    site.add(HERALD_MAIN + HERALD_TRACKING, Response(body=main_html, content_type=HTML))

    amp_html = _render(
        "herald_amp.html",
        page_title=_attr(page_title),
        canonical=_attr(canonical),
        description=_attr(description),
        og_image=_attr(site.url(images[0])),
        home=home,
        section="National",
        title=_esc(title),
        byline="By Yonhap",
        dateline=dateline,
        article_html=_amp_body(images, "(AFP-Yonhap)", paragraphs),
    )
    site.add(HERALD_AMP, Response(body=amp_html, content_type=HTML))

    second_image = "/content/image/2021/04/06/20210406000456_0.gif"
    site.add(second_image, Response(body=GIF_1X1, content_type="image/gif"))
    second_caption = (
        "A family tends a weekend farm plot in Goyang. (Gyeonggi Provincial Government)"
    )
    second_html = _render(
        "herald_article.html",
        page_title=_attr(f"{HERALD_SECOND_TITLE} - The Korea Herald"),
        description=_attr(HERALD_SECOND_PARAGRAPHS[0]),
        keywords="weekend farm,Gyeonggi,pandemic",
        canonical=_attr(site.url(HERALD_SECOND)),
        amphtml_link="",
        og_image=_attr(site.url(second_image)),
        top_date="2021-04-06",
        section="National",
        title=_esc(HERALD_SECOND_TITLE),
        byline_query="Kim+Da-sol",
        byline="By Kim Da-sol (ddd@heraldcorp.com)",
        dateline=_herald_dateline("Apr 6, 2021 - 15:42", "Apr 6, 2021 - 17:05"),
        article_html=_herald_body([second_image], second_caption, HERALD_SECOND_PARAGRAPHS),
        tags_html=_herald_tags(["Gyeonggi", "farming"]),
    )
    site.add(HERALD_SECOND, Response(body=second_html, content_type=HTML))

    list_items = [
        (HERALD_MAIN, title, "The United States takes its defense alliance with South Korea ..."),
        (
            HERALD_SECOND,
            HERALD_SECOND_TITLE,
            "Applications for weekend farm plots hit a record ...",
        ),
        ("/view.php?ud=20210406000087", "Seoul mayoral race tightens in final days", "Polls ..."),
        ("/view.php?ud=20210406000061", "Moon to attend Sikmogil tree-planting event", "..."),
        ("/view.php?ud=20210405000781", "Moon calls for all-out virus efforts", "President ..."),
        ("/view.php?ud=20210405000655", "FM Chung, Wang Yi discuss peninsula", "Foreign ..."),
        ("/view.php?ud=20210405000412", "Early voting turnout sets record", "Turnout ..."),
        ("/view.php?ud=20210405000390", "Military to expand reserve training online", "The ..."),
    ]
    items_html = "\n".join(
        f'        <li><a href="{_attr(href)}">'
        f'<div class="main_l_img"><img src="/images/common/noimg.gif" alt=""></div>'
        f'<div class="main_l_t1">{_esc(headline)}</div>'
        f'<div class="main_l_t2">{_esc(snippet)}</div>'
        '<div class="main_l_date">Apr 6, 2021</div></a></li>'
        for href, headline, snippet in list_items
    )
    site.add(
        HERALD_LIST,
        Response(
            body=_render(
                "herald_list.html", canonical=_attr(site.url(HERALD_LIST)), items_html=items_html
            ),
            content_type=HTML,
        ),
    )
    site.add(HERALD_PDF, Response(body=PDF_BYTES, content_type="application/pdf"))
    site.add("/images/common/logo.gif", Response(body=GIF_1X1, content_type="image/gif"))
    site.add("/images/common/noimg.gif", Response(body=GIF_1X1, content_type="image/gif"))
    site.add("/robots.txt", _robots())

    feed_items = [
        _rss_item(title, canonical + HERALD_TRACKING, description,
                  "Tue, 06 Apr 2021 09:18:00 +0900", "20210406000123", "Yonhap"),
        _rss_item(title, site.url(HERALD_AMP), description,
                  "Tue, 06 Apr 2021 09:18:00 +0900", "amp-20210406000123", "Yonhap"),
        _rss_item("Ex-minister questioned over land speculation", site.url(HERALD_GONE),
                  "A former minister appeared for questioning ...",
                  "Tue, 06 Apr 2021 10:02:00 +0900", "gone"),
        _rss_item("[Full text] 2021 national defense white paper summary", site.url(HERALD_PDF),
                  "The summary of the defense white paper (PDF).",
                  "Tue, 06 Apr 2021 11:00:00 +0900", "report-pdf"),
        _rss_item("National", site.url(HERALD_LIST), "Latest National news",
                  "Tue, 06 Apr 2021 12:00:00 +0900", "list-020100000000"),
        _rss_item(HERALD_SECOND_TITLE, HERALD_SECOND, HERALD_SECOND_PARAGRAPHS[0],
                  "Tue, 06 Apr 2021 15:42:00 +0900", "20210406000456", "Kim Da-sol"),
    ]  # fmt: skip
    feed = _render(
        "herald_rss.xml", home=home, feed_url=site.url(HERALD_FEED), items="\n".join(feed_items)
    )
    site.add(
        HERALD_FEED,
        Response(
            body=feed,
            content_type="text/xml; charset=utf-8",
            headers={"ETag": '"national-20210406"', "Cache-Control": "max-age=60"},
        ),
    )

    main_key = canonical + HERALD_TRACKING
    article = {
        "outlet": "herald",
        "http_status": 200,
        "attempts": 1,
        "title": title,
        "authors": ["Yonhap"],
        "published_at": published,
        "updated_at": published,
        "section": "National",
        "language": "en",
        "paragraphs": paragraphs,
        "canonical_url": canonical,
    }
    expected[main_key] = Expected(
        state="stored",
        chrome=[*HERALD_CHROME_COMMON, "date 2021-04-06", "(AFP-Yonhap)", "By Yonhap"],
        **article,  # type: ignore[arg-type]
    )
    expected[site.url(HERALD_AMP)] = Expected(
        state="duplicate",
        duplicate_of=main_key,
        chrome=["(AFP-Yonhap)", "By Yonhap", "Published :", "View full article", "National",
                "Copyright Herald Corporation"],
        **article,  # type: ignore[arg-type]
    )  # fmt: skip
    expected[site.url(HERALD_GONE)] = Expected(
        outlet="herald", state="failed", reason="http_404", http_status=404, attempts=1
    )
    expected[site.url(HERALD_PDF)] = Expected(
        outlet="herald", state="skipped", reason="unsupported_type", http_status=200, attempts=1
    )
    expected[site.url(HERALD_LIST)] = Expected(
        outlet="herald", state="skipped", reason="not_article", http_status=200, attempts=1
    )
    expected[site.url(HERALD_SECOND)] = Expected(
        outlet="herald",
        state="stored",
        http_status=200,
        attempts=1,
        title=HERALD_SECOND_TITLE,
        authors=["Kim Da-sol"],
        published_at=_utc(2021, 4, 6, 6, 42),
        updated_at=_utc(2021, 4, 6, 8, 5),
        section="National",
        language="en",
        paragraphs=HERALD_SECOND_PARAGRAPHS,
        chrome=[
            *HERALD_CHROME_COMMON,
            "By Kim Da-sol",
            "ddd@heraldcorp.com",
            "(Gyeonggi Provincial Government)",
        ],
        canonical_url=site.url(HERALD_SECOND),
    )


YONHAP_WIRE_TITLE = "Pentagon says U.S. takes alliance with S. Korea 'very seriously'"
YONHAP_CHROME_COMMON = [
    "(END)",
    "Keywords",
    "Related Articles",
    "Most Viewed",
    "Latest News",
    "Copyright (C) Yonhap News Agency",
]


def _yonhap_json_ld(
    site: LocalSite, path: str, title: str, description: str, image: str, when: str
) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": site.url(path)},
        "headline": title,
        "description": description,
        "image": {"@type": "ImageObject", "url": site.url(image), "width": 640, "height": 427},
        "datePublished": when,
        "dateModified": when,
        "author": {"@type": "Person", "name": "Yonhap"},
        "publisher": {
            "@type": "Organization",
            "name": "Yonhap News Agency",
            "logo": {"@type": "ImageObject", "url": site.url("/img/en/logo.gif")},
        },
        "articleSection": "National",
        "inLanguage": "en",
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _yonhap_page(
    site: LocalSite,
    path: str,
    title: str,
    paragraphs: list[str],
    image: str,
    caption: str,
    when: str,
    display: str,
    text: str,
    related: list[tuple[str, str]],
) -> str:
    body = [
        '        <div class="image-zone">\n'
        '          <div class="img-con">'
        f'<span class="img"><img src="{image}" alt=""></span></div>\n'
        f'          <div class="desc-con"><p class="desc">{_esc(caption)}</p></div>\n'
        "        </div>"
    ]
    body.extend(f"        <p>{_esc(p)}</p>" for p in paragraphs)
    return _render(
        "yonhap_article.html",
        title=_esc(title),
        description=_attr(paragraphs[0][:160]),
        keywords="Pentagon,alliance,Kirby",
        canonical=_attr(site.url(path)),
        og_image=_attr(site.url(image)),
        json_ld=_yonhap_json_ld(site, path, title, paragraphs[0][:160], image, when),
        section="National",
        published_display=display,
        published_text=text,
        article_html="\n".join(body),
        keywords_html="\n".join(
            f'          <li><a href="/search/index?query={k}">#{k}</a></li>'
            for k in ("Pentagon", "alliance", "Kirby")
        ),
        related_html="\n".join(
            f'          <li><a href="{href}">{_esc(headline)}</a></li>'
            for href, headline in related
        ),
    )


def _build_yonhap(site: LocalSite, expected: dict[str, Expected], herald_key: str) -> None:
    paragraphs = article_paragraphs("003")
    wire_image = "/photo/yna/YH/2021/04/06/PYH2021040600010034000_P4.gif"
    retry_image = "/photo/yna/YH/2021/04/06/PYH2021040602350001300_P4.gif"
    for path in (wire_image, retry_image, "/img/en/logo.gif"):
        site.add(path, Response(body=GIF_1X1, content_type="image/gif"))
    wire_caption = "This AP file photo shows Pentagon Press Secretary John Kirby. (Yonhap)"
    wire_related = [
        ("/view/AEN20210405000400325", "N. Korea slams joint drills as rehearsal for invasion"),
        ("/view/AEN20210402000251325", "U.S. still reviewing N. Korea policy: State Dept."),
    ]
    wire_html = _yonhap_page(
        site, YONHAP_WIRE, YONHAP_WIRE_TITLE, paragraphs, wire_image, wire_caption,
        "2021-04-06T09:18:00+09:00", "2021-04-06 09:18", "09:18 April 06, 2021", wire_related,
    )  # fmt: skip
    site.add(YONHAP_WIRE, Response(body=wire_html, content_type=HTML))
    retry_caption = "Cherry trees line the closed Yeouiseo-ro in Seoul on April 5, 2021. (Yonhap)"
    retry_html = _yonhap_page(
        site, YONHAP_RETRY, YONHAP_RETRY_TITLE, YONHAP_RETRY_PARAGRAPHS, retry_image,
        retry_caption, "2021-04-06T11:30:00+09:00", "2021-04-06 11:30", "11:30 April 06, 2021",
        [("/view/AEN20200323004400315", "Yeouido spring flower festival canceled over virus")],
    )  # fmt: skip
    unavailable = (
        "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
        "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    site.add_sequence(
        YONHAP_RETRY,
        [
            Response(body=unavailable, status=503, headers={"Retry-After": "1"}),
            Response(body=retry_html, content_type=HTML),
        ],
    )
    site.add("/robots.txt", _robots())
    items = [
        _rss_item(YONHAP_WIRE_TITLE, site.url(YONHAP_WIRE), paragraphs[0],
                  "Tue, 06 Apr 2021 09:18:00 +0900", "AEN20210406000200325"),
        _rss_item(YONHAP_RETRY_TITLE, site.url(YONHAP_RETRY), YONHAP_RETRY_PARAGRAPHS[0],
                  "Tue, 06 Apr 2021 11:30:00 +0900", "AEN20210406009999325"),
    ]  # fmt: skip
    site.add(
        YONHAP_FEED,
        Response(
            body=_render("yonhap_rss.xml", home=site.base_url, items="\n".join(items)),
            content_type="application/rss+xml; charset=UTF-8",
        ),
    )
    wire_published = _utc(2021, 4, 6, 0, 18)
    expected[site.url(YONHAP_WIRE)] = Expected(
        outlet="yonhap",
        state="stored",
        http_status=200,
        attempts=1,
        title=YONHAP_WIRE_TITLE,
        authors=["Yonhap"],
        published_at=wire_published,
        updated_at=wire_published,
        section="National",
        language="en",
        paragraphs=paragraphs,
        chrome=[*YONHAP_CHROME_COMMON, "This AP file photo shows", "NATIONAL"],
        canonical_url=site.url(YONHAP_WIRE),
        same_story_as=herald_key,
    )
    retry_published = _utc(2021, 4, 6, 2, 30)
    expected[site.url(YONHAP_RETRY)] = Expected(
        outlet="yonhap",
        state="stored",
        http_status=200,
        attempts=2,
        title=YONHAP_RETRY_TITLE,
        authors=["Yonhap"],
        published_at=retry_published,
        updated_at=retry_published,
        section="National",
        language="en",
        paragraphs=YONHAP_RETRY_PARAGRAPHS,
        chrome=[*YONHAP_CHROME_COMMON, "Cherry trees line the closed", "503 Service"],
        canonical_url=site.url(YONHAP_RETRY),
    )


MT_AUTHOR = "Muslim Times"  # the WordPress user the site posts as ("About Muslim Times" box)
MT_PUBLISHED = "2018-06-14T17:02:11+00:00"


def _build_muslimtimes(site: LocalSite, expected: dict[str, Expected]) -> None:
    home = site.base_url
    title = seed_title("000")
    paragraphs = article_paragraphs("000")
    url = site.url(MT_ARTICLE)
    image = "/wp-content/uploads/2018/06/south-korea-us-alliance-650x366.gif"
    for path in (image, "/wp-content/uploads/2017/02/logo.png"):
        site.add(path, Response(body=GIF_1X1, content_type="image/gif"))
    page_title = f"{title} - Muslim Times"
    person_id = f"{home}/#/schema/person/5f2b0c1e8a4d7f3b9c6e1a2d4b8f0e37"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Organization",
                "@id": f"{home}/#organization",
                "name": "Muslim Times",
                "url": f"{home}/",
                "sameAs": [
                    "https://www.facebook.com/muslimtimes",
                    "https://twitter.com/muslimtimes",
                ],
                "logo": {
                    "@type": "ImageObject",
                    "@id": f"{home}/#logo",
                    "url": f"{home}/wp-content/uploads/2017/02/logo.png",
                    "caption": "Muslim Times",
                },
                "image": {"@id": f"{home}/#logo"},
            },
            {
                "@type": "WebSite",
                "@id": f"{home}/#website",
                "url": f"{home}/",
                "name": "Muslim Times",
                "inLanguage": "en-US",
                "publisher": {"@id": f"{home}/#organization"},
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": f"{home}/?s={{search_term_string}}",
                    "query-input": "required name=search_term_string",
                },
            },
            {
                "@type": "ImageObject",
                "@id": f"{url}#primaryimage",
                "inLanguage": "en-US",
                "url": site.url(image),
                "width": 650,
                "height": 366,
            },
            {
                "@type": "WebPage",
                "@id": f"{url}#webpage",
                "url": url,
                "name": page_title,
                "isPartOf": {"@id": f"{home}/#website"},
                "primaryImageOfPage": {"@id": f"{url}#primaryimage"},
                "datePublished": MT_PUBLISHED,
                "dateModified": MT_PUBLISHED,
                "inLanguage": "en-US",
                "potentialAction": [{"@type": "ReadAction", "target": [url]}],
            },
            {
                "@type": "Article",
                "@id": f"{url}#article",
                "isPartOf": {"@id": f"{url}#webpage"},
                "author": {"@id": person_id},
                "headline": title,
                "datePublished": MT_PUBLISHED,
                "dateModified": MT_PUBLISHED,
                "commentCount": 0,
                "mainEntityOfPage": {"@id": f"{url}#webpage"},
                "publisher": {"@id": f"{home}/#organization"},
                "image": {"@id": f"{url}#primaryimage"},
                "articleSection": "International News",
                "inLanguage": "en-US",
            },
            {
                "@type": ["Person"],
                "@id": person_id,
                "name": MT_AUTHOR,
                "image": {
                    "@type": "ImageObject",
                    "@id": f"{home}/#personlogo",
                    "inLanguage": "en-US",
                    "url": "https://secure.gravatar.com/avatar/0c7d5b1b3f4a2e6d?s=96&d=mm&r=g",
                    "caption": MT_AUTHOR,
                },
            },
        ],
    }
    article_html = "\n".join(f"<p>{_texturize(p)}</p>" for p in paragraphs)
    page = _render(
        "muslimtimes_article.html",
        home=home,
        page_title=_texturize(page_title),
        description=_attr(paragraphs[0][:155]),
        canonical=_attr(url),
        section="International News",
        date_published=MT_PUBLISHED,
        date_modified=MT_PUBLISHED,
        og_image=_attr(site.url(image)),
        json_ld=_php_json(graph),
        post_id="48213",
        title=_texturize(title),
        author=MT_AUTHOR,
        author_slug="muslimtimes",
        date_display="June 14, 2018",
        article_html=article_html,
    )
    site.add(MT_ARTICLE, Response(body=page, content_type=WP_HTML))

    news_url = (
        "<url>\n"
        f"\t<loc>{xml_escape(url)}</loc>\n"
        "\t<news:news>\n"
        "\t\t<news:publication>\n"
        "\t\t\t<news:name>Muslim Times</news:name>\n"
        "\t\t\t<news:language>en</news:language>\n"
        "\t\t</news:publication>\n"
        f"\t\t<news:publication_date>{MT_PUBLISHED}</news:publication_date>\n"
        f"\t\t<news:title>{xml_escape(title)}</news:title>\n"
        "\t\t<news:keywords>South Korea, United States, alliance</news:keywords>\n"
        "\t</news:news>\n"
        "\t<image:image>\n"
        f"\t\t<image:loc>{xml_escape(site.url(image))}</image:loc>\n"
        "\t</image:image>\n"
        "</url>"
    )
    xml = "text/xml; charset=UTF-8"
    site.add(
        MT_NEWS_SITEMAP,
        Response(
            body=_render("muslimtimes_news_sitemap.xml", home=home, urls=news_url), content_type=xml
        ),
    )
    sitemaps = "\n".join(
        f"\t<sitemap>\n\t\t<loc>{xml_escape(site.url(path))}</loc>\n"
        f"\t\t<lastmod>{MT_PUBLISHED}</lastmod>\n\t</sitemap>"
        for path in (MT_POST_SITEMAP, MT_NEWS_SITEMAP)
    )
    site.add(
        MT_SITEMAP_INDEX,
        Response(
            body=_render("muslimtimes_sitemap_index.xml", home=home, sitemaps=sitemaps),
            content_type=xml,
        ),
    )
    post_url = (
        f"\t<url>\n\t\t<loc>{xml_escape(url)}</loc>\n\t\t<lastmod>{MT_PUBLISHED}</lastmod>\n"
        f"\t\t<image:image>\n\t\t\t<image:loc>{xml_escape(site.url(image))}</image:loc>\n"
        "\t\t</image:image>\n\t</url>"
    )
    post_xml = _render("muslimtimes_post_sitemap.xml", home=home, urls=post_url)
    site.add(
        MT_POST_SITEMAP,
        Response(
            body=gzip.compress(post_xml.encode("utf-8"), mtime=0), content_type="application/x-gzip"
        ),
    )
    site.add(
        "/robots.txt",
        Response(
            body="User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {site.url(MT_SITEMAP_INDEX)}\n",
            content_type="text/plain; charset=utf-8",
        ),
    )

    published = datetime.fromisoformat(MT_PUBLISHED).astimezone(UTC)
    expected[url] = Expected(
        outlet="muslimtimes",
        state="stored",
        http_status=200,
        attempts=1,
        title=title,
        authors=[MT_AUTHOR],
        published_at=published,
        updated_at=published,
        section="International News",
        language="en",
        paragraphs=paragraphs,
        chrome=[
            "OpenCart Templates",
            "Home / International News",
            "About Muslim Times",
            "Check Also",
            "Nigerians hold rally",
            "Dozens of Nigerians",
            "Leave a Reply",
            "Related Articles",
            "Popular News",
            "417 Views",
            "All Rights Reserved",
        ],
        canonical_url=url,
    )


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def _sources_toml(sites: dict[str, LocalSite]) -> str:
    sources: dict[str, list[tuple[str, str, str]]] = {
        "herald": [("feed", sites["herald"].url(HERALD_FEED), "10m")],
        "yonhap": [("feed", sites["yonhap"].url(YONHAP_FEED), "10m")],
        "muslimtimes": [
            ("sitemap", sites["muslimtimes"].url(MT_NEWS_SITEMAP), "10m"),
            ("sitemap", sites["muslimtimes"].url(MT_SITEMAP_INDEX), "1h"),
        ],
    }
    chunks: list[str] = []
    for key, meta in OUTLETS.items():
        chunks.append(
            f"[outlets.{key}]\n"
            f"name = {_toml_str(meta['name'])}\n"
            f"timezone = {_toml_str(meta['timezone'])}\n"
            f"language = {_toml_str(meta['language'])}\n"
        )
        for kind, url, every in sources[key]:
            chunks.append(
                f"[[outlets.{key}.sources]]\n"
                f"kind = {_toml_str(kind)}\n"
                f"url = {_toml_str(url)}\n"
                f"every = {_toml_str(every)}\n"
            )
    return "\n".join(chunks)


def build_test_web(tmp_path: Path) -> TestWeb:
    """Start the three outlets, write ``tmp_path / "sources.toml"``; stop() the result when done.

    Needs the seeds (call :func:`require_seeds` first to skip cleanly when they are absent).
    """
    sites = {key: LocalSite(key) for key in OUTLETS}
    try:
        for site in sites.values():
            site.start()
        expected: dict[str, Expected] = {}
        _build_herald(sites["herald"], expected)
        herald_key = sites["herald"].url(HERALD_MAIN) + HERALD_TRACKING
        _build_yonhap(sites["yonhap"], expected, herald_key)
        _build_muslimtimes(sites["muslimtimes"], expected)
        sources_file = Path(tmp_path) / "sources.toml"
        sources_file.write_text(_sources_toml(sites), encoding="utf-8")
    except BaseException:
        for site in sites.values():
            site.stop()
        raise
    return TestWeb(sources_file=sources_file, sites=sites, expected=expected)
