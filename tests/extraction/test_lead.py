"""The lead printed in the article's header, above its text, opens the body when the page's
description gives it away; nothing else the description repeats does."""

from __future__ import annotations

from worker.extraction import extract_article

PARAGRAPHS = [
    "The council agreed on Tuesday to rebuild the old harbour wall, which storms damaged twice "
    "in the last decade, at a cost of four million euros.",
    "Work will start in spring and should take two years, during which the ferry will use a "
    "temporary pier north of the town.",
    "Residents asked for the footpath along the wall to stay open on weekends, and the council "
    "promised to consider it.",
    "The harbour master said the new wall would also allow larger fishing boats to moor safely "
    "in winter.",
]
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


def test_the_lead_in_the_header_opens_the_body_and_the_byline_is_still_read() -> None:
    html = page(description=LEAD, header=f'<p class="article-header__lead">{LEAD}</p>')

    article = extract_article(html, URL)

    assert paragraphs(article.body) == [LEAD, *PARAGRAPHS]
    assert article.authors == ["Jane Doe"]


def test_a_lead_the_text_already_opens_with_is_not_repeated() -> None:
    html = page(description=PARAGRAPHS[0])

    assert paragraphs(extract_article(html, URL).body) == PARAGRAPHS


def test_a_description_quoting_a_pull_quote_below_the_first_paragraph_adds_nothing() -> None:
    quote = (
        "A pull quote the page sets in a box below the first paragraph, the harbour master said."
    )
    text = (
        f"<p>{PARAGRAPHS[0]}</p><figure class='wp-block-pullquote'><blockquote><p>{quote}</p>"
        "</blockquote></figure>" + "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS[1:])
    )
    html = page(description=quote, text=text)

    assert quote not in extract_article(html, URL).body


def test_a_description_quoting_the_text_gives_way_to_one_repeating_the_lead() -> None:
    quote = (
        "A pull quote the page sets in a box below the first paragraph, the harbour master said."
    )
    text = (
        f"<p>{PARAGRAPHS[0]}</p><figure class='wp-block-pullquote'><blockquote><p>{quote}</p>"
        "</blockquote></figure>" + "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS[1:])
    )
    # og:description is read first
    html = page(description=LEAD, og=quote, header=f"<p class='lead'>{LEAD}</p>", text=text)

    assert paragraphs(extract_article(html, URL).body)[:2] == [LEAD, PARAGRAPHS[0]]


def test_a_description_that_glues_the_headline_to_the_lead_adds_nothing() -> None:
    glued = f"Harbour wall to be rebuilt {LEAD}"
    html = page(description=glued, header=f"<div class='intro'>{glued}</div>")

    assert paragraphs(extract_article(html, URL).body) == PARAGRAPHS
