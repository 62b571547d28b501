"""The lead printed in the article's header, above its text, opens the body when the page's
description gives it away; nothing else the description repeats does."""

from __future__ import annotations

from tests.extraction.support import HARBOUR_PARAGRAPHS
from worker.extraction import extract_article

PARAGRAPHS = HARBOUR_PARAGRAPHS
LEAD = (
    "Four million euros for a wall that storms broke twice: the town finally decides, and the "
    "ferry moves for two years."
)
URL = "https://post.example/harbour"


def page(*, description: str, header: str = "", text: str = "", og: str = "") -> str:
    paragraphs = text or "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    og_tag = f'<meta property="og:description" content="{og}">' if og else ""
    return (
        "<html><head><title>Harbour wall to be rebuilt | Town Post</title>"
        f'<meta name="description" content="{description}">{og_tag}</head><body>'
        '<nav><a href="/">Home</a></nav><article><header class="article-header">'
        f'<h1>Harbour wall to be rebuilt</h1>{header}<p class="byline">By Jane Doe</p></header>'
        f'<div class="article-body">{paragraphs}</div></article>'
        "<footer>© Town Post</footer></body></html>"
    )


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


QUOTE = "A pull quote the page sets in a box below the first paragraph, the harbour master said."
# The text with that quote in a WordPress pull-quote block after its first paragraph.
WITH_PULL_QUOTE = (
    f"<p>{PARAGRAPHS[0]}</p><figure class='wp-block-pullquote'><blockquote><p>{QUOTE}</p>"
    "</blockquote></figure>" + "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS[1:])
)


def test_the_lead_in_the_header_opens_the_body_and_the_byline_is_still_read() -> None:
    html = page(description=LEAD, header=f'<p class="article-header__lead">{LEAD}</p>')

    article = extract_article(html, URL)

    assert paragraphs(article.body) == [LEAD, *PARAGRAPHS]
    assert article.authors == ["Jane Doe"]


def test_a_lead_the_text_already_opens_with_is_not_repeated() -> None:
    html = page(description=PARAGRAPHS[0])

    assert paragraphs(extract_article(html, URL).body) == PARAGRAPHS


def test_a_description_quoting_a_pull_quote_below_the_first_paragraph_adds_nothing() -> None:
    html = page(description=QUOTE, text=WITH_PULL_QUOTE)

    assert QUOTE not in extract_article(html, URL).body


def test_a_description_quoting_the_text_gives_way_to_one_repeating_the_lead() -> None:
    # og:description is read first
    html = page(
        description=LEAD, og=QUOTE, header=f"<p class='lead'>{LEAD}</p>", text=WITH_PULL_QUOTE
    )

    assert paragraphs(extract_article(html, URL).body)[:2] == [LEAD, PARAGRAPHS[0]]


def test_a_description_that_glues_the_headline_to_the_lead_adds_nothing() -> None:
    glued = f"Harbour wall to be rebuilt {LEAD}"
    html = page(description=glued, header=f"<div class='intro'>{glued}</div>")

    assert paragraphs(extract_article(html, URL).body) == PARAGRAPHS
