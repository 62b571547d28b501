"""Pages built to hurt: each once failed, lost its text or took minutes, and must not."""

from __future__ import annotations

import json

from tests.extraction.support import HARBOUR_PARAGRAPHS
from worker.extraction import extract_article
from worker.extraction.authors import clean_authors
from worker.extraction.dates import parse_date
from worker.extraction.language import detect

URL = "https://news.example/harbour"
TEXT = "".join(f"<p>{p}</p>" for p in HARBOUR_PARAGRAPHS)


def page(head: str = "", body: str = TEXT, *, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>Harbour wall to be rebuilt</title>'
        f"{head}</head><body><article><h1>Harbour wall to be rebuilt</h1>{body}</article>"
        "</body></html>"
    )


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_a_control_character_written_as_a_reference_costs_the_page_nothing() -> None:
    # libxml2 put U+0001 in the tree, trafilatura refused the text: skipped as not_article
    for reference in ("&#1;", "&#x1;", "&#xFFFE;", "&#65535;", "&#0;"):
        body = TEXT.replace("two years", f"two{reference} years")
        article = extract_article(page(body=body), URL)
        assert "Work will start in spring and should take two years" in article.body, reference


def test_c1_controls_are_the_cp1252_characters_they_stand_for_in_every_field() -> None:
    # a cp1252 page once read as latin-1 holds U+0096 for its en dash, U+0092 for its
    # apostrophe; U+0081 and "&#129;" stand for nothing (cp1252 leaves 0x81 undefined)
    head = (
        "<meta name='description' content='The council voted 7\x966 on Tuesday.'>"
        "<meta name='author' content='Jane O\x92Neill'>"
        "<meta name='keywords' content='harbour\x96wall, council'>"
    )
    body = TEXT.replace("two years", "two\x81 years \x96 or three&#129;")
    html = page(head, body).replace("Harbour wall to be rebuilt", "Harbour wall \x96 rebuilt")
    article = extract_article(html, URL)
    assert article.title == "Harbour wall – rebuilt"
    assert article.description == "The council voted 7–6 on Tuesday."
    assert article.authors == ["Jane O’Neill"]
    assert article.tags == ["harbour–wall", "council"]
    assert "should take two years – or three" in article.body
    texts = [article.title, article.description, article.body, *article.authors, *article.tags]
    assert not any("\x80" <= c <= "\x9f" for text in texts for c in text or "")


def test_c1_controls_escaped_in_json_are_the_characters_they_stand_for() -> None:
    head = json_ld({"@type": "NewsArticle", "author": {"name": "Jane O\x92Neill"}})
    assert extract_article(page(head), URL).authors == ["Jane O’Neill"]


def test_paragraphs_past_libxml2s_default_depth_are_kept() -> None:
    # one <div> left open per paragraph: past 256 levels the rest of the page was dropped
    body = "".join(f"<div><p>{HARBOUR_PARAGRAPHS[i % 4]} Item {i}.</p>" for i in range(400))
    article = extract_article(page(body=body), URL)
    assert "Item 399." in article.body


def test_a_time_zone_offset_no_clock_shows_gives_no_date_and_fails_nothing() -> None:
    # "+25:00" made datetime raise, and the whole page failed as an extraction error
    for stamp in (
        "2024-03-01T10:00:00+25:00",
        "2024-03-01T10:00:00-99:99",
        "Fri, 01 Mar 2024 10:00:00 +2500",
        "2024-03-01T10:00:00+15:00",
    ):
        assert parse_date(stamp) is None, stamp
        head = json_ld({"@type": "NewsArticle", "headline": "Harbour", "datePublished": stamp})
        assert extract_article(page(head), URL).published_at is None
    assert parse_date("2024-03-01T10:00:00+14:00") is not None, "Kiribati's offset is real"


def test_a_breadcrumb_position_too_large_for_a_float_fails_nothing() -> None:
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 10**400, "name": "Home"},
            {"@type": "ListItem", "position": 2, "name": "Local"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(crumbs)}</script>'
    assert "harbour wall" in extract_article(page(head), URL).body


def test_json_nan_and_infinity_are_no_author() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour", '
        '"author": [{"@type": "Person", "name": NaN}, {"@type": "Organization", "name": Infinity},'
        ' {"@type": "Person", "name": "Jane Roe"}]}</script>'
    )
    assert extract_article(page(head), URL).authors == ["Jane Roe"]  # not "nan", "inf"
    huge = head.replace("NaN", "1" + "0" * 400)  # a number no float holds is still a number
    assert extract_article(page(huge), URL).authors == ["Jane Roe"]


def test_an_author_field_of_a_whole_paragraph_is_no_byline() -> None:
    # and is not read: the address patterns' cost grows with the square of the length
    # (20,000 characters took 38 s)
    assert clean_authors("Anna Lindqvist, " * 10) == ["Anna Lindqvist"]
    assert clean_authors("Anna Lindqvist, " * 100) == []


def test_a_page_naming_thousands_of_authors_keeps_twenty() -> None:
    surnames = [f"{a}{b}{c}son".title() for a in "bdfgk" for b in "aeiou" for c in "lmnrt"]
    names = ", ".join(f"Anna {surname}" for surname in surnames)
    article = extract_article(page(f'<meta name="author" content="{names[:990]}">'), URL)
    assert 0 < len(article.authors) <= 20
    links = "".join(f'<a rel="author" href="/a/{s}">Anna {s}</a> ' for s in surnames)
    article = extract_article(page(body=f"<p>{links}</p>{TEXT}"), URL)
    assert 0 < len(article.authors) <= 20


def test_a_lead_image_address_is_measured_as_stored() -> None:
    # spaces are stored percent-encoded: 2,044 characters with 335 spaces became 2,714
    src = "https://cdn.example/" + "a b " * 335 + "x" * (2044 - 20 - 4 * 335) + ".jpg"
    head = f'<meta property="og:image" content="{src}">'
    image = extract_article(page(head), URL).image_url
    assert image is None or len(image) <= 2048


def test_line_breaks_inside_an_address_are_no_part_of_it() -> None:
    head = (
        '<link rel="canonical" href="https://news.example/2024/\nharbour">'
        '<meta property="og:image" content="https://cdn.example/\tharbour.jpg">'
    )
    article = extract_article(page(head), URL)
    assert article.canonical_url == "https://news.example/2024/harbour"
    assert article.image_url == "https://cdn.example/harbour.jpg"


def test_the_language_of_a_text_that_opens_with_a_table_of_figures_is_detected() -> None:
    figures = "\n".join("2024 | 1.250 | 3.400 | 12,5 %" for _ in range(120))
    assert detect(figures + "\n" + " ".join(HARBOUR_PARAGRAPHS))[0] == "en"
    assert detect(figures)[0] is None


def test_direction_overrides_are_no_part_of_a_title_or_a_name() -> None:
    # "\u202eCouncil approves" shows reversed wherever the field is printed
    head = (
        '<meta property="og:title" content="\u202eHarbour wall to be rebuilt\u202c">'
        '<meta name="author" content="\u2066Anna Schmidt\u2069">'
    )
    article = extract_article(page(head), URL)
    assert article.title == "Harbour wall to be rebuilt"
    assert article.authors == ["Anna Schmidt"]
