"""The chaos suite's web: a few hundred articles over six outlets, wire stories copied across them.

Each outlet is a real HTTP server on 127.0.0.1 with an RSS feed of its pages. Twenty-four wire
stories are republished by two to four outlets each, under their own headlines, some trimmed or
with an editor's note; every other article is a local story of one outlet. Two links are not
articles, so that a crawl also ends URLs in ``failed`` and ``skipped``: a page gone (404) and a
video. The design fixes which pages form one story (``expected_groups``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tests.localweb.server import LocalSite, Response
from tests.localweb.wire import Page, local_story, page_html

OUTLETS = ("herald", "times", "post", "courier", "gazette", "tribune")
WIRE_STORIES = 24
LOCAL_PER_OUTLET = 32
GONE = ("herald", "/news/withdrawn")  # offered, answers 404: failed
VIDEO = ("times", "/video/briefing.mp4")  # offered, not HTML: skipped
EDITORS_NOTE = "Editor's note: this story was updated with comments from officials."


@dataclass(frozen=True)
class ChaosWeb:
    sites: dict[str, LocalSite]
    sources_file: Path
    pages: list[Page]
    groups: list[set[tuple[str, str]]]  # (outlet, path) of the pages of one story

    def url(self, outlet: str, path: str) -> str:
        return self.sites[outlet].url(path)

    def article_urls(self) -> set[str]:
        return {self.url(page.outlet, page.path) for page in self.pages}

    def offered_urls(self) -> set[str]:
        """Every link the feeds offer: the articles, the page gone and the video."""
        return self.article_urls() | {self.url(*GONE), self.url(*VIDEO)}

    def expected_groups(self) -> set[frozenset[str]]:
        return {frozenset(self.url(o, p) for o, p in group) for group in self.groups}


def _pages(seed: int = 7) -> tuple[list[Page], list[set[tuple[str, str]]]]:
    rng = random.Random(seed)
    pages: list[Page] = []
    groups: list[set[tuple[str, str]]] = []
    for story in range(WIRE_STORIES):
        text = local_story(10_000 + story, paragraphs=6)
        day = 1 + story % 27
        copies = rng.sample(OUTLETS, rng.randint(2, 4))
        group = set()
        for n, outlet in enumerate(copies):
            paragraphs = list(text)
            if n % 3 == 1:
                paragraphs = paragraphs[:-1]  # a trimmed copy
            elif n % 3 == 2:
                paragraphs = [EDITORS_NOTE, *paragraphs]
            path = f"/wire/{story}"
            pages.append(
                Page(outlet, path, f"Wire story {story}: {outlet} headline", paragraphs,
                     f"2024-03-{day:02d}T{8 + n:02d}:00:00+09:00", "Yonhap")
            )  # fmt: skip
            group.add((outlet, path))
        groups.append(group)
    for o, outlet in enumerate(OUTLETS):
        for n in range(LOCAL_PER_OUTLET):
            path = f"/local/{n}"
            seed_of_story = 100 * o + n
            pages.append(
                Page(outlet, path, f"Local news {seed_of_story}", local_story(seed_of_story),
                     f"2024-03-{1 + n % 27:02d}T07:00:00+09:00")
            )  # fmt: skip
            groups.append({(outlet, path)})
    return pages, groups


@contextmanager
def chaos_web(tmp_path: Path) -> Iterator[ChaosWeb]:
    """Start the six outlets; their feeds list their pages and links in a shuffled order."""
    pages, groups = _pages()
    rng = random.Random(11)
    with ExitStack() as stack:
        sites = {name: stack.enter_context(LocalSite(name)) for name in OUTLETS}
        toml = []
        for name, site in sites.items():
            site.add("/robots.txt", "User-agent: *\nAllow: /\n")
            own = [page for page in pages if page.outlet == name]
            for page in own:
                site.add(page.path, page_html(page, site))
            links = [site.url(page.path) for page in own]
            for outlet, path in (GONE, VIDEO):
                if outlet == name:
                    links.append(site.url(path))
            if name == VIDEO[0]:
                site.add(VIDEO[1], Response(b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4"))
            rng.shuffle(links)
            items = "".join(f"<item><title>t</title><link>{escape(u)}</link></item>" for u in links)
            site.add(
                "/feed.xml",
                Response(
                    f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>',
                    content_type="application/rss+xml",
                ),
            )
            toml.append(
                f'[outlets.{name}]\nname = "The {name.title()}"\ntimezone = "Asia/Seoul"\n'
                f"request_delay = 0.02\n"
                f'[[outlets.{name}.sources]]\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
            )
        sources_file = tmp_path / "chaos-sources.toml"
        sources_file.write_text("\n".join(toml))
        yield ChaosWeb(sites, sources_file, pages, groups)
