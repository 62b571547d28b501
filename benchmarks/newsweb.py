"""A local news web for the throughput benchmark: many outlets, each a LocalSite, with article
pages in full site chrome and wire stories that several outlets carry.

Each host is one outlet with an RSS feed (even hosts) or a Google News sitemap (odd hosts)
listing its pages. A page is ``tests.localweb.wire.page_html`` (one of its three chromes, the
story in ``<article>``) dressed the way news sites are: head metadata, a stylesheet and an
analytics script inline, JSON-LD, a mega menu, a breaking-news ticker, ad slots, a teaser grid
of the outlet's other headlines (other on every page), a most-read list, a newsletter box and a
link-heavy footer: 50-80 KB of HTML, of which the story is 3-5 KB of text (the zyte-dev pages
of ``../shared/corpus`` weigh 115 KB at the median).

Stories are ``local_story`` texts, each on one outlet, except for a share of wire stories (a
dateline and an agency) that 2 to 4 outlets carry, each copy edited the way outlets do (its own
headline, the tail cut, an editor's note, other typography, the dateline dropped), and a few
print editions of a page naming the page as canonical. So the store's duplicate detection and
story grouping do real work: lookups that find candidates, verification, joining stories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from tests.localweb.server import LocalSite, Response
from tests.localweb.wire import Page, local_story, page_html

CHROMES = ("herald", "times", "post")  # page_html's three site templates
AGENCIES = ("Yonhap", "Kyodo", "AP", "Reuters", "AFP")
CITIES = ("SEOUL", "TOKYO", "BEIJING", "LONDON", "WASHINGTON", "PARIS")
SECTIONS = ("News", "World", "Business", "Sport", "Culture", "Opinion", "Science", "Travel")
BASE_TIME = datetime(2024, 3, 3, tzinfo=UTC)


@dataclass(frozen=True)
class WebPage:
    host: int
    path: str
    body: bytes  # the HTML as served (UTF-8)
    kind: str  # local | wire | print


@dataclass
class NewsWeb:
    sites: list[LocalSite]
    pages: list[WebPage]
    sources_file: Path
    wire_stories: int = 0
    outlets: list[str] = field(default_factory=list)  # outlet key of each host
    names: list[str] = field(default_factory=list)  # outlet name of each host

    def url(self, page: WebPage) -> str:
        return self.sites[page.host].url(page.path)

    def stop(self) -> None:
        for site in self.sites:
            site.stop()


def outlet_key(host: int) -> str:
    return f"site{host:02d}"


def outlet_name(host: int) -> str:
    return f"The {CHROMES[host % len(CHROMES)].title()} {host:02d}"


def headline(paragraphs: list[str], rng: random.Random) -> str:
    words = paragraphs[0].split(" -- ")[-1].split()
    start = rng.randrange(0, 4)
    return " ".join(words[start : start + rng.randint(6, 10)]).rstrip(",.").capitalize()


def _when(minutes: float) -> str:
    return (BASE_TIME + timedelta(minutes=minutes)).isoformat()


def _edit(paragraphs: list[str], edit: str) -> list[str]:
    """One outlet's edit of a wire story."""
    if edit == "trimmed":
        return paragraphs[: max(3, len(paragraphs) * 3 // 4)]
    if edit == "note":
        return ["Editor's note: this story was updated with more details.", *paragraphs]
    if edit == "typeset":
        return [p.replace(" -- ", " \u2014 ").replace("'", "\u2019") for p in paragraphs]
    if edit == "undated":
        first = paragraphs[0].split(" -- ", 1)[-1]
        return [first[0].upper() + first[1:], *paragraphs[1:]]
    return paragraphs


def plan(pages: int, hosts: int, wire_share: float, seed: int) -> tuple[list[list[Page]], int]:
    """The pages of each host (``Page`` of tests.localweb.wire) and the number of wire stories."""
    rng = random.Random(seed)
    capacity = [pages // hosts + (1 if h < pages % hosts else 0) for h in range(hosts)]
    per_host: list[list[Page]] = [[] for _ in range(hosts)]

    def add(host: int, title: str, paragraphs: list[str], published: str, author: str,
            canonical: str | None = None, path: str | None = None) -> Page:  # fmt: skip
        n = len(per_host[host])
        page = Page(
            CHROMES[host % len(CHROMES)], path or f"/news/{host}-{n}", title, paragraphs,
            published, author, canonical,
        )  # fmt: skip
        per_host[host].append(page)
        return page

    wire_left, stories = int(pages * wire_share), 0
    while wire_left >= 2:
        open_hosts = [h for h in range(hosts) if len(per_host[h]) < capacity[h]]
        copies = min(rng.randint(2, 4), wire_left, len(open_hosts))
        if copies < 2:
            break
        agency, minute = rng.choice(AGENCIES), rng.uniform(0, 2880)
        text = local_story(1_000_000 + stories, rng.randint(7, 12))
        text[0] = f"{rng.choice(CITIES)}, March 3 ({agency}) -- {text[0]}"
        for host in rng.sample(open_hosts, copies):
            edit = rng.choice(("as is", "trimmed", "note", "typeset", "undated"))
            add(host, headline(text, rng), _edit(text, edit), _when(minute + rng.uniform(0, 180)),
                agency)  # fmt: skip
        wire_left -= copies
        stories += 1
    seed_no = 0
    for host in range(hosts):
        while len(per_host[host]) < capacity[host]:
            seed_no += 1
            text = local_story(seed * 10_000_000 + seed_no, rng.randint(6, 12))
            title, when = headline(text, rng), _when(rng.uniform(0, 2880))
            page = add(host, title, text, when, "Staff reporter")
            if rng.random() < 0.01 and len(per_host[host]) < capacity[host]:
                # A print edition naming the page as its canonical: one article, two URLs.
                add(host, title, [*text, "Printed from our website for personal use."], when,
                    "Staff reporter", canonical=page.path,
                    path=page.path.replace("/news/", "/print/"))  # fmt: skip
        rng.shuffle(per_host[host])
    return per_host, stories


def _head(host: int, page: Page, site: LocalSite, rng: random.Random) -> str:
    css = "".join(
        f".c{host}-{i}{{margin:{i % 7}px {i % 5}px;padding:{i % 3}px;color:#{i * 7919 % 4096:03x};"
        f"font-size:{12 + i % 9}px;line-height:1.{i % 9}}}"
        for i in range(300)
    )
    script = "window.dataLayer=window.dataLayer||[];" + "".join(
        f'dataLayer.push({{"event":"config","slot":"ad-{host}-{i}","sizes":[[300,250],[728,90]],'
        f'"targeting":{{"section":"{SECTIONS[i % len(SECTIONS)].lower()}","pos":{i}}}}});'
        for i in range(150)
    )
    ld = (
        '{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{escape(page.title)}","datePublished":"{page.published}",'
        f'"author":{{"@type":"Person","name":"{escape(page.author)}"}},'
        f'"publisher":{{"@type":"Organization","name":"{outlet_name(host)}"}},'
        f'"image":"{site.url("/img/" + page.path.rsplit("/", 1)[-1] + ".jpg")}"}}'
    )
    return (
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="description" content="{escape(page.paragraphs[0][:150])}">'
        f'<meta property="og:site_name" content="{outlet_name(host)}">'
        f'<meta property="og:type" content="article"><meta name="twitter:card" content="summary">'
        f'<link rel="stylesheet" href="/static/site-{host}.css"><style>{css}</style>'
        f"<script>{script}</script>"
        f'<script type="application/ld+json">{ld}</script>'
    )


def _menu(host: int) -> str:
    columns = "".join(
        f'<div class="menu-col"><h4><a href="/{s.lower()}">{s}</a></h4><ul>'
        + "".join(
            f'<li><a href="/{s.lower()}/topic-{i}">{s} topic {i} of outlet {host}</a></li>'
            for i in range(14)
        )
        + "</ul></div>"
        for s in SECTIONS
    )
    return f'<nav class="mega-menu" aria-label="Sections">{columns}</nav>'


def _ticker(titles: list[str]) -> str:
    items = "".join(f'<li><a href="/live/{i}">{escape(t)}</a></li>' for i, t in enumerate(titles))
    return f'<div class="ticker"><span>Breaking</span><ul>{items}</ul></div>'


def _teasers(host: int, titles: list[str], rng: random.Random) -> str:
    cards = "".join(
        f'<div class="teaser"><a href="/news/{host}-x{i}"><img src="/img/t{i}.jpg" '
        f'alt="{escape(t)}" width="300" height="200"></a><h4><a href="/news/{host}-x{i}">'
        f'{escape(t)}</a></h4><p class="summary">{escape(t)}: what we know so far, and what '
        f'happens next.</p><span class="time">{rng.randint(1, 59)} minutes ago</span></div>'
        for i, t in enumerate(titles[:8])
    )
    read = "".join(f'<li><a href="/most-read/{i}">{escape(t)}</a></li>' for i, t in
                   enumerate(titles[8:18]))  # fmt: skip
    return (
        f'<section class="more-stories"><h3>More stories</h3>{cards}</section>'
        f'<aside class="most-read"><h3>Most read</h3><ol>{read}</ol></aside>'
        '<div class="newsletter"><h3>Newsletter</h3><p>The day\'s headlines in your inbox every '
        'morning.</p><form><input type="email" placeholder="Email"><button>Sign up</button>'
        "</form></div>"
    )


def _ad(host: int, slot: int) -> str:
    return (
        f'<div class="ad-slot" id="ad-{host}-{slot}" data-ad-unit="/1234/{host}/{slot}">'
        "<span>Advertisement</span></div>"
    )


def _footer(host: int) -> str:
    columns = "".join(
        f'<div class="footer-col"><h5>{s}</h5><ul>'
        + "".join(f'<li><a href="/{s.lower()}/{i}">{s} {i}</a></li>' for i in range(10))
        + "</ul></div>"
        for s in SECTIONS[:6]
    )
    return (
        f'<div class="site-footer">{columns}<p class="legal">{outlet_name(host)} is published '
        "by a company registered in England and Wales. Terms of use, privacy policy, cookie "
        "settings, accessibility, contact us, advertise, corrections, syndication.</p></div>"
    )


def dress(host: int, page: Page, site: LocalSite, others: list[str], seed: int) -> str:
    """``page_html`` of the page with a news site's chrome around its story."""
    rng = random.Random(f"{seed}-{host}-{page.path}")
    titles = rng.sample(others, min(len(others), 23))
    html = page_html(page, site)
    html = html.replace("</head>", _head(host, page, site, rng) + "</head>", 1)
    html = html.replace("<main>", _menu(host) + _ticker(titles[18:23]) + _ad(host, 0) + "<main>", 1)
    html = html.replace(
        "</article>",
        "</article>" + _ad(host, 1) + _teasers(host, titles, rng) + _ad(host, 2),
        1,
    )
    return html.replace("</body>", _footer(host) + "</body>", 1)


def _listing(host: int, site: LocalSite, pages: list[Page]) -> tuple[str, Response]:
    if host % 2 == 0:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{site.url(p.path)}</link>"
            f"<pubDate>{p.published}</pubDate></item>"
            for p in pages
        )
        channel = f"<title>{outlet_name(host)}</title>{items}"
        body = f'<rss version="2.0"><channel>{channel}</channel></rss>'
        return "/feed.xml", Response(body, content_type="application/rss+xml")
    urls = "".join(
        f"<url><loc>{site.url(p.path)}</loc><news:news><news:publication><news:name>"
        f"{outlet_name(host)}</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{p.published}</news:publication_date><news:title>"
        f"{escape(p.title)}</news:title></news:news></url>"
        for p in pages
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )
    return "/news-sitemap.xml", Response(body, content_type="application/xml")


def build(pages: int, hosts: int, directory: Path, *, wire_share: float = 0.2,
          seed: int = 1) -> NewsWeb:  # fmt: skip
    """Start ``hosts`` LocalSites serving ``pages`` pages in all, and write a sources file for
    them (rate limits lifted: ``request_delay = 0``)."""
    per_host, stories = plan(pages, hosts, wire_share, seed)
    web = NewsWeb([], [], directory / "sources.toml", stories)
    toml = []
    try:
        for host, own in enumerate(per_host):
            site = LocalSite(outlet_key(host)).start()
            web.sites.append(site)
            web.outlets.append(outlet_key(host))
            web.names.append(outlet_name(host))
            site.add("/robots.txt", "User-agent: *\nAllow: /\n")
            titles = [p.title for p in own]
            for page in own:
                body = dress(host, page, site, titles, seed).encode()
                site.add(page.path, Response(body))
                kind = (
                    "print" if page.canonical_path else "wire" if page.author in AGENCIES
                    else "local"
                )  # fmt: skip
                web.pages.append(WebPage(host, page.path, body, kind))
            listing, response = _listing(host, site, own)
            site.add(listing, response)
            toml.append(
                f'[outlets.{outlet_key(host)}]\nname = "{outlet_name(host)}"\n'
                f'timezone = "Asia/Seoul"\nrequest_delay = 0\n'
                f"[[outlets.{outlet_key(host)}.sources]]\n"
                f'kind = "{"feed" if host % 2 == 0 else "sitemap"}"\n'
                f'url = "{site.url(listing)}"\nevery = "1h"\n'
            )
        web.sources_file.write_text("\n".join(toml))
    except BaseException:
        web.stop()
        raise
    return web
