"""End-to-end extraction of realistic CMS pages: every field asserted exactly."""

from __future__ import annotations

import contextlib
import json
import unicodedata
from datetime import UTC, datetime

import pytest

from tests.extraction.support import GERMAN_PARAGRAPHS, read_page, shared_dir
from worker.errors import ExtractionError, NotAnArticle
from worker.extraction import ExtractedArticle, extract_article
from worker.extraction.body import extract_blocks

KH_URL = "http://www.koreaherald.com/view.php?ud=20210406000088&np=1"
WP_URL = "https://muslimtimes.info/2018/06/14/south-korea-says-alliance-with-us-as-robust-as-ever/"
GRAPH_URL = "https://www.rheinblick.example/politik/radwegenetz-100.html?utm_source=feed"

# Lines of site chrome in the test pages; none may reach a body.
CHROME = (
    "Back To Top",
    "National",
    "By Yonhap",
    "Published",
    "(AFP-Yonhap)",
    "Related Articles",
    "Most Popular",
    "Subscribe",
    "Copyright",
    "Facebook",
    "OpenCart Templates",
    "Home /",
    "International News",
    "About Muslim Times",
    "Check Also",
    "Nigerians hold rally",
    "Leave a Reply",
    "newsletter",
    "Photo by AFP",
    "All Rights Reserved",
)


def paragraphs(article: ExtractedArticle) -> list[str]:
    return article.body.split("\n\n")


def assert_no_chrome(body: str) -> None:
    for line in body.split("\n\n"):
        for chrome in CHROME:
            assert chrome.lower() not in line.lower() or len(line) > 200, (chrome, line)


@pytest.fixture(scope="module")
def kh_article() -> ExtractedArticle:
    html = read_page("korea_herald_style.html")
    return extract_article(html, KH_URL, timezone="Asia/Seoul", language="en")


@pytest.fixture(scope="module")
def wp_article() -> ExtractedArticle:
    return extract_article(read_page("wordpress_yoast.html"), WP_URL, timezone="Asia/Karachi")


@pytest.fixture(scope="module")
def graph_article() -> ExtractedArticle:
    html = read_page("graph_newsarticle.html")
    return extract_article(html, GRAPH_URL, timezone="Europe/Berlin", language="en")


class TestKoreaHeraldStyle:
    """No JSON-LD: byline and dates come from the markup and the visible text."""

    @pytest.fixture
    def article(self, kh_article: ExtractedArticle) -> ExtractedArticle:
        return kh_article

    def test_metadata(self, article: ExtractedArticle) -> None:
        assert article.title == (
            "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman"
        )
        assert article.authors == ["Yonhap"]
        assert article.published_at == datetime(2021, 4, 6, 0, 18, tzinfo=UTC)
        assert article.updated_at == datetime(2021, 4, 6, 0, 18, tzinfo=UTC)
        assert article.language == "en"
        assert article.canonical_url == "http://www.koreaherald.com/view.php?ud=20210406000088"
        assert article.section == "National"
        assert article.description == (
            "The United States takes its defense alliance with South Korea very seriously, "
            "a Pentagon spokesman said Monday."
        )
        assert article.image_url == (
            "http://www.koreaherald.com/common_prog/newsimage/20210406000089_0.jpg"
        )
        assert article.site_name == "The Korea Herald"

    def test_provenance(self, article: ExtractedArticle) -> None:
        assert article.provenance == {
            "authors": "markup",
            "body": "heuristic",
            "canonical_url": "meta",
            "description": "meta",
            "image_url": "meta",
            "language": "markup",
            "published_at": "heuristic",
            "section": "markup",
            "site_name": "meta",
            "title": "meta",
            "updated_at": "heuristic",
        }

    def test_body_is_the_article_paragraphs(self, article: ExtractedArticle) -> None:
        expected = read_page("korea_herald_style.body.txt").strip()
        assert article.body == expected
        assert len(paragraphs(article)) == 9
        assert paragraphs(article)[-1].endswith("a hostile policy. (Yonhap)")
        assert_no_chrome(article.body)

    def test_body_matches_the_seed_text(self, article: ExtractedArticle) -> None:
        seed = shared_dir("seeds") / "003_43cab179e36489cb.txt"
        lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines()]
        start = lines.index(paragraphs(article)[0])
        assert [line for line in lines[start:] if line] == paragraphs(article)

    def test_unmarked_byline_comes_from_the_text(self) -> None:
        html = read_page("korea_herald_style.html")
        for name in ("view_tit_byline_l", "view_tit_byline_r", "view_tit_byline"):
            html = html.replace(f'class="{name}"', "")
        article = extract_article(html, KH_URL, timezone="Asia/Seoul")
        assert article.authors == ["Yonhap"]
        assert article.provenance["authors"] == "heuristic"
        assert article.published_at == datetime(2021, 4, 6, 0, 18, tzinfo=UTC)
        assert article.body == read_page("korea_herald_style.body.txt").strip()

    def test_without_timezone_the_printed_time_is_utc(self) -> None:
        article = extract_article(read_page("korea_herald_style.html"), KH_URL)
        assert article.published_at == datetime(2021, 4, 6, 9, 18, tzinfo=UTC)


class TestWordPressYoast:
    """Yoast @graph JSON-LD with @id references, WordPress theme chrome around the post."""

    @pytest.fixture
    def article(self, wp_article: ExtractedArticle) -> ExtractedArticle:
        return wp_article

    def test_metadata(self, article: ExtractedArticle) -> None:
        assert article.title == "South Korea says alliance with US ‘as robust as ever’"
        assert article.authors == ["Amina Rahman"]
        assert article.published_at == datetime(2018, 6, 14, 13, 25, 37, tzinfo=UTC)
        assert article.updated_at == datetime(2018, 6, 14, 13, 40, 2, tzinfo=UTC)
        assert article.language == "en"
        assert article.canonical_url == WP_URL
        assert article.section == "International News"
        assert article.description == (
            "South Korea says its alliance with the United States remains “as robust as ever,” "
            "two days after US President Donald Trump suggested that he would end the US’s "
            "annual war games."
        )
        assert article.image_url == (
            "https://muslimtimes.info/wp-content/uploads/2018/06/kang-pompeo-kono.jpg"
        )
        assert article.site_name == "Muslim Times"

    def test_provenance(self, article: ExtractedArticle) -> None:
        assert article.provenance == {
            "authors": "json-ld",
            "body": "heuristic",
            "canonical_url": "meta",
            "description": "meta",
            "image_url": "json-ld",
            "language": "json-ld",
            "published_at": "json-ld",
            "section": "json-ld",
            "site_name": "json-ld",
            "title": "json-ld",
            "updated_at": "json-ld",
        }

    def test_body_is_the_post_without_theme_chrome(self, article: ExtractedArticle) -> None:
        assert article.body == read_page("wordpress_yoast.body.txt").strip()
        assert len(paragraphs(article)) == 16
        assert_no_chrome(article.body)

    def test_body_matches_the_seed_text(self, article: ExtractedArticle) -> None:
        seed = shared_dir("seeds") / "000_590f7964106db202.txt"
        text = seed.read_text(encoding="utf-8")
        for paragraph in paragraphs(article):
            assert paragraph in text


class TestJsonLdGraph:
    """NewsArticle inside @graph: typed list, author list, image list, references, offsets."""

    @pytest.fixture
    def article(self, graph_article: ExtractedArticle) -> ExtractedArticle:
        return graph_article

    def test_metadata(self, article: ExtractedArticle) -> None:
        assert article.title == "Stadtrat beschließt neues Radwegenetz"
        assert article.authors == ["Anna Beispiel", "Jonas Muster"]
        assert article.published_at == datetime(2021, 3, 2, 6, 30, tzinfo=UTC)
        assert article.updated_at == datetime(2021, 3, 2, 8, 5, tzinfo=UTC)
        assert article.language == "de"
        assert (
            article.canonical_url == "https://www.rheinblick.example/politik/radwegenetz-100.html"
        )
        assert article.section == "Politik"
        assert article.description == (
            "Nach monatelanger Debatte hat der Stadtrat den Ausbau von 40 Kilometern Radwegen "
            "beschlossen."
        )
        assert article.image_url == "https://www.rheinblick.example/bilder/radweg-1200.jpg"
        assert article.site_name == "Rheinblick"
        assert set(article.provenance.values()) == {"json-ld", "heuristic"}
        assert article.provenance["body"] == "heuristic"

    def test_subheadings_lists_and_quotes_are_paragraphs(self, article: ExtractedArticle) -> None:
        assert paragraphs(article) == [
            "Nach monatelanger Debatte hat der Stadtrat am Montagabend den Ausbau des städtischen "
            "Radwegenetzes beschlossen. In den kommenden fünf Jahren sollen rund 40 Kilometer "
            "neue Radwege entstehen, viele davon baulich von der Fahrbahn getrennt.",
            "Die Entscheidung fiel mit 31 zu 18 Stimmen. Die Verwaltung hatte den Plan im "
            "vergangenen Herbst vorgelegt und seitdem in mehreren Bürgerversammlungen vorgestellt.",
            "Was sich für Autofahrer ändert",
            "Auf drei Hauptstraßen fällt je eine Fahrspur weg. Dort sollen breite Radstreifen "
            "entstehen, die durch Poller gesichert werden. Die Verwaltung rechnet mit längeren "
            "Fahrzeiten zu den Stoßzeiten.",
            "Rheinallee zwischen Hafen und Bahnhof",
            "Nordring ab der Stadthalle",
            "Marktstraße in der Altstadt",
            "Wir holen nach, was jahrzehntelang versäumt wurde.",
            "Mit diesen Worten verteidigte die Verkehrsdezernentin das Vorhaben gegen Kritik aus "
            "der Opposition. Die Kosten werden auf 62 Millionen Euro geschätzt, gut die Hälfte "
            "soll aus Förderprogrammen des Landes kommen.",
        ]


class TestNotAnArticle:
    def test_listing_page(self) -> None:
        html = read_page("listing.html")
        with pytest.raises(NotAnArticle) as caught:
            extract_article(html, "https://tribune.example.com/category/international/")
        assert caught.value.reason == "not_article"
        assert "listing" in str(caught.value)

    @pytest.mark.parametrize(
        "html",
        [
            "",
            "   ",
            "<html><head><title>Home</title></head><body></body></html>",
            "<html><body><nav><a href='/a'>A</a> <a href='/b'>B</a></nav></body></html>",
            "<html><body><article><h1>Stub</h1><p>Only one short sentence here.</p>"
            "</article></body></html>",
        ],
        ids=["empty", "blank", "no-body", "only-links", "stub"],
    )
    def test_pages_without_a_body(self, html: str) -> None:
        with pytest.raises(NotAnArticle):
            extract_article(html, "https://example.com/page")

    POST = (
        "Heute Abend auf dem Balkon: der erste warme Abend des Jahres. Die Nachbarn grillen, "
        "und irgendwo spielt jemand Gitarre."
    )

    def short_post(self, head: str, text: str) -> str:
        return (
            f"<html><head><title>Balkon</title>{head}</head><body><header><a href='/'>Blog</a>"
            "</header><div class='post'><h1>Balkon</h1><div class='entry'><p>"
            f"{text}</p></div></div><footer>Impressum</footer></body></html>"
        )

    def test_a_short_post_is_an_article_when_the_page_says_it_is_one(self) -> None:
        declared = '<meta property="og:type" content="article">'
        article = extract_article(self.short_post(declared, self.POST), "https://b.example/p")
        assert article.body == self.POST and article.title == "Balkon"
        with pytest.raises(NotAnArticle):  # an undeclared page needs three sentences or so
            extract_article(self.short_post("", self.POST), "https://b.example/p")
        with pytest.raises(NotAnArticle):  # a teaser cut short is no short article
            extract_article(
                self.short_post(declared, self.POST[:-1] + " ..."), "https://b.example/p"
            )

    def test_a_list_article_keeps_its_own_text_when_the_page_declares_an_article(self) -> None:
        """Its items link to the site's own pages like a section front's teasers. Precision
        mode finds the introduction; balanced mode, tried because that is short, finds the
        items and sees a listing. That verdict must not throw away a declared article."""
        intro = (
            "<p>Cheap and easy costumes are all that matter this Halloween, and you do not need "
            "to spend a fortune to look the part at the party this year.</p><p>Check out the "
            "best homemade ideas below and get crafty with what is already in your wardrobe, "
            "your kitchen drawers and the recycling bin by the door.</p>"
        )
        items = "".join(
            f'<div class="slide"><h2><a href="/living/costume-{n}">Costume idea {n}</a></h2>'
            f"<p>Idea {n}: a costume you can make in an evening from an old sheet, a marker pen "
            "and a little patience, with a mask cut from the morning's cereal box.</p></div>"
            for n in range(1, 9)
        )

        def html(kind: str) -> str:
            return (
                f'<html lang="en"><head><meta property="og:type" content="{kind}">'
                "<title>Costume ideas</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>Costume ideas</h1>{intro}{items}</article></body></html>"
            )

        article = extract_article(html("article"), "https://style.example/living/costumes")
        assert article.body.startswith("Cheap and easy costumes")
        assert "Costume idea" not in article.body
        with pytest.raises(NotAnArticle, match="listing"):  # undeclared: a section front
            extract_article(html("website"), "https://style.example/living/costumes")

    def test_a_short_body_holding_most_of_the_page_is_not_extracted_twice(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A short precision-mode body is retried in balanced mode, which is kept only when it
        finds twice the text. When the body already holds over half the text outside the
        page's nav, aside and footer, that could only be chrome: no second extraction. With
        as much text again elsewhere on the page, the retry runs."""
        calls: list[bool] = []

        def counting(*args: object, **options: object) -> object:
            calls.append(bool(options.get("favor_precision")))
            return extract_blocks(*args, **options)  # type: ignore[arg-type]

        monkeypatch.setattr("worker.extraction.article.extract_blocks", counting)
        story = "".join(
            f"<p>Paragraph {n}: the council voted on Tuesday to keep the old library open for "
            "another year while the town looks for money to repair its roof.</p>"
            for n in range(1, 6)
        )
        menu = "".join(f"<a href='/s/{n}'>Section number {n} of the site</a>" for n in range(80))
        other = "".join(
            f"<div class='note'>Reader note {n}: the opening hours change in the summer, when "
            "the reading room closes an hour earlier on every weekday.</div>"
            for n in range(12)
        )

        def html(extra: str) -> str:
            return (
                f"<html lang='en'><head><title>Library</title></head><body><nav>{menu}</nav>"
                f"<article><h1>Library stays open</h1>{story}</article>{extra}"
                f"<footer>{menu}</footer></body></html>"
            )

        article = extract_article(html(""), "https://town.example/library")
        assert article.body.startswith("Paragraph 1:") and article.body.endswith("its roof.")
        assert calls == [True]
        calls.clear()
        extract_article(html(f"<div class='notes'>{other}</div>"), "https://town.example/library")
        assert calls == [True, False]

    def test_link_lists_only(self) -> None:
        links = "".join(
            f'<li><a href="/news/{i}">Headline number {i} about something else entirely</a></li>'
            for i in range(60)
        )
        html = f"<html><body><main><h1>Latest news</h1><ul>{links}</ul></main></body></html>"
        with pytest.raises(NotAnArticle):
            extract_article(html, "https://example.com/latest")


class TestStructuredBodyFallback:
    """A script-rendered page: markup has no text, JSON-LD carries the whole articleBody."""

    BODY = (
        "The city council approved the new budget on Tuesday after a nine-hour session.\n"
        "The plan raises spending on schools by four percent and freezes most fees.\n"
        "Opposition members said the budget relies on optimistic revenue forecasts and "
        "warned of cuts next year."
    )

    def page(self, body: str) -> str:
        return (
            '<html><head><script type="application/ld+json">'
            '{"@context": "https://schema.org", "@type": "NewsArticle", '
            '"headline": "Council approves budget", "inLanguage": "en", '
            f'"articleBody": "{body}"'.replace("\n", "\\n")
            + '}</script></head><body><div id="root"></div>'
            "<script>render()</script></body></html>"
        )

    def test_article_body_is_used_when_markup_has_none(self) -> None:
        article = extract_article(self.page(self.BODY), "https://example.com/budget")
        assert article.body == self.BODY.replace("\n", "\n\n")
        assert article.provenance["body"] == "json-ld"
        assert article.title == "Council approves budget"

    def test_truncated_article_body_is_not_used(self) -> None:
        with pytest.raises(NotAnArticle):
            extract_article(self.page(self.BODY[:200] + "..."), "https://example.com/budget")


class TestHostileInput:
    """Arbitrary bytes, truncation, deep nesting: NotAnArticle/ExtractionError or a result."""

    @pytest.mark.parametrize(
        "html",
        [
            "\x00\x01\x02<html>\x00</html>",
            "<html><body><p>\ud800 lone surrogate</p></body></html>",
            '<?xml version="1.0" encoding="utf-8"?><rss><channel><item>x</item></channel></rss>',
            "http://example.com/looks-like-a-url",
            bytes(range(256)).decode("latin-1") * 400,
            (bytes(range(128, 256)) * 300).decode("utf-8", "replace"),
            "<html><body>" + "<div>" * 20000 + "text" + "</div>" * 20000 + "</body></html>",
            "<html><body><article>" + "<span class='x'>" * 20000 + "text. " * 50,
            '<script type="application/ld+json">' + "[" * 50000 + "</script>",
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": [1], '
            '"author": {"@id": 5}, "datePublished": {"x": 1}, "image": [[[]]], "@graph": 3}'
            "</script><p>x</p>",
        ],
        ids=[
            "nul-bytes",
            "surrogate",
            "xml-feed",
            "url-text",
            "binary",
            "binary-utf8",
            "deep-divs",
            "deep-unclosed-spans",
            "deep-json",
            "odd-json-ld",
        ],
    )
    def test_never_raises_anything_else(self, html: str) -> None:
        with contextlib.suppress(ExtractionError):
            extract_article(html, "https://example.com/a", timezone="Asia/Seoul")

    def test_truncated_page_keeps_the_paragraphs_it_has(self) -> None:
        html = read_page("korea_herald_style.html")
        cut = html.index("The US currently has some")
        article = extract_article(html[:cut], KH_URL, timezone="Asia/Seoul")
        expected = read_page("korea_herald_style.body.txt").split("\n\n")[:6]
        assert paragraphs(article) == expected
        assert article.authors == ["Yonhap"]

    def test_unknown_timezone_is_an_extraction_error(self) -> None:
        with pytest.raises(ExtractionError, match="timezone"):
            extract_article(read_page("korea_herald_style.html"), KH_URL, timezone="Mars/Base")

    def test_a_self_closed_html_tag_keeps_the_page(self) -> None:
        """libxml2 ends the document at ``<html lang="de"/>``: the body would be lost."""
        html = (
            '<!DOCTYPE html>\n<html lang="de"/>\n<head><title>Haushalt</title></head><body>'
            f"<article><h1>Haushalt beschlossen</h1>{GERMAN_PARAGRAPHS}</article></body></html>"
        )
        article = extract_article(html, "https://example.com/haushalt")
        assert article.title == "Haushalt beschlossen"
        assert article.language == "de"

    def test_a_malformed_doctype_is_no_text_and_hides_no_language(self) -> None:
        """libxml2 reads "< ! DOCTYPE html/>" as text, and the <html lang> after it is lost."""
        html = (
            '< ! DOCTYPE html/>\n<html lang="de"><head><title>Haushalt</title></head><body>'
            f"<article><h1>Haushalt beschlossen</h1>{GERMAN_PARAGRAPHS}</article></body></html>"
        )
        article = extract_article(html, "https://example.com/haushalt")
        assert "DOCTYPE" not in article.body
        assert (article.language, article.provenance["language"]) == ("de", "markup")

    @pytest.mark.parametrize("stray_end_tags", [0, 150], ids=["clean", "after-150-parse-errors"])
    def test_an_article_after_a_sidebar_that_leaves_a_div_open_is_kept(
        self, stray_end_tags: int
    ) -> None:
        """A browser's ``</aside>`` closes the widget's div; libxml2 ignores it and the article
        after it would be read as sidebar and dropped, even once libxml2 has stopped reporting
        errors (it reports 100)."""
        html = (
            "<html><head><title>Haushalt beschlossen</title></head><body>"
            + "<b>x</span></b>" * stray_end_tags
            + '<aside class="sidebar"><div class="widget"><ul><li><a href="/news">News</a></li>'
            "</ul></aside><main><article><h1>Haushalt beschlossen</h1>"
            f"<p>Von Jana Roth</p>{GERMAN_PARAGRAPHS}</article></main></body></html>"
        )
        article = extract_article(html, "https://example.com/haushalt")
        assert article.body.startswith("Der Stadtrat hat am Dienstag")
        assert article.authors == ["Jana Roth"]

    @pytest.mark.parametrize(
        "declaration",
        [
            '<meta charset="iso-8859-1">',
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
            '<meta charset="shift_jis">',
            '<?xml version="1.0" encoding="utf-16"?>',
        ],
    )
    def test_a_decoded_page_is_not_decoded_again_by_its_declared_charset(
        self, declaration: str
    ) -> None:
        """The page reaches the parser decoded (as UTF-8 bytes): the charset it declares was
        already applied by the fetcher and must not turn "Grüße" into "GrÃ¼ÃŸe"."""
        html = (
            f"{declaration}<html><head><title>Grüße aus Köln</title></head><body><article>"
            f"<h1>Grüße aus Köln – “東京”</h1>{GERMAN_PARAGRAPHS}</article></body></html>"
        )
        article = extract_article(html, "https://example.com/gruesse")
        assert article.title == "Grüße aus Köln – “東京”"
        assert "Straßen" in article.body

    def test_noncharacters_are_dropped_from_the_text(self) -> None:
        html = (
            "<html><body><article><h1>Haushalt beschlossen</h1>"
            f"<p>Der Rat\ufffe hat\uffff entschieden.</p>{GERMAN_PARAGRAPHS}"
            "</article></body></html>"
        )
        article = extract_article(html, "https://example.com/haushalt")
        assert article.body.startswith("Der Rat hat entschieden.\n\n")

    def test_non_string_input_is_an_extraction_error(self) -> None:
        with pytest.raises(ExtractionError):
            extract_article(b"<html></html>", KH_URL)  # type: ignore[arg-type]


def test_style_sheets_and_drawings_do_not_part_the_headline_from_its_text() -> None:
    """CSS-in-JS themes put a <style> element before each component, icon sets an <svg>: a
    reader sees the headline right above the article, and so must the headline's checks (here:
    the <h1> wins over the meta titles naming the page's section)."""
    icon = '<svg viewBox="0 0 8 8"><title>Teilen</title><path d="M0 0h8v8z"/></svg>'
    components = "".join(
        f"<style>.css-{n}{{margin:{n}px}}</style><div class='css-{n}'>{icon}</div>"
        for n in range(12)
    )
    html = (
        "<html><head><title>Medienmitteilungen</title>"
        '<meta property="og:title" content="Medienmitteilungen"></head><body><main>'
        f"<h1>Stadtrat beschließt den Haushalt</h1>{components}{GERMAN_PARAGRAPHS}"
        "</main></body></html>"
    )
    article = extract_article(html, "https://example.com/haushalt")
    assert article.title == "Stadtrat beschließt den Haushalt"


def test_an_article_shown_only_without_javascript_is_kept() -> None:
    """A script-rendered page may hold its article in <noscript> alone."""
    html = (
        "<html><head><title>Haushalt beschlossen</title></head><body><div id='app'></div>"
        f"<noscript><article><h1>Haushalt beschlossen</h1>{GERMAN_PARAGRAPHS}</article>"
        "</noscript></body></html>"
    )
    article = extract_article(html, "https://example.com/haushalt")
    assert article.body.startswith("Der Stadtrat hat am Dienstag")


def test_decomposed_characters_come_out_composed() -> None:
    """A CMS fed from macOS can hold "u" + combining diaeresis where others hold "ü": the same
    name, headline or sentence must be the same string in every outlet's copy (Unicode NFC)."""
    decomposed = unicodedata.normalize("NFD", "Jürgen Müller")
    sentence = unicodedata.normalize("NFD", "Die Brücke über die Förde wird gesperrt. ") * 8
    html = (
        f"<html><head><title>{decomposed} über die Förde</title></head><body><article>"
        f"<h1>{decomposed} über die Förde</h1><p>Von {decomposed}</p>"
        f"<p>{sentence}</p><p>{sentence}</p></article></body></html>"
    )
    article = extract_article(unicodedata.normalize("NFD", html), "https://example.com/a")
    assert article.title == "Jürgen Müller über die Förde"
    assert article.authors == ["Jürgen Müller"]
    assert "Die Brücke über die Förde wird gesperrt." in article.body
    assert unicodedata.is_normalized("NFC", article.body)


def test_tags_and_authors_differing_only_in_composition_are_one() -> None:
    """A page stating "Mu\u0308nchen" (decomposed; JSON-LD's "\u0308") and "München" names one
    tag, one author: the values are composed before they are deduplicated, not after."""
    decomposed = unicodedata.normalize("NFD", "José García")
    graph = json.dumps(
        {
            "@type": "NewsArticle",
            "author": [
                {"@type": "Person", "name": decomposed},
                {"@type": "Person", "name": "José García"},
            ],
        }
    )
    html = (
        "<html><head><title>Haushalt beschlossen</title>"
        '<meta name="keywords" content="Bu\u0308rgermeister, Bürgermeister, Haushalt">'
        '<meta property="article:tag" content="Mu\u0308nchen">'
        '<meta property="article:tag" content="München">'
        f'<script type="application/ld+json">{graph}</script></head><body><article>'
        f"<h1>Haushalt beschlossen</h1>{GERMAN_PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(html, "https://example.com/haushalt-beschlossen")
    assert article.authors == ["José García"]
    assert article.tags == ["München", "Bürgermeister", "Haushalt"]


def test_a_names_soft_hyphens_go_and_the_headlines_stay_as_printed() -> None:
    """A name is matched across sources and outlets; a soft hyphen only hints at a break."""
    html = (
        "<html><head><title>Welt\xadernährungs\xadprogramm hilft</title></head><body><article>"
        "<h1>Welt\xadernährungs\xadprogramm hilft</h1><p>Von Mat\xadthi\xadas Lauerer</p>"
        + "".join(
            f"<p>Das Programm verteilt seit {day} Lebensmittel in drei Provinzen des Landes, "
            "sagte eine Sprecherin der Vereinten Nationen am Abend in Rom.</p>"
            for day in ("Montag", "Dienstag", "Mittwoch")
        )
        + "</article></body></html>"
    )
    article = extract_article(html, "https://example.com/a")
    assert article.authors == ["Matthias Lauerer"]
    assert article.title == "Welt\xadernährungs\xadprogramm hilft"
