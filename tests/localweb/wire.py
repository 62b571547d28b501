"""A syndicated test web: three outlets carrying overlapping wire stories, each in its own chrome.

Every outlet republishes some wire stories the way real outlets do (its own headline, a trimmed
tail, an editor's note, other typography, no dateline) beside stories of its own, and the web
holds the hard negatives: templated market reports with other figures, a follow-up quoting two
paragraphs, a "News in brief" round-up quoting three stories. ``expected_groups`` says which
pages are one story; ``variants`` which URLs are another URL of an article of the same outlet.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from tests.localweb.server import LocalSite, Response

DRILLS = [
    "SEOUL, March 3 (Yonhap) -- South Korea and the United States will hold their annual "
    "springtime combined military exercise next week, with a focus on countering the North's "
    "growing missile threats, the defense ministry said Thursday.",
    "The 11-day Freedom Shield exercise will begin on March 11 and involve about 48 field "
    "training programs, up from 24 last year, ministry spokesperson Jeon Ha-kyu told reporters.",
    "The drills are designed to strengthen the allies' joint defense posture against a range of "
    "threats, including nuclear and missile attacks, cyber operations and drone incursions.",
    "North Korea has long denounced the joint exercises as a rehearsal for invasion and has often "
    "responded with weapons tests, including launches of short-range ballistic missiles.",
    "The ministry said the allies would also practice responses to possible provocations near "
    "the maritime border in the Yellow Sea, where deadly clashes took place in past years.",
    "About 10,000 South Korean troops are expected to take part, along with an undisclosed "
    "number of American service members stationed in the South and elsewhere in the region.",
    "Officials said the exercise would include a large-scale river-crossing drill and a "
    "combined air assault operation, both of which were scaled down during diplomacy in 2018.",
    "The United States stations about 28,500 troops in South Korea as a legacy of the 1950-53 "
    "Korean War, which ended in an armistice, not a peace treaty, leaving the two Koreas "
    "technically at war.",
]

BUDGET = [
    "TOKYO, March 3 (Kyodo) -- Japan's Cabinet approved a record 114 trillion yen budget for the "
    "next fiscal year on Friday, driven by rising defense and social security costs.",
    "The budget includes 7.9 trillion yen for defense, up 16.5 percent from this year, as the "
    "government pushes ahead with plans to double spending within five years.",
    "Social security spending is set to reach 37.7 trillion yen as the population ages, while "
    "debt servicing costs will climb to 27 trillion yen on higher interest rates.",
    "Tax revenue is projected to hit a record 69.6 trillion yen, but the government will still "
    "rely on new bond issuance of 35.6 trillion yen to cover about a third of spending.",
    "Finance Minister Shunichi Suzuki told a news conference that the government would keep "
    "working toward a primary budget surplus, although many economists doubt the target.",
    "The budget will be submitted to parliament in January and is expected to pass by the end of "
    "March, as the ruling coalition holds a majority in both chambers of the Diet.",
]

PMI = [
    "BEIJING, March 3 (Xinhua) -- China's factory activity expanded for the first time in six "
    "months in February, an official survey showed on Friday, beating market expectations.",
    "The official manufacturing purchasing managers' index rose to 50.2 from 49.2 in January, "
    "the National Bureau of Statistics said, above the 50-point mark that separates growth from "
    "contraction.",
    "Economists said the rebound reflected stronger domestic demand after the Lunar New Year "
    "holiday, although new export orders remained weak amid sluggish global growth.",
    "The non-manufacturing index, which covers services and construction, climbed to 51.4 from "
    "50.7, its highest reading since the middle of last year, the bureau said.",
    "Large state-owned firms led the recovery, while smaller private manufacturers reported "
    "that orders were still falling and that they were struggling to raise prices.",
    "Analysts expect the central bank to keep monetary policy loose in the coming months to "
    "support the recovery, with another cut to banks' reserve requirements seen as possible.",
]

FOLLOW_UP = [
    "North Korea on Saturday warned of 'overwhelming' countermeasures after Seoul and Washington "
    "announced their largest field drills in years, raising fears of new weapons tests.",
    DRILLS[1],
    "A spokesperson for the North's defense ministry said in a statement carried by the state "
    "news agency that the drills were an open declaration of hostility against the country.",
    DRILLS[3],
    "Analysts in Seoul said the North could test a solid-fuel missile or attempt a satellite "
    "launch in the coming weeks to show its displeasure with the exercise and with sanctions.",
    "Pyongyang has launched more than 20 missiles since January, according to Seoul's military, "
    "and its leader has vowed to expand the country's nuclear arsenal exponentially this year.",
]


def market_report(day: str, kospi: str, change: str, won: str, foreign: str) -> list[str]:
    return [
        f"SEOUL, {day} (Yonhap) -- Seoul shares closed at {kospi} on Tuesday, {change} points "
        f"from the previous session, as investors weighed U.S. inflation data.",
        f"The benchmark Korea Composite Stock Price Index (KOSPI) ended at {kospi}. Trading "
        f"volume was moderate at 412 million shares worth 8.2 trillion won.",
        f"Foreign investors sold a net {foreign} billion won worth of stocks, while individuals "
        f"and institutions were net buyers, data from the bourse showed.",
        f"The local currency closed at {won} won against the U.S. dollar, the Bank of Korea said, "
        f"as the dollar traded mixed against major currencies in Asian trading.",
    ]


_SUBJECTS = [
    "The city council", "Local residents", "The regional transport authority", "Farmers",
    "The school board", "Hospital managers", "The harbour master", "Library volunteers",
    "Shop owners", "The fire brigade", "A group of students", "The football club",
]  # fmt: skip
_TOWNS = [
    "Northbridge", "Elmsworth", "Kirkhaven", "Ashford Vale", "Marlow Green", "Stonefield",
    "Westmere", "Oakport", "Redcliff", "Fallowdale", "Brightwater", "Hollins Cross",
]  # fmt: skip
_VERBS = [
    "approved", "rejected", "debated", "postponed", "welcomed", "criticised", "announced",
    "reviewed", "questioned", "celebrated",
]  # fmt: skip
_OBJECTS = [
    "a plan to repair the old stone bridge", "longer opening hours for the covered market",
    "a budget for new street lighting", "the closure of a rural bus line",
    "a proposal to plant trees along the river", "plans for a new sports hall",
    "a study of traffic near the primary school", "the sale of the former post office",
    "a festival of local music in the park", "a scheme to insulate public housing",
    "the hiring of two more nurses for the clinic", "a ban on parking in the market square",
]  # fmt: skip
_TAILS = [
    "on Monday evening", "after a long public meeting", "despite objections from neighbours",
    "in a vote that surprised many", "following months of complaints", "with little debate",
    "after an inspection last week", "as costs continued to rise",
]  # fmt: skip


def local_story(seed: int, paragraphs: int = 5) -> list[str]:
    """A distinct local story (shares no more than chance wording with any other seed)."""
    rng = random.Random(seed)
    return [
        " ".join(
            f"{rng.choice(_SUBJECTS)} in {rng.choice(_TOWNS)} {rng.choice(_VERBS)} "
            f"{rng.choice(_OBJECTS)} {rng.choice(_TAILS)}, {rng.randint(2, 90)} people said."
            for _ in range(3)
        )
        for _ in range(paragraphs)
    ]


@dataclass(frozen=True)
class Page:
    outlet: str
    path: str
    title: str
    paragraphs: list[str]
    published: str
    author: str = "Staff reporter"
    canonical_path: str | None = None


def _typeset(paragraphs: list[str]) -> list[str]:
    """Curly quotes and real dashes, as a CMS that "smartens" text prints them."""
    return [
        p.replace(" -- ", " \u2014 ").replace("'", "\u2019").replace("1950-53", "1950\u201353")
        for p in paragraphs
    ]


def _undated(paragraphs: list[str]) -> list[str]:
    first, *rest = paragraphs
    return [first.split(" -- ", 1)[1][0].upper() + first.split(" -- ", 1)[1][1:], *rest]


MARKET_MON = market_report("May 6", "2,676.63", "up 12.40", "1,361.00", "210.5")
MARKET_TUE = market_report("May 7", "2,734.36", "up 57.73", "1,358.90", "95.3")
NEWSLETTER = (
    "Sign up for The Post's morning briefing to get the day's most important stories delivered "
    "to your inbox before breakfast, every weekday."
)

PAGES = [
    # The Herald: wire copies under its own headlines, a print edition of one, local news.
    Page("herald", "/news/drills", "Allies to hold largest spring drills in years", DRILLS,
         "2024-03-03T10:12:00+09:00", "Yonhap"),
    Page("herald", "/print/drills", "Allies to hold largest spring drills in years",
         [*DRILLS, "Printed from the Herald's website for personal use."],
         "2024-03-03T10:12:00+09:00", "Yonhap"),
    Page("herald", "/news/budget", "Japan approves record budget", BUDGET,
         "2024-03-03T11:30:00+09:00", "Kyodo"),
    Page("herald", "/news/market-may-6", "Seoul shares close higher", MARKET_MON,
         "2024-05-06T15:40:00+09:00", "Yonhap"),
    Page("herald", "/news/local-1", "Council business", local_story(1),
         "2024-03-03T09:00:00+09:00"),
    Page("herald", "/news/local-2", "Town news", local_story(2), "2024-03-03T09:30:00+09:00"),
    # The Times: a trimmed copy, the PMI story, the next day's market report, a round-up.
    Page("times", "/2024/03/03/spring-drills", "Seoul, Washington set dates for drills",
         DRILLS[:4], "2024-03-03T02:05:00Z", "Yonhap"),
    Page("times", "/2024/03/03/china-pmi", "China factories grow again", PMI,
         "2024-03-03T03:00:00Z", "Xinhua"),
    Page("times", "/2024/05/07/markets", "KOSPI extends gains", MARKET_TUE,
         "2024-05-07T06:41:00Z", "Yonhap"),
    Page("times", "/2024/03/03/briefing", "News in brief",
         ["Here are the main stories from around Asia this morning.",
          *DRILLS[:2], *BUDGET[:2], *PMI[:2]], "2024-03-03T08:00:00Z"),
    Page("times", "/2024/03/03/local", "Around the region", local_story(3),
         "2024-03-03T04:00:00Z"),
    # The Post: typeset and annotated copies, a rolling update, a follow-up story.
    Page("post", "/world/allies-drills", "Allies plan drills amid missile threats",
         ["Editor's note: this story was updated with the number of troops taking part.",
          *_typeset(DRILLS), NEWSLETTER], "2024-03-03T12:00:00+09:00", "Yonhap"),
    Page("post", "/world/japan-budget", "Tokyo's spending plan hits new high",
         [*_undated(BUDGET), NEWSLETTER], "2024-03-03T13:00:00+09:00", "Kyodo"),
    Page("post", "/world/china-factories", "Chinese factory activity rebounds",
         ["Chinese manufacturing returned to growth in February for the first time since "
          "August, official figures released on Friday showed, in a boost for Beijing.",
          *PMI[1:], NEWSLETTER], "2024-03-03T14:00:00+09:00", "Xinhua"),
    Page("post", "/world/north-warns", "North Korea warns of response to drills",
         [*FOLLOW_UP, NEWSLETTER], "2024-03-04T09:00:00+09:00", "Post staff"),
]  # fmt: skip

EXPECTED_GROUPS: list[set[tuple[str, str]]] = [
    {("herald", "/news/drills"), ("times", "/2024/03/03/spring-drills"),
     ("post", "/world/allies-drills")},
    {("herald", "/news/budget"), ("post", "/world/japan-budget")},
    {("times", "/2024/03/03/china-pmi"), ("post", "/world/china-factories")},
    {("herald", "/news/market-may-6")},
    {("times", "/2024/05/07/markets")},
    {("times", "/2024/03/03/briefing")},
    {("post", "/world/north-warns")},
    {("herald", "/news/local-1")},
    {("herald", "/news/local-2")},
    {("times", "/2024/03/03/local")},
]  # fmt: skip
# Two URLs of one article of an outlet (a print edition that names itself canonical): whichever
# arrives first is stored, the other ends as its duplicate. (outlet, path) -> the other path.
VARIANTS = {("herald", "/print/drills"): "/news/drills"}

_CHROME = {
    "herald": (
        '<header class="site-header"><a href="/">The Herald</a><nav><a href="/news">News</a>'
        '<a href="/sport">Sport</a><a href="/opinion">Opinion</a></nav></header>'
        '<div class="breadcrumbs"><a href="/">Home</a> &raquo; <a href="/news">News</a></div>',
        '<div class="share">Share on Facebook Share on X Copy link</div>'
        '<aside class="related"><h3>Related posts</h3><ul><li><a href="/news/other">Rates on '
        'hold as inflation eases</a></li><li><a href="/news/more">Storm closes ports</a></li>'
        "</ul></aside>",
        "<footer><p>About the Herald: independent news since 1952.</p><p>© 2024 The Herald. "
        "All rights reserved.</p></footer>",
    ),
    "times": (
        '<table width="100%"><tr><td class="masthead"><a href="/">THE TIMES</a> | '
        '<a href="/world">World</a> | <a href="/business">Business</a></td></tr></table>',
        '<table><tr><td class="more">Read more: <a href="/2024/03/02/x">Yesterday\'s top '
        "stories</a></td></tr></table>",
        "<table><tr><td><small>Copyright 2024 The Times. Terms | Privacy</small></td></tr></table>",
    ),
    "post": (
        '<header><div class="nav"><a href="/">The Post</a> <a href="/world">World</a> '
        '<a href="/subscribe">Subscribe</a></div></header>',
        '<div class="newsletter-box">Get our newsletter</div><section class="comments">'
        "<h3>Comments</h3><p>Sign in to join the conversation.</p></section>",
        '<footer><a href="/about">About us</a> <a href="/contact">Contact</a></footer>',
    ),
}


def page_html(page: Page, site: LocalSite) -> str:
    header, after, footer = _CHROME.get(page.outlet, _CHROME["post"])
    canonical = site.url(page.canonical_path or page.path)
    body = "".join(f"<p>{escape(p)}</p>" for p in page.paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(page.title)} | The {page.outlet.title()}</title>"
        f'<link rel="canonical" href="{canonical}">'
        f'<meta property="og:title" content="{escape(page.title)}">'
        f'<meta property="article:published_time" content="{page.published}">'
        f'<meta name="author" content="{escape(page.author)}"></head><body>{header}'
        f'<main><article><h1>{escape(page.title)}</h1><p class="byline">By '
        f"{escape(page.author)}</p>{body}</article>{after}</main>{footer}</body></html>"
    )


@dataclass
class WireWeb:
    sites: dict[str, LocalSite]
    sources_file: Path
    pages: list[Page] = field(default_factory=lambda: list(PAGES))

    def __post_init__(self) -> None:
        self._bases = {name: site.base_url for name, site in self.sites.items()}

    def url(self, outlet: str, path: str) -> str:
        """The page's URL (known after the sites stop, for checks made afterwards)."""
        return self._bases[outlet] + path

    def expected_groups(self) -> set[frozenset[str]]:
        return {frozenset(self.url(o, p) for o, p in group) for group in EXPECTED_GROUPS}

    def variants(self) -> dict[str, str]:
        return {self.url(o, p): self.url(o, original) for (o, p), original in VARIANTS.items()}

    def same_article(self, url: str) -> str:
        """The URL standing for the article ``url`` is a variant of (itself if none)."""
        return self.variants().get(url, url)

    def article_urls(self) -> list[str]:
        return [self.url(page.outlet, page.path) for page in self.pages]


@contextmanager
def wire_web(
    tmp_path: Path, order_seed: int = 0, pages: list[Page] | None = None
) -> Iterator[WireWeb]:
    """Start the outlets of ``pages`` (the syndicated web by default); their feeds list the pages
    in an order given by ``order_seed``."""
    pages = PAGES if pages is None else pages
    with ExitStack() as stack:
        sites = {
            name: stack.enter_context(LocalSite(name))
            for name in dict.fromkeys(page.outlet for page in pages)
        }
        toml = []
        rng = random.Random(order_seed)
        for name, site in sites.items():
            site.add("/robots.txt", "User-agent: *\nAllow: /\n")
            own = [page for page in pages if page.outlet == name]
            rng.shuffle(own)
            items = "".join(
                f"<item><title>{escape(p.title)}</title><link>{site.url(p.path)}</link></item>"
                for p in own
            )
            site.add(
                "/feed.xml",
                Response(
                    f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>',
                    content_type="application/rss+xml",
                ),
            )
            for page in own:
                site.add(page.path, page_html(page, site))
            toml.append(
                f'[outlets.{name}]\nname = "The {name.title()}"\ntimezone = "Asia/Seoul"\n'
                f'[[outlets.{name}.sources]]\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
            )
        sources_file = tmp_path / "wire-sources.toml"
        sources_file.write_text("\n".join(toml))
        yield WireWeb(sites, sources_file, list(pages))


def stored_groups(database_url: str, web: WireWeb) -> set[frozenset[str]]:
    """The stored articles' URLs (a variant named by its article's), grouped by story."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from worker.storage.db import make_engine
    from worker.storage.models import Article

    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.execute(select(Article.story_id, Article.url)).all()
    engine.dispose()
    groups: dict[int, set[str]] = {}
    for story_id, url in rows:
        groups.setdefault(story_id, set()).add(web.same_article(url))
    return {frozenset(urls) for urls in groups.values()}


# A small web for operator commands: two outlets, one shared wire story, four local ones.
TWO_OUTLETS = [
    Page("herald", "/news/drills", "Allies to hold spring drills", DRILLS,
         "2024-03-03T10:00:00+09:00"),
    Page("herald", "/news/local-1", "Council business", local_story(1),
         "2024-03-03T09:00:00+09:00"),
    Page("herald", "/news/local-2", "Town news", local_story(2), "2024-03-03T09:30:00+09:00"),
    Page("post", "/world/drills", "US, South Korea plan drills", DRILLS,
         "2024-03-03T11:00:00+09:00"),
    Page("post", "/local/3", "Harbour works", local_story(3), "2024-03-03T12:00:00+09:00"),
]  # fmt: skip
