"""Subheadings and lists put back between the paragraphs trafilatura kept, on a page made with a
page builder: no container trafilatura knows, the text in a <span>, so that it gathers the
page's <p> elements only."""

from __future__ import annotations

from tests.extraction.support import HARBOUR_PARAGRAPHS
from worker.extraction import extract_article
from worker.extraction.body import Block
from worker.extraction.parsing import parse_html
from worker.extraction.structure import restore_structure

PARAGRAPHS = HARBOUR_PARAGRAPHS
URL = "https://post.example/harbour"


def builder_page(text: str) -> str:
    return (
        "<html><head><title>Harbour wall to be rebuilt | Town Post</title></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>'
        '<section class="ct-section"><div class="ct-inner"><h1>Harbour wall to be rebuilt</h1>'
        f'<div class="ct-text-block"><span class="ct-span">{text}</span></div></div></section>'
        "<footer><p>© Town Post</p></footer></body></html>"
    )


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def test_subheadings_and_lists_between_paragraphs_come_back_in_place() -> None:
    html = builder_page(
        f"<p>{PARAGRAPHS[0]}</p><h2>What changes for the ferry</h2><p>{PARAGRAPHS[1]}</p>"
        "<ul><li>Departures move to the north pier</li><li>The timetable stays <b>the same</b>"
        f"</li></ul><p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>"
    )

    assert paragraphs(extract_article(html, URL).body) == [
        PARAGRAPHS[0],
        "What changes for the ferry",
        PARAGRAPHS[1],
        "Departures move to the north pier",
        "The timetable stays the same",
        PARAGRAPHS[2],
        PARAGRAPHS[3],
    ]


def test_a_heading_over_a_form_and_a_menu_of_links_stay_out() -> None:
    html = builder_page(
        f"<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p><h3>Twelve views of the harbour</h3>"
        "<form><input name='q'><button>Send us your own</button></form>"
        '<ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li>'
        f"</ul><p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>"
    )

    assert paragraphs(extract_article(html, URL).body) == PARAGRAPHS


def test_a_heading_over_a_picture_and_its_text_comes_back() -> None:
    html = builder_page(
        f"<p>{PARAGRAPHS[0]}</p><h2>The new pier</h2>"
        '<div class="insert"><img src="/pier.jpg"><span>Photo: Town Post</span></div>'
        f"<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>"
    )

    body = paragraphs(extract_article(html, URL).body)

    assert body[:3] == [PARAGRAPHS[0], "The new pier", PARAGRAPHS[1]]


def test_nothing_is_put_back_where_the_page_prints_it_twice() -> None:
    """An accordion over a second copy of the text: trafilatura read one copy of the list's
    lines as paragraphs already, and cannot be told which."""
    root = parse_html(
        "<html><body><div>"
        f"<p>{PARAGRAPHS[0]}</p><ul><li>Departures move to the north pier</li></ul>"
        f"<p>{PARAGRAPHS[1]}</p></div>"
        "<div><p>Departures move to the north pier</p></div></body></html>"
    )
    blocks = [
        Block(PARAGRAPHS[0]),
        Block("Departures move to the north pier"),
        Block(PARAGRAPHS[1]),
    ]

    assert restore_structure(root, blocks) is blocks


def test_a_body_with_headings_of_its_own_is_left_as_trafilatura_made_it() -> None:
    root = parse_html(
        f"<html><body><div><p>{PARAGRAPHS[0]}</p><h2>Left out</h2><p>{PARAGRAPHS[1]}</p>"
        f"<h2>Kept</h2><p>{PARAGRAPHS[2]}</p></div></body></html>"
    )
    blocks = [Block(PARAGRAPHS[0]), Block(PARAGRAPHS[1]), Block("Kept", "head")]

    assert restore_structure(root, blocks) is blocks
