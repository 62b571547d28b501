"""Tags, the paywall flag, layout tables and visible-headline titles, on small pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from worker.extraction import ExtractedArticle, extract_article
from worker.extraction.layout import unwrap_layout_tables
from worker.extraction.parsing import (
    comment_sections,
    copy_without,
    first,
    named_elements,
    parse_html,
    tag_text,
    text_size_outside_chrome,
)
from worker.extraction.paywall import notice_box_start, notice_index, truncation_notice
from worker.extraction.tags import clean_tags
from worker.extraction.titles import has_extra_segment, headline_within, shown_segment
from worker.extraction.urls import listing_for_another, names_a_stock_image

TEXT = (
    "<p>The city council approved the new budget on Monday after a long debate about road "
    "repairs, school funding and the cost of running the public library for another year.</p>"
    "<p>Council members said the plan keeps property taxes flat while adding two bus routes and "
    "a summer programme for teenagers, paid for by a one-off transfer from the reserve.</p>"
)


# Two more paragraphs of the budget story, for text that goes on after a heading.
LIBRARY = (
    "<p>The library will open on Sundays from March, a change that readers had asked for "
    "in a petition signed by more than four thousand residents of the town last year.</p>"
)
BUSES = (
    "<p>The mayor said the two new bus routes would start in the autumn, once the council "
    "has hired the drivers and bought three electric buses with money from the region.</p>"
)


def page(head: str, body: str) -> str:
    return f'<html lang="en"><head>{head}</head><body>{body}</body></html>'


def budget_story(head: str) -> ExtractedArticle:
    """The budget story, an <article> under its <h1>, with ``head`` as the page's <head>."""
    body = f"<article><h1>Budget</h1>{TEXT}</article>"
    return extract_article(page(head, body), "https://news.example/budget")


def test_tags_are_split_deduplicated_and_cleaned() -> None:
    assert clean_tags(
        ["Economy, inflation; economy", "tag:internal", "http://x.example/t", "42"]
    ) == [
        "Economy",
        "inflation",
    ]
    assert clean_tags(["Kultur»", "#Brexit", "»Wir sind das Volk«"]) == [
        "Kultur",
        "Brexit",
        "Wir sind das Volk",
    ]


def test_json_ld_keywords_win_over_meta_keywords() -> None:
    html = page(
        '<meta name="keywords" content="site, wide, words">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "keywords": ["budget", "council"]}</script>',
        f"<article><h1>Budget</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.tags, article.provenance["tags"]) == (["budget", "council"], "json-ld")


def test_a_free_article_is_not_paywalled_even_with_a_subscribe_menu() -> None:
    html = page(
        "<title>Budget</title>",
        '<header><a href="/s">Subscribers only: e-paper</a></header>'
        f"<article><h1>Budget</h1>{TEXT}</article>"
        "<footer>Subscribe to continue reading our newsletter</footer>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.paywalled is False
    assert "paywalled" not in article.provenance


def test_declared_free_wins_over_a_notice() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "B",'
        ' "isAccessibleForFree": true}</script>',
        f"<article>{TEXT}<p>Subscribe to continue reading.</p></article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.paywalled is False
    assert article.provenance["paywalled"] == "json-ld"


def test_relative_addresses_resolve_against_the_pages_base_as_in_a_browser() -> None:
    head = (
        '<base href="/"><link rel="canonical" href="news/2024/05/budget">'
        '<meta property="og:image" content="media/2024/05/council.jpg">'
    )
    body = f"<article><h1>Budget</h1>{TEXT}</article>"
    url = "https://news.example/news/2024/05/budget"
    article = extract_article(page(head, body), url)
    assert article.canonical_url == url, "not /news/2024/05/news/2024/05/budget"
    assert article.image_url == "https://news.example/media/2024/05/council.jpg"


def test_a_canonical_address_escaped_once_too_often_is_read() -> None:
    escaped = "https%3A%2F%2Fnews.example%2Fnews%2F2024%2Fbudget%2F"
    article = budget_story(f'<link rel="canonical" href="{escaped}">')
    assert article.canonical_url == "https://news.example/news/2024/budget/"


_PAGE_NODE = '{"@type": "WebPage", "@id": "https://news.example/a", '
_ARTICLE_NODE = (
    '{"@type": "NewsArticle", "headline": "Budget", '
    '"mainEntityOfPage": {"@id": "https://news.example/a"}}'
)


@pytest.mark.parametrize(
    "declared",
    [
        '{"@type": "NewsArticle", "isAccessibleForFree": "https://schema.org/False"}',
        f'{{"@graph": [{_PAGE_NODE}"isAccessibleForFree": "False"}}, {_ARTICLE_NODE}]}}',
        f'{{"@graph": [{_PAGE_NODE}"hasPart": {{"@type": "WebPageElement", '
        f'"isAccessibleForFree": "http://schema.org/False"}}}}, {_ARTICLE_NODE}]}}',
    ],
    ids=["schema.org spelling", "on the page node", "a paid part of the page node"],
)
def test_a_paywall_declared_in_any_schema_org_form_is_read(declared: str) -> None:
    html = page(
        f'<script type="application/ld+json">{declared}</script>',
        f"<article><h1>Budget</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.paywalled, article.provenance.get("paywalled")) == (True, "json-ld")


def test_notices_are_found_only_after_the_text() -> None:
    assert notice_index(["Lede.", "Subscribe to continue reading", "More."]) == 1
    assert notice_index(["Subscribe to continue reading"]) is None
    lines = ["Subscribers only", "Lede of the story here", "Nur für Abonnenten"]
    assert truncation_notice(lines, "Lede of the story here") == "Nur für Abonnenten"
    assert truncation_notice(lines[:2], "Lede of the story here") is None


def test_a_sentence_saying_members_only_is_the_article_not_a_paywall() -> None:
    sentence = "<p>For the first month, the pool will be open to members only.</p>"
    first, second = TEXT.split("</p>", 1)
    html = page(
        "<title>Pool</title>", f"<article><h1>Pool</h1>{first}</p>{sentence}{second}</article>"
    )
    article = extract_article(html, "https://news.example/pool")
    assert article.paywalled is False
    assert "members only" in article.body and "summer programme" in article.body
    assert notice_index(["Lede.", "Le premier niveau sera réservé aux abonnés mensuels."]) is None
    assert notice_index(["Lede.", "Réservé aux abonnés", "Abonnez-vous"]) == 1


@pytest.mark.parametrize(
    ("stated", "description"),
    [
        ("Budget", None),  # the headline again
        ("Example Times", None),  # the site's name
        ("Budget - Example Times", None),  # the headline with the site's name, as <title> has it
        ("Home", None),  # the home page's label
        ("{{ seomatic.helper.extractTextFromField(entry.teaser) }}", None),  # a template's
        ("{$plugin.tx_news.opengraph.description}", None),  # unfilled placeholder
        ("The council approved the budget.", "The council approved the budget."),
    ],
)
def test_a_description_says_more_than_the_headline_or_the_site(
    stated: str, description: str | None
) -> None:
    head = (
        '<meta property="og:site_name" content="Example Times">'
        f'<meta name="description" content="{stated}">'
    )
    article = budget_story(head)
    assert article.description == description


@pytest.mark.parametrize(
    ("stated", "site_name"),
    [
        ("Harbour Times | News from the bay, every day", "Harbour Times"),
        ("Stories from the bay - HarbourTimes.example", "HarbourTimes.example"),
        ("Bay News - The paper of the harbour", "Bay News - The paper of the harbour"),
        ("Harbour Times - Harbour Times Online", "Harbour Times - Harbour Times Online"),
    ],
    ids=["name-first", "name-last", "no-segment-names-the-host", "both-name-it"],
)
def test_a_site_name_loses_the_tagline_beside_it(stated: str, site_name: str) -> None:
    """The segment that names the page's host is the site's name; the slogan beside it goes.
    With no such segment, or two, the name stays whole."""
    head = f'<meta property="og:site_name" content="{stated}">'
    body = f"<article><h1>Budget</h1>{TEXT}</article>"
    article = extract_article(page(head, body), "https://www.harbourtimes.example/budget")
    assert article.site_name == site_name


@pytest.mark.parametrize(
    ("canonical", "url", "refused"),
    [
        ("https://news.example/", "https://news.example/2024/budget", True),
        ("https://news.example", "https://news.example/budget?id=3", True),
        ("https://news.example/", "https://news.example/index.html", False),  # the home page
        ("https://news.example/?p=12", "https://news.example/budget", False),  # a post by id
        # the home page with a query of tracking parameters alone, or as "index.html"
        ("https://news.example/?utm_source=homepage", "https://news.example/2024/budget", True),
        ("https://news.example/?ref=logo", "https://news.example/2024/budget", True),
        ("https://news.example/index.html?WT.mc_id=x", "https://news.example/2024/budget", True),
        ("https://news.example/?utm_source=x", "https://news.example/?ref=y", False),
        ("https://news.example/?p=12&utm_source=x", "https://news.example/budget", False),
        (
            "https://news.example/news/?utm_medium=rss",
            "https://news.example/news/2024/05/budget-passes-council",
            True,
        ),
        ("https://news.example/budget", "https://news.example/amp/budget", False),
        # a section listing the article: its address goes on with the article's own name
        (
            "https://www.news.example/duengebehoerde/news",
            "https://www.news.example/duengebehoerde/news/38853_Sperrfristende_01._Februar_-_Regeln",
            True,
        ),
        (
            "https://news.example/news/",
            "https://news.example/news/2024/05/budget-passes-council",
            True,
        ),
        # the article's own variants: its address goes on without a name
        (
            "https://news.example/2024/budget-passes",
            "https://news.example/2024/budget-passes/amp",
            False,
        ),
        (
            "https://news.example/best-jokes-for-kids/",
            "https://news.example/best-jokes-for-kids/slide/1",
            False,
        ),
        ("https://news.example/budget-passes", "https://news.example/budget-passes/page/2", False),
        # another site's section is no listing of this page
        (
            "https://other.example/news",
            "https://news.example/news/budget-passes-the-council",
            False,
        ),
    ],
)
def test_a_home_page_or_section_is_no_canonical_for_an_article(
    canonical: str, url: str, refused: bool
) -> None:
    assert listing_for_another(canonical, url) is refused


def test_an_image_address_escaped_twice_has_its_ampersands_back() -> None:
    head = (
        '<meta property="og:image" content="/i/budget.jpg?fit=1200%2C800&amp;amp;ssl=1&amp;copy=2">'
    )
    assert budget_story(head).image_url == (
        "https://news.example/i/budget.jpg?fit=1200%2C800&ssl=1&copy=2"
    )


@pytest.mark.parametrize(
    ("stated", "description"),
    [
        ("The council voted on the budget,...Read More", "The council voted on the budget,..."),
        ("Der Rat stimmte ab … Weiterlesen »", "Der Rat stimmte ab …"),
        ("Why we read more books in winter", "Why we read more books in winter"),
    ],
    ids=["dots", "ellipsis-and-arrow", "no-ellipsis"],
)
def test_an_excerpts_read_more_label_after_its_ellipsis_goes(stated: str, description: str) -> None:
    """A theme that drops its "Read more" link's tag from the excerpt leaves the label after
    the ellipsis; without an ellipsis the words are the text's own."""
    article = budget_story(f'<meta name="description" content="{stated}">')
    assert article.description == description


def test_a_site_named_home_is_named_by_the_next_source() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "WebSite", "name": "Home"}</script>'
        '<meta property="og:site_name" content="Example Times">'
    )
    article = budget_story(head)
    assert article.site_name == "Example Times"


def test_a_site_named_by_its_social_handle_is_named_without_the_at_sign() -> None:
    article = budget_story('<meta property="og:site_name" content="@exampletimes">')
    assert article.site_name == "exampletimes"


@pytest.mark.parametrize(
    ("image", "stock"),
    [
        ("https://s0.wp.com/i/blank.jpg", True),
        ("https://www.example.com/pu/images/social_placeholder.png", True),
        ("https://example.com/img/logo-opengraph.png", True),
        ("https://secure.gravatar.com/blavatar/55bf7238e39e?s=200", True),
        ("https://docs.example.com/favicons/docs@2x.ico", True),
        ("https://example.com/s1600/googlelogo_color_200x200.png", True),
        ("https://example.de/de/institutionlogo29539", True),
        ("https://example.com/5ec3a9944d452c08_Icon2.png", True),
        ("https://example.it/uploads/psicologo-roma.jpg", False),
        ("https://example.it/uploads/catalogo-2020.jpg", False),
        ("https://example.com/sites/default/files/2019-11/council-vote.jpg", False),
        ("https://example.com/storage/image/2280168_default_1tGuSk.jpg", False),
        # the picture a site shares when an article has none
        ("https://example.com/img/pages/article/opengraph_default.jpg", True),
        ("https://example.de/SharedDocs/OG-Image.jpg?__blob=cover&v=5", True),
        ("https://example.de/Verschiedenes/twitter-standard.jpg", True),
        ("https://example.de/templates/img/fb.jpg", True),
        ("https://example.de/images/default-presse-opener.jpg", True),
        ("https://example.de/core/files/fallback/big/1365597833-AGC2.jpg", True),
        ("https://example.com/2021/social-media-study.jpg", False),
        ("https://example.com/2021/teaser-budget-2021.jpg", False),
        ("https://example.com/2021/image.jpg", False),
        ("https://example.com/2021/05/budget/teaser.jpg", False),
    ],
)
def test_a_sites_logo_icon_or_placeholder_is_no_lead_image(image: str, stock: bool) -> None:
    assert names_a_stock_image(image) is stock


def test_the_lead_image_is_the_next_candidate_after_a_placeholder() -> None:
    head = (
        '<meta property="og:image" content="https://s0.wp.com/i/blank.jpg">'
        '<meta name="twitter:image" content="/media/council-vote.jpg">'
    )
    article = budget_story(head)
    assert article.image_url == "https://news.example/media/council-vote.jpg"


def test_a_caption_stated_as_the_image_is_no_address_and_spaces_are_encoded() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "image": "The council chamber during the vote"}</script>'
        '<meta property="og:image" content="/media/Council vote 2.jpg">'
    )
    article = budget_story(head)
    assert article.image_url == "https://news.example/media/Council%20vote%202.jpg"


FALLBACK = '<meta name="twitter:image" content="/media/council-vote.jpg">'


@pytest.mark.parametrize(
    "stated",
    [
        # declared a pixel in size, its width and height after it
        '<meta property="og:image" content="https://news.example/t.gif">'
        '<meta property="og:image:width" content="1"><meta property="og:image:height" content="1">',
        '<meta property="og:image" content="https://news.example/t.gif">'
        '<meta property="og:image:secure_url" content="https://news.example/s.gif">'
        '<meta property="og:image:height" content="2"><meta property="og:image:width" content="2">',
        # a pixel's known address
        '<meta property="og:image" content="https://www.facebook.com/tr?id=1&ev=PageView">',
        '<meta property="og:image" content="https://sb.scorecardresearch.com/p?c1=2&c2=1">',
        # an author's face
        '<meta property="og:image" content="https://secure.gravatar.com/avatar/abc123?s=96">',
        '<meta property="og:image" content="https://i0.wp.com/secure.gravatar.com/avatar/ab">',
    ],
)
def test_a_pixel_or_an_avatar_is_no_lead_image(stated: str) -> None:
    article = budget_story(stated + FALLBACK)
    assert article.image_url == "https://news.example/media/council-vote.jpg"


@pytest.mark.parametrize(("width", "height"), [("0", "0"), ("16", "16"), ("1200", "2")])
def test_a_small_declared_size_beyond_a_pixel_keeps_the_lead_image(width: str, height: str) -> None:
    head = (
        '<meta property="og:image" content="https://news.example/media/vote.jpg">'
        f'<meta property="og:image:width" content="{width}">'
        f'<meta property="og:image:height" content="{height}">'
        '<meta property="og:image" content="https://news.example/t.gif">'
        '<meta property="og:image:width" content="1"><meta property="og:image:height" content="1">'
    )
    assert budget_story(head).image_url == "https://news.example/media/vote.jpg"


def test_a_srcset_stated_as_the_image_gives_its_first_address() -> None:
    head = (
        '<meta property="og:image" content="https://news.example/a.jpg 1200w, '
        'https://news.example/a-small.jpg 600w">'
    )
    assert budget_story(head).image_url == "https://news.example/a.jpg"
    head = '<meta property="og:image" content="/media/a.jpg 2x, /media/a-1x.jpg 1x">'
    assert budget_story(head).image_url == "https://news.example/media/a.jpg"


def test_a_cms_marker_and_a_headline_repeated_as_a_keyword_are_no_tags() -> None:
    headline = "Council passes the budget"
    stated = ["@post-id:1913719", "Council passes the budget, budget, Penny"]
    assert clean_tags(stated, [headline]) == ["budget", "Penny"]
    assert clean_tags(["Penny", "gift"], ["Penny"]) == ["Penny", "gift"]  # a wiki's subject


def test_a_tag_link_is_one_tag_however_many_commas_it_holds() -> None:
    assert clean_tags(["Wahl 2024, Ergebnisse"], split=False) == ["Wahl 2024, Ergebnisse"]
    # a teaser marked as a tag link: a sentence, not a tag, not cut into clauses that look like
    # tags ("Akku leer? 8 Tipps", "wie du deine soziale Batterie wieder aufladen kannst")
    teaser = "Weiterlesen über Akku leer? 8 Tipps, wie du deine soziale Batterie aufladen kannst"
    assert clean_tags([teaser], split=False) == []


@pytest.mark.parametrize(
    "keywords",
    [
        # the description stated again as keywords: its clauses are no tags
        "In a long debate, the council approved the budget, which keeps taxes flat, ...",
        # the page's social title, with the site's name
        "Council approves the budget - Example Times",
    ],
    ids=["description", "title-with-site-name"],
)
def test_keywords_that_repeat_the_description_or_a_title_are_no_tags(keywords: str) -> None:
    head = (
        "<title>Council approves the budget - Example Times</title>"
        '<meta property="og:site_name" content="Example Times">'
        '<meta name="description" content="In a long debate, the council approved the budget,'
        ' which keeps taxes flat, ...">'
        f'<meta name="keywords" content="{keywords}">'
        '<meta property="article:tag" content="budget">'
    )
    assert budget_story(head).tags == ["budget"]


@pytest.mark.parametrize(
    ("stated", "section"),
    [
        ("Kategorien: Rezepte,", "Rezepte"),  # the label's own label, a dangling comma
        ("{$category}", None),  # a template's unfilled placeholder
        ("Startseite", None),  # the home page is no section
        ("Example Times", None),  # the outlet itself
        ("Uncategorized", None),  # WordPress's default category: no category
        ("Allgemein", None),
        ("articles", None),  # a content type, which every post is
        ("Top Story", None),  # the flag a theme's slider picks its stories by
        ("Featured , Politik", "Politik"),
        ("Politik", "Politik"),
        ("Nachrichten Februar 2022", None),  # a month of the archive
        ("Fashion Trends 2019", "Fashion Trends 2019"),
        # several category links read as one text: the first that is a section
        ("Allgemein , Politik , Inland", "Politik"),
        ("Food, Wine & Travel", "Food, Wine & Travel"),  # a label's own comma
    ],
)
def test_a_section_is_the_label_itself(stated: str, section: str | None) -> None:
    head = (
        '<meta property="og:site_name" content="Example Times">'
        f'<meta property="article:section" content="{stated}">'
    )
    article = budget_story(head)
    assert article.section == section


def test_the_label_above_a_notice_goes_with_it_and_the_articles_last_sentence_stays() -> None:
    body = ["Lede.", "The last free sentence.", "OK+", "Nur für Abonnenten"]
    assert notice_box_start(body, 3) == 2
    assert notice_box_start(["Lede.", "The last free sentence.", "Nur für Abonnenten"], 2) == 2
    assert notice_box_start(["Short lede", "Nur für Abonnenten"], 1) == 1  # the first stays


def test_layout_tables_become_blocks_and_data_tables_stay() -> None:
    root = parse_html(
        "<html><body><table id=layout><tr><td>nav</td><td>"
        f"{TEXT}<br><br>{TEXT}<table id=data><tr><td>1</td><td>2</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    assert unwrap_layout_tables(root)
    assert root.get_element_by_id("layout").tag == "div"
    assert root.get_element_by_id("data").tag == "table"
    data_only = parse_html("<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert not unwrap_layout_tables(data_only)


def test_a_title_with_the_site_behind_a_separator_yields_the_visible_headline() -> None:
    assert has_extra_segment("Alles Neue im Mai | Bibliothek 2.0", "Alles Neue im Mai")
    assert has_extra_segment(
        "Blog Archiv » Podcasts in Plex einbinden", "Podcasts in Plex einbinden"
    )
    assert not has_extra_segment("Budget passes, council says", "Budget passes")
    # an id or issue number in parentheses before the site's segment goes with it
    assert has_extra_segment(
        "Holiday Cottage Rose (40222) - Cottages in Kent", "Holiday Cottage Rose"
    )
    assert not has_extra_segment("Holiday Cottage Rose (40222)", "Holiday Cottage Rose")
    html = page(
        "<title>Council passes the budget | Anna's little blog</title>",
        f"<article><h1>Council passes the budget</h1>{TEXT}</article>",
    )
    assert extract_article(html, "https://anna.example/p/1").title == "Council passes the budget"


@pytest.mark.parametrize(
    ("title", "headings", "segment"),
    [
        ("Anna's little blog | Council passes the budget", ["Council passes the budget"],
         "Council passes the budget"),
        ("Was ist Freie Software - MyOOS Community Forum", ["Forum", "Was ist Freie Software"],
         "Was ist Freie Software"),
        # the whole title is a heading: a headline with a dash in it
        ("Grüner Wasserstoff – das Schlüsselelement", ["Grüner Wasserstoff – das Schlüsselelement",
         "Grüner Wasserstoff"], None),
        # two segments are headings: no telling which is the headline
        ("Wiener Revue | Beitragseinreichung", ["Wiener Revue", "Beitragseinreichung"], None),
        # the site's name run into the headline by a broken template, then again
        ("Truckwash A31Das andere Branchenbuch | Das andere Branchenbuch",
         ["Das andere Branchenbuch"], None),
    ],
)  # fmt: skip
def test_the_segment_of_a_title_that_the_page_shows_as_a_heading(
    title: str, headings: list[str], segment: str | None
) -> None:
    assert shown_segment(title, headings) == segment


@pytest.mark.parametrize(
    ("title", "headings", "headline"),
    [
        ("Receita de Sequilho com Chocolate Amargo", ["Sequilho com Chocolate Amargo"],
         "Sequilho com Chocolate Amargo"),
        ("20% Rabatt auf EAT SMALL Hundefutter", ["20% Rabatt auf EAT SMALL"],
         "20% Rabatt auf EAT SMALL"),
        # the title is a heading itself: the <h1> is a part of it, not the headline
        ("Council passes the budget", ["Council passes the budget", "passes the budget"], None),
        # one long compound word is a headline too ...
        ("Mandarinen-Schmand-Kuchen von jesusfreak", ["Mandarinen-Schmand-Kuchen"],
         "Mandarinen-Schmand-Kuchen"),
        # ... but an <h1> of two short words is a label, not a headline
        ("Budget talks: council passes the budget", ["Budget talks"], None),
        # an <h1> longer than the title (a kicker before it) is not taken
        ("Council passes the budget", ["Politics Council passes the budget"], None),
    ],
)  # fmt: skip
def test_the_h1_a_meta_title_adds_words_to_is_the_headline(
    title: str, headings: list[str], headline: str | None
) -> None:
    assert headline_within(title, headings, headings) == headline


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        ("Council passes the budget: taxes flat", "Council passes the budget: taxes flat"),
        ("Council passes the budget in Springfield", "Council passes the budget in Springfield"),
        # a site's name or a date and categories glued to the headline are no part of it
        ("Council passes the budget | CITYBLOG.NET", "Council passes the budget"),
        ("Council passes the budget 02.02.2022 • Presse", "Council passes the budget"),
    ],
)
def test_the_headline_printed_in_full_above_the_text_beats_its_short_meta_title(
    printed: str, title: str
) -> None:
    """The <title> and og:title agree on the short form; the <h1> above the text goes on."""
    html = page(
        "<title>Council passes the budget | City News</title>"
        '<meta property="og:title" content="Council passes the budget | City News">'
        '<meta property="og:site_name" content="City News">',
        f"<article><h1>{printed}</h1>{TEXT}</article>",
    )
    assert extract_article(html, "https://news.example/a").title == title


def test_a_titles_segment_the_description_states_whole_is_the_headline() -> None:
    html = page(
        "<title>Fan Club Regensburg - Council passes the budget - Press - News</title>"
        '<meta name="description" content="Council passes the budget">',
        f"<span class='itemTitle'><a href='/press'>Press</a> : Council passes the budget</span>"
        f"{TEXT}",
    )
    assert extract_article(html, "https://club.example/a").title == "Council passes the budget"


@pytest.mark.parametrize(
    ("title", "h1", "h2", "headline"),
    [
        # a classic blog theme: the blog's name in the <h1>, the post's headline in an <h2>
        ("Four Years Remaining » Blog Archive » Interning of Small Integers",
         "Four Years Remaining", "Interning of Small Integers", "Interning of Small Integers"),
        ("Muffin Grundrezept : Muffin Rezepte", "Muffin Rezepte", "Muffin Grundrezept",
         "Muffin Grundrezept"),
        # the outlet has a segment of its own: the <h1> is the headline, the <h2> its subtitle
        ("Vom Boden aus gedacht - Ann Cotten verwebt Lokales und Globales : booknews.example",
         "Vom Boden aus gedacht", "Ann Cotten verwebt Lokales und Globales",
         "Vom Boden aus gedacht"),
    ],
)  # fmt: skip
def test_a_titles_segment_shown_beside_the_blogs_name_in_the_h1_is_the_headline(
    title: str, h1: str, h2: str, headline: str
) -> None:
    html = page(
        f"<title>{title}</title>",
        f"<div id='header'><h1 id='logo'><a href='/'>{h1}</a></h1></div>"
        f"<div class='post'><h2><a href='/p/1'>{h2}</a></h2><div class='entry'>{TEXT}</div></div>",
    )
    assert extract_article(html, "https://booknews.example/p/1").title == headline


@pytest.mark.parametrize(
    ("h1", "headline"),
    [
        # the section's name in the <h1>, which no title repeats: the <h2> is the headline
        ("Neuigkeiten", "Das Ministerium für Club-Kultur informiert"),
        # a headline of its own in the <h1>, beside a subtitle the <title> holds
        ("Stadtrat beschließt den Haushalt", "Stadtrat beschließt den Haushalt"),
    ],
)
def test_a_section_label_in_the_h1_gives_way_to_the_titles_headline_shown_below_it(
    h1: str, headline: str
) -> None:
    html = page(
        "<title>Das Ministerium für Club-Kultur informiert | Die PARTEI Lübeck</title>",
        f"<div id='main'><h1>{h1}</h1><div class='newsentry'>"
        f"<h2 class='newsheading'>Das Ministerium für Club-Kultur informiert</h2>"
        f"<div class='newstext'>{TEXT}</div></div></div>",
    )
    assert extract_article(html, "https://partei.example/2012/05/31/x/").title == headline


def test_the_title_element_goes_before_the_first_of_several_h1_it_does_not_repeat() -> None:
    html = page(
        "<title>CDPATH replacements - anarcat</title>",
        "<div class='sidebar'><h1>Quicklinks</h1><a href='/a'>A</a></div>"
        f"<h1>What I use now</h1>{TEXT}<h1>Comments</h1>",
    )
    assert extract_article(html, "https://anarc.example/blog/x").title == "CDPATH replacements"


def test_a_meta_title_with_words_added_to_the_h1_gives_way_to_it() -> None:
    html = page(
        '<meta property="og:title" content="Receita de Sequilho com Chocolate Amargo">',
        f"<div class='recipe'><h1>Sequilho com Chocolate Amargo</h1>{TEXT}</div>",
    )
    article = extract_article(html, "https://cook.example/r/1")
    assert article.title == "Sequilho com Chocolate Amargo"


@pytest.mark.parametrize(
    ("meta_title", "heading", "title"),
    [
        ("Korsetts - Shops, Designer, online kaufen", "Korsetts – Shops, Designer, online kaufen",
         "Korsetts – Shops, Designer, online kaufen"),
        ('"Wir dekorieren die Liegestühle um"', "„Wir dekorieren die Liegestühle um“",
         "„Wir dekorieren die Liegestühle um“"),
        # the meta tags have the printed typography, a heading plain dashes: the meta's stays
        ("Queer Royal – Über Dragqueens", "Queer Royal - Über Dragqueens",
         "Queer Royal – Über Dragqueens"),
    ],
)  # fmt: skip
def test_a_title_is_spelled_with_the_dashes_and_quotes_the_page_prints(
    meta_title: str, heading: str, title: str
) -> None:
    html = page(
        f"<meta property='og:title' content='{meta_title}'>",
        f"<div class='post'><h2>{heading}</h2>{TEXT}</div>",
    )
    assert extract_article(html, "https://shop.example/p/1").title == title


def test_a_titles_segment_shown_as_a_heading_is_the_headline() -> None:
    html = page(
        "<title>Anna's little blog | Council passes the budget</title>",
        f"<div class='post'><h2>Council passes the budget</h2>{TEXT}</div>",
    )
    assert extract_article(html, "https://anna.example/p/1").title == "Council passes the budget"


def test_a_label_before_the_visible_headline_is_not_part_of_the_title() -> None:
    assert has_extra_segment("Chronik: Lotte Tobisch ist tot", "Lotte Tobisch ist tot")
    assert not has_extra_segment("Covid-19: Lässt sich das kontrollieren?", "Covid-19")
    html = page(
        '<meta property="og:title" content="Klimaschutz: Bohren, bis es heiß wird">',
        '<article><h1><span class="article-heading__kicker">Klimaschutz</span>'
        '<span class="article-heading__title">Bohren, bis es heiß wird</span></h1>'
        f"{TEXT}</article>",
    )
    assert extract_article(html, "https://news.example/a").title == "Bohren, bis es heiß wird"


def test_a_kicker_repeated_in_the_headline_stays_in_the_title() -> None:
    html = page(
        '<meta property="og:title" content="Wurmkiste selber bauen">',
        '<article><h1><span class="roofline">Wurmkiste</span> Wurmkiste selber bauen</h1>'
        f"{TEXT}</article>",
    )
    assert extract_article(html, "https://diy.example/a").title == "Wurmkiste selber bauen"


@pytest.mark.parametrize(
    ("meta_title", "headline", "title"),
    [
        (
            "Patch Notes - Patchnotes 4.47.4 - Equinox Bugfix Build",
            '<a href="/t/1"><span class="label">Patch Notes</span><span> </span>'
            "Patchnotes 4.47.4 - Equinox Bugfix Build</a>",
            "Patchnotes 4.47.4 - Equinox Bugfix Build",
        ),
        (
            "Olympic Games in Paris - Drinks by boat into the city",
            '<span class="subtitle">Olympic Games in Paris</span> Drinks by boat into the city',
            "Drinks by boat into the city",
        ),
        # a kicker (marked as one) goes after the headline too
        (
            "Data of Rheinmetall hacked - Internal papers online",
            '<span class="dachzeile">Internal papers online</span> Data of Rheinmetall hacked',
            "Data of Rheinmetall hacked",
        ),
        # the title's label worded otherwise than the kicker the page prints
        (
            "Reopening: Car dealers expect a slow start",
            '<span class="kicker">After the reopening</span> Car dealers expect a slow start',
            "Car dealers expect a slow start",
        ),
        # without a separator in the title the leading element is part of the headline
        (
            "Breaking news from the city council",
            "<em>Breaking</em> news from the city council",
            "Breaking news from the city council",
        ),
    ],
)
def test_a_label_or_kicker_in_the_headline_is_not_part_of_the_title(
    meta_title: str, headline: str, title: str
) -> None:
    html = page(
        f'<meta property="og:title" content="{meta_title}">',
        f"<article><h1>{headline}</h1>{TEXT}</article>",
    )
    assert extract_article(html, "https://forum.example/t/1").title == title


def test_a_label_before_the_printed_headline_is_not_part_of_it() -> None:
    """The <h1> wins over an SEO og:title worded otherwise, without the label it starts with."""
    html = page(
        '<meta property="og:title" content="Price cap, levy: Government curbs bioenergy">',
        "<article><h1><span>Price cap – levy</span> : Government curbs "
        f"bioenergy, industry protests</h1>{TEXT}</article>",
    )
    title = extract_article(html, "https://news.example/a").title
    assert title == "Government curbs bioenergy, industry protests"


def test_the_kicker_of_the_printed_headline_beside_a_breadcrumbs_h1_is_no_part_of_it() -> None:
    """The <h1> is a breadcrumb's last crumb repeating the title; the headline readers see is
    an <h2> that marks its kicker."""
    html = page(
        '<meta property="og:title" content="Covid-19: Can the outbreak still be contained?">',
        "<ol class='crumbs'><li><a href='/'>Home</a></li><li><a href='/health'>Health</a></li>"
        "<li><h1>Covid-19: Can the outbreak still be contained?</h1></li></ol>"
        "<article><header><h2><span class='content__kicker'>Covid-19</span> "
        "<span class='content__title'>Can the outbreak still be contained?</span></h2>"
        f"</header>{TEXT}</article>",
    )
    title = extract_article(html, "https://science.example/a").title
    assert title == "Can the outbreak still be contained?"


def test_a_label_that_ends_in_its_own_separator_is_no_part_of_the_headline() -> None:
    """The label's colon is inside its element (a screen reader's), the <title> the headline."""
    html = page(
        "<title>Vaccination stays open everywhere until the end of February</title>",
        "<article><h1><span>Press release of the Health Department <span class='sr-only'>:"
        "</span></span>Vaccination stays open everywhere until the end of February</h1>"
        f"{TEXT}</article>",
    )
    title = extract_article(html, "https://canton.example/news?id=1").title
    assert title == "Vaccination stays open everywhere until the end of February"


def test_a_label_the_title_element_separates_is_no_part_of_the_printed_headline() -> None:
    html = page(
        "<title>Initiative EnergieEffizienz - kostenloser Stromcheck | Bauen</title>",
        "<h1><span class='h1small'>Initiative EnergieEffizienz</span> Kostenloser Stromcheck "
        f"für private Haushalte</h1>{TEXT}",
    )
    article = extract_article(html, "https://bauen.example/a")
    assert article.title == "Kostenloser Stromcheck für private Haushalte"


def test_a_meta_title_that_is_the_headline_without_its_label_stays() -> None:
    """<h1><small>Tunisia</small><br>Big tasks ...</h1>, repeated in <title>: og:title states
    the headline without the label, and wins over the candidates that repeat both."""
    html = page(
        '<meta property="og:title" content="Big tasks for the new government">'
        "<title>Tunisia Big tasks for the new government</title>",
        "<article><h1><small>Tunisia</small><br> Big tasks for the new government</h1>"
        f"{TEXT}</article>",
    )
    title = extract_article(html, "https://foundation.example/news/1").title
    assert title == "Big tasks for the new government"


def test_a_section_that_repeats_the_meta_title_without_the_site_name_is_no_section() -> None:
    """article:section filled with the headline must neither pose as the section nor reject the
    meta title it equals, which would leave the <h1> with its label as the title."""
    headline = "Cyber attacks: put a fifth of the IT budget into security"
    html = page(
        f'<meta property="og:title" content="{headline} - Trade Weekly">'
        '<meta property="og:site_name" content="Trade Weekly">'
        f'<meta property="article:section" content="{headline}">',
        '<article><h1><span class="entry-title__toptitle">Investing in IT security</span> '
        f"{headline}</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://trade.example/cyber")
    assert (article.title, article.section) == (headline, None)


def test_named_elements_are_those_of_the_given_element_and_below() -> None:
    root = parse_html(
        "<html><body><div class=a><span id=b>x</span></div><p itemprop=c>y</p></body></html>"
    )
    box = first(root, "div")
    assert box is not None
    assert [(e.tag, sorted(words)) for e, words in named_elements(box).items()] == [
        ("div", ["a"]),
        ("span", ["b"]),
    ]


def test_an_elements_text_is_cut_at_the_limit_of_visible_characters() -> None:
    root = parse_html(
        "<html><body><div id=box><h1>Headline</h1>" + " " * 500 + "<p>More text</p>"
        "<script>var hidden = 1;</script><p>Last</p></div></body></html>"
    )
    box = root.get_element_by_id("box")
    assert tag_text(box, 30) == "Headline More text Last"
    assert tag_text(box, 12) == "Headline Mor"


def test_text_outside_chrome_leaves_out_menus_footers_and_scripts() -> None:
    root = parse_html(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><p>Two"
        "   words</p><script>var x = 1;</script>tail <aside>Related story</aside></main>"
        "<footer>Contact us</footer></body></html>"
    )
    assert text_size_outside_chrome(root) == len("Two words tail ")


def test_a_copy_without_comment_sections_keeps_the_rest_and_the_page() -> None:
    """Sibling comment lists go at once (dropping the first must not shift the second's
    place onto the text between them), nested comments with their list, the page unchanged."""
    html = (
        "<html><body><article class='post has-comments'><h1>Budget</h1><p>Text</p></article>"
        "<div id='comments'><p class='comment'>First</p></div><div><p>Between</p></div>"
        "<div class='commentlist'><p class='comment'>Second</p></div><div><p>After</p></div>"
        "</body></html>"
    )
    root = parse_html(html)
    sections = comment_sections(named_elements(root))
    assert [element.get("id") or element.get("class") for element in sections] == [
        "comments",
        "commentlist",
    ]
    copied = copy_without(root, sections)
    assert [tag_text(p) for p in copied.iter("h1", "p")] == ["Budget", "Text", "Between", "After"]
    assert "First" in root.text_content() and "Second" in root.text_content()


def test_the_section_label_nearest_the_headline_counts_every_element_between() -> None:
    """Two labels: one before the headline with six paragraphs between, one after it inside
    three named wrappers. The one after stands nearer."""
    html = page(
        "<title>Budget passes</title>",
        '<div class="crumbs-bar"><span class="category">Politics</span></div>'
        + "<p>Advertisement</p>" * 6
        + "<h1>Budget passes</h1>"
        '<div class="meta"><div class="row"><div class="cell">'
        '<span class="category">City Hall</span></div></div></div>' + TEXT,
    )
    assert extract_article(html, "https://example.com/news/budget").section == "City Hall"


@pytest.mark.parametrize(
    ("head", "headline", "title", "source"),
    [
        pytest.param(
            '<meta property="og:title"'
            ' content="&quot;Welches Europa wir wollen&quot; - ein Gespräch...">',
            "„Welches Europa wir wollen“ – ein Gespräch…",
            "„Welches Europa wir wollen“ – ein Gespräch…",
            "markup",
            id="a meta title with straight quotes yields the headline as printed",
        ),
        pytest.param(
            '<meta property="og:title" content="Council passes the budget">',
            "Council passes the budget, at last",
            "Council passes the budget",
            "meta",
            id="a meta title worded otherwise than the headline stays",
        ),
        pytest.param(
            '<meta property="og:title" content="Budget: council finally agrees">'
            "<title>Council passes the budget, at last - The Daily Example</title>",
            "Council passes the budget, at last",
            "Council passes the budget, at last",
            "markup",
            id="the headline the title element repeats wins over an SEO title",
        ),
        pytest.param(
            '<meta property="og:title" content="Budget 2025: what it means for your taxes">',
            "Council passes the budget after a long debate",
            "Council passes the budget after a long debate",
            "markup",
            id="the headline above the article's text wins over an SEO title",
        ),
        pytest.param(
            '<meta property="og:title" content="Budget 2025: what it means for your taxes">',
            "Press releases",
            "Budget 2025: what it means for your taxes",
            "meta",
            id="a two-word label above the text is no headline",
        ),
    ],
)
def test_the_visible_headline_against_a_meta_title(
    head: str, headline: str, title: str, source: str
) -> None:
    html = page(head, f"<article><h1>{headline}</h1>{TEXT}</article>")
    article = extract_article(html, "https://news.example/a", outlet_name="The Daily Example")
    assert (article.title, article.provenance["title"]) == (title, source)


SEO_TITLE = '<meta property="og:title" content="Budget 2025: what it means for your taxes">'


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            '<h1><a href="https://news.example/">The Council Watch Blog</a></h1>'
            f"<h2>Budget 2025: what it means for your taxes</h2>{TEXT}",
            id="an h1 linking to the home page names the site",
        ),
        pytest.param(
            "<h1>Council passes the budget after a long debate</h1>"
            + '<div><a href="/other">Another story</a></div>' * 20
            + TEXT,
            id="an h1 above a list of links heads no text",
        ),
        pytest.param(
            f"<div><h1>Rates rise again this spring</h1>{TEXT}</div>"
            f"<div><h1>Council passes the budget after a long debate</h1>{TEXT}</div>",
            id="the first of several h1 is no certain headline",
        ),
    ],
)
def test_a_visible_headline_without_evidence_leaves_the_meta_title(body: str) -> None:
    article = extract_article(page(SEO_TITLE, body), "https://news.example/2025/budget")
    assert (article.title, article.provenance["title"]) == (
        "Budget 2025: what it means for your taxes",
        "meta",
    )


def test_a_meta_title_cut_at_an_unescaped_quote_yields_to_the_whole_title() -> None:
    head = (
        '<meta property="og:title" content="Senator calls the budget "reckless"">'
        '<title>Senator calls the budget "reckless"</title>'
    )
    article = extract_article(page(head, TEXT), "https://news.example/a")
    assert article.title == 'Senator calls the budget "reckless"'


def test_ruby_readings_are_not_part_of_the_headline() -> None:
    """<rt> prints a word's reading above it: "子<rt>こ</rt>ども" reads 子ども."""
    headline = (
        "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を禁止する法律ができる"
    )
    article = extract_article(
        page("", f"<article><h1>{headline}</h1>{TEXT}</article>"), "https://news.example/a"
    )
    assert article.title == "子どもへの体罰を禁止する法律ができる"


def test_a_card_a_link_opens_on_hover_is_no_part_of_the_sentence() -> None:
    """A politician's card and a glossary's definition, hidden until the pointer rests on the
    link before them; a tooltip that is the printed text itself, or is the link, stays."""
    card = (
        "<span class='rollover-people'><a href='/people/jane-roe'>Jane Roe</a>"
        "<span class='rollover-people-block'><img src='/roe.jpg'><a href='/people/jane-roe'>"
        "Jane Q. Roe</a><a href='/other'>Senate passes the budget | Roe speaks</a></span></span>"
    )
    term = (
        "<span class='glossary'><strong><a href='/glossary/quorum'>quorum</a></strong>"
        "<i class='caret'></i><span class='tooltip'>The least number of members needed.</span>"
        "</span>"
    )
    html = page(
        "<title>Budget</title>",
        f"<article><h1>Budget</h1><p>Senator {card} said the {term} was present at "
        "<span class='tooltip' data-tip='Eastern time'>9:00 (ET)</span> and that "
        f"<a class='tooltip-link' href='/glossary/bill'>the bill</a> would pass.</p>{TEXT}"
        "</article>",
    )
    body = extract_article(html, "https://news.example/a").body
    assert body.startswith(
        "Senator Jane Roe said the quorum was present at 9:00 (ET) and that the bill would pass."
    ), body


def test_subheadings_with_a_table_of_contents_plugins_anchors_stay_in_the_body() -> None:
    """Easy Table of Contents puts an empty <span> on each side of a heading's text; a page
    has headings without them too (so that the body is not paragraphs only)."""

    def heading(text: str, anchor: str) -> str:
        return (
            f"<h2><span class='ez-toc-section' id='{anchor}'></span>{text}"
            "<span class='ez-toc-section-end'></span></h2>"
        )

    html = page(
        "<title>Budget</title>",
        f"<article><h1>Budget</h1><div class='entry-content'>{TEXT}"
        f"{heading('The library', 'The_library')}{LIBRARY}"
        f"{heading('The buses', 'The_buses')}{TEXT.replace('city', 'town')}"
        f"<h2>The costs</h2>{TEXT.replace('city', 'county')}</div></article>",
    )
    body = extract_article(html, "https://news.example/a").body.split("\n\n")
    assert body[2:5] == ["The library", LIBRARY[3:-4], "The buses"], body
    assert "The costs" in body


def test_a_paragraph_that_is_a_named_anchor_is_text_not_a_link() -> None:
    """A transcript marks each question as a link target, <a name> without an href."""
    question = "One question listeners ask most often now: what does the professor say to that?"
    html = page(
        "<title>Budget</title>",
        f"<article><h1>Budget</h1><div class='text'>{TEXT}<p><a name='q7'>{question}</a></p>"
        f"{TEXT.replace('city', 'county')}</div></article>",
    )
    assert question in extract_article(html, "https://news.example/a").body.split("\n\n")


def test_a_byline_in_the_articles_own_footer_is_read_and_one_in_the_page_footer_is_not() -> None:
    own = page(
        "<title>Budget</title>",
        f"<article><h1>Budget</h1>{TEXT}<footer class='post-footer'>Posted by "
        "<a href='/author/jane' rel='author'>Jane Doe</a> at 18:52</footer></article>",
    )
    assert extract_article(own, "https://news.example/a").authors == ["Jane Doe"]
    site = page(
        "<title>Budget</title>",
        f"<article><h1>Budget</h1>{TEXT}</article>"
        "<footer>Theme by <a href='https://themes.example' rel='author'>Theme Shop</a></footer>",
    )
    assert extract_article(site, "https://news.example/a").authors == []


def test_a_site_address_as_the_meta_author_gives_way_to_the_printed_byline() -> None:
    html = page(
        '<title>Budget</title><meta name="author" content="example-news.at">',
        f"<article><h1>Budget</h1><div class='autor'>von Alexander Karper</div>{TEXT}</article>",
    )
    article = extract_article(html, "https://www.example-news.at/a")
    assert (article.authors, article.provenance["authors"]) == (["Alexander Karper"], "markup")
    alone = page('<title>Budget</title><meta name="author" content="rezepte.pl">', TEXT)
    assert extract_article(alone, "https://rezepte.pl/a").authors == ["rezepte.pl"]


@pytest.mark.parametrize(
    "meta_author",
    ["Web Commerce GmbH www.w-commerce.de", "Frank Roe - http://roe-themes.example", "symple.ch"],
)
def test_a_meta_author_giving_another_sites_address_is_its_maker_not_the_author(
    meta_author: str,
) -> None:
    """A web agency's or a theme developer's credit in <meta name=author>."""
    html = page(f'<title>Budget</title><meta name="author" content="{meta_author}">', TEXT)
    assert extract_article(html, "https://www.parish-news.de/a").authors == []
    printed = page(
        f'<title>Budget</title><meta name="author" content="{meta_author}">',
        f"<article><h1>Budget</h1><div class='author'>Alexandra Weber</div>{TEXT}</article>",
    )
    assert extract_article(printed, "https://www.parish-news.de/a").authors == ["Alexandra Weber"]
    # the outlet's own address, or someone's e-mail address, is no other site
    own = page('<title>Budget</title><meta name="author" content="parish-news.de">', TEXT)
    assert extract_article(own, "https://www.parish-news.de/a").authors == ["parish-news.de"]
    mail = page('<title>Budget</title><meta name="author" content="Lüder Hoppe info@roe.de">', TEXT)
    assert extract_article(mail, "https://www.parish-news.de/a").authors == ["Lüder Hoppe"]


@pytest.mark.parametrize(
    "link",
    [
        "<a href='/author/jane-doe/'>Alles von Jane Doe</a>",
        "<a href='https://news.example/autoren/jane-doe-684124'><span class='profilbild'>"
        "<picture><img src='/jd.jpg'><span>© Jane Doe</span></picture></span> Jane Doe</a>",
    ],
)
def test_a_link_to_the_authors_page_is_the_byline_when_nothing_else_is(link: str) -> None:
    html = page("<title>Budget</title>", f"<h1>Budget</h1>{TEXT}<p>{link}</p>")
    article = extract_article(html, "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Jane Doe"], "markup")
    menu = page(
        "<title>Budget</title>",
        f"<nav><a href='/author/john-roe/'>John Roe</a></nav><h1>Budget</h1>{TEXT}<p>{link}</p>",
    )
    assert extract_article(menu, "https://news.example/a").authors == ["Jane Doe"]
    byline = page(
        "<title>Budget</title>", f"<h1>Budget</h1><p class='byline'>Max Roe</p>{TEXT}<p>{link}</p>"
    )
    assert extract_article(byline, "https://news.example/a").authors == ["Max Roe"]


@pytest.mark.parametrize(
    ("meta_author", "byline", "authors"),
    [
        # an organisation, or the outlet with its city, gives way to the people printed
        ("Süddeutsche.de GmbH, Munich, Germany", "Von Markus Balser und Klaus Ott",
         ["Markus Balser", "Klaus Ott"]),
        ("Landesanstalt für Wald und Forstwirtschaft", "Joachim Hamberger", ["Joachim Hamberger"]),
        # a person and a user name stay
        ("Erika Musterfrau", "Henry Montenegro", ["Erika Musterfrau"]),
        ("jdoe", "Photo Desk Team", ["jdoe"]),
        # an organisation stays when the byline names no person in a person's shape
        ("Landesanstalt für Wald", "Online-Redaktion und Partner", ["Landesanstalt für Wald"]),
    ],
)  # fmt: skip
def test_an_organisation_as_the_meta_author_gives_way_to_the_people_printed(
    meta_author: str, byline: str, authors: list[str]
) -> None:
    html = page(
        f'<title>Budget</title><meta name="author" content="{meta_author}">',
        f"<article><h1>Budget</h1><div class='author'>{byline}</div>{TEXT}</article>",
    )
    assert extract_article(html, "https://www.example-news.de/a").authors == authors


def test_bylines_and_dates_of_teaser_cards_are_not_the_articles() -> None:
    """A related post is its own <article>, with its own byline and date."""
    html = page(
        "<title>Budget</title>",
        "<article class='post'><time class='published' datetime='2021-04-06'>6 April</time>"
        "<h1>Budget</h1>"
        "<span class='author vcard'><a class='url fn' href='/authors/jane'>Jane Doe</a></span>"
        f"{TEXT}</article>"
        "<article class='post-card'><h2><a href='/other'>Other story</a></h2>"
        "<span class='author vcard'><a class='url fn' href='/authors/john'>John Roe</a></span>"
        "<time class='published' datetime='2019-02-03'>3 Feb 2019</time></article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == ["Jane Doe"]
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2021-04-06"


def test_bylines_and_dates_of_cards_headed_by_a_link_elsewhere_are_not_the_articles() -> None:
    """Cards of other posts in plain boxes: a linked title, then that post's byline and date."""
    card = (
        "<div class='cb-meta'><h4><a href='/other-story'>Council debates the road plan</a></h4>"
        "<div class='cb-byline'><span class='cb-author'>"
        "<a rel='author' class='author url fn' href='/authors/john'>John Roe</a></span>"
        "<time class='published' datetime='2019-02-03'>3 Feb 2019</time></div></div>"
    )
    html = page(
        "<title>Council passes the budget</title>",
        "<div class='post'><h1>Council passes the budget</h1>"
        "<a rel='author' href='/authors/jane'>Jane Doe</a>"
        f"<time class='published' datetime='2021-04-06'>6 April</time>{TEXT}</div>"
        f"<div class='related'>{card * 3}</div>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == ["Jane Doe"]
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2021-04-06"


def test_a_date_in_a_list_item_linking_to_another_page_is_that_pages() -> None:
    """The article's date above its headline; below the text, "More press releases" lists
    other pages, each date before its linked title."""
    item = (
        "<li><time datetime='2022-08-10 11:05'>10.08.2022 11:05</time>"
        "<a href='/news/how-much-house-can-i-afford'><strong>How much house can I still "
        "afford?</strong></a></li>"
    )
    html = page(
        "<title>Council passes the budget</title>",
        "<div class='banner'><time datetime='2022-12-12 12:22'>12.12.2022 12:22</time></div>"
        f"<div class='news'><h1>Council passes the budget</h1>{TEXT}</div>"
        f"<h4>More press releases</h4><ul>{item * 3}</ul>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.published_at == datetime(2022, 12, 12, 12, 22, tzinfo=UTC)


# A related article's box: its linked title and its teaser text.
RELATED = (
    "<div class='related'><h2><a href='/other-story'>Council debates the road plan</a></h2>"
    "<p>Members spent the evening on potholes, bus lanes and the cost of winter salt.</p></div>"
)


def test_a_short_article_with_a_related_link_below_keeps_its_text() -> None:
    """The related box and the short text above it fit in a teaser's size; the text is
    still no teaser: a teaser starts with its title."""
    html = page(
        "<title>Council passes the budget</title>",
        f"<h1>Council passes the budget</h1><div class='content'>{TEXT}{RELATED}</div>",
    )
    body = extract_article(html, "https://news.example/a").body
    assert body.startswith("The city council approved the new budget")
    assert "potholes" not in body


def test_a_short_article_under_a_linked_section_heading_is_no_teaser() -> None:
    """<h3><a href="/news_category/national/">National</a></h3> above a brief's headline: the
    brief and its heading fit in a teaser's size, but a teaser holds no <h1>."""
    html = page(
        "<title>Council passes the budget</title>",
        "<article><header><h3><a href='/news_category/national/'>National / City Hall</a></h3>"
        f"<h1>Council passes the budget</h1></header>{TEXT}</article>",
    )
    assert extract_article(html, "https://news.example/a").body.startswith("The city council")


def test_an_author_box_after_a_list_of_related_articles_is_the_articles() -> None:
    """A related article's title with its teaser text heads no card of the author box."""
    html = page(
        "<title>Council passes the budget</title>",
        "<div class='head'><h1>Council passes the budget</h1></div><div class='content'>"
        f"{TEXT}{RELATED}<div class='author-box'><span class='author'>Jane Doe</span></div></div>",
    )
    assert extract_article(html, "https://news.example/a").authors == ["Jane Doe"]


def test_a_drupal_author_field_with_its_label_hidden_is_a_byline() -> None:
    html = page(
        '<title>Budget</title><meta name="author" content="City Council Press Office">',
        "<h1>Budget</h1><h5 class='field field--name-field-term-author field--label-hidden "
        f"field--item'>Jane Doe</h5>{TEXT}",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Jane Doe"], "markup")


def test_an_author_boxs_biography_is_not_part_of_the_byline() -> None:
    html = page(
        "<title>Council passes the budget</title>",
        f"<h1>Council passes the budget</h1>{TEXT}<div class='author-info'>"
        "<h3 class='widget-title'>Autor</h3><h4><a href='/author/jd'>Jane Doe</a></h4>"
        "<p class='author-bio'>Covers city hall, schools and transport. She has reported "
        "for us since 2012.</p></div>",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Jane Doe"], "markup")


@pytest.mark.parametrize(
    "line",
    [
        "Posted on September 21, 2020 by Adi Tzlil",
        "Datum: 03.11.2021 Autor: Adi Tzlil",
        "Ein Artikel von Adi Tzlil | 27.01.2022 - 12:45",
        "Lifestyle | By Adi Tzlil | April 13, 2020",
        "Thread starter Adi Tzlil",
        "Text von Adi Tzlil Illustration von Markus Roost",
        "11.12.2019 - Adi Tzlil",
        "04.02.2022 | 13:10 Uhr | Adi Tzlil",
    ],
)
def test_a_byline_after_other_words_on_its_line(line: str) -> None:
    article = under_the_headline(line)
    assert (article.authors, article.provenance["authors"]) == (["Adi Tzlil"], "heuristic")


def under_the_headline(line: str) -> ExtractedArticle:
    html = page("<title>Budget</title>", f"<h1>Budget</h1><div>{line}</div>{TEXT}")
    return extract_article(html, "https://news.example/a")


@pytest.mark.parametrize(
    ("before_headline", "after_headline", "after_text"),
    [
        ("", "<h5>Autor:</h5><span>Adi Tzlil</span>", ""),  # a label alone on its line
        ("", "<p class='label'><strong>By</strong></p><p>Adi Tzlil</p>", ""),
        ("", "<p>Auteur : Adi Tzlil</p> <p>Edition : M-A. Pioerron</p>", ""),
        ("<div>05.02.2020 - Redaktion: Adi Tzlil</div>", "", ""),  # the line over the headline
        ("", "", "<div>Text: Adi Tzlil</div>"),  # a credit right after the text
        ("", "", "<div>Von Adi Tzlil am 07.08.2013 um 09:07 Uhr</div>"),
        ("", "<div>Geschrieben von Adi Tzlil am 25.08.2015</div>", ""),
        ("", "<div>Blog Beitrag von Adi Tzlil</div>", ""),
        ("", "<div>Eine Kolumne von Adi Tzlil</div>", ""),
        ("", "", "<div>Autoren Adi Tzlil</div>"),
        ("", "<div>Text &amp; Fotos: Adi Tzlil</div>", ""),  # a credit for words and pictures
        ("", "<div>Text und Bilder: Adi Tzlil</div>", ""),
    ],
)
def test_a_byline_around_the_headline_or_right_after_the_text(
    before_headline: str, after_headline: str, after_text: str
) -> None:
    headline = "Council passes the budget"
    html = page(
        f"<title>{headline}</title>",
        f"{before_headline}<h1>{headline}</h1>{after_headline}{TEXT}{after_text}",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Adi Tzlil"], "heuristic")
    assert "Adi Tzlil" not in article.body


@pytest.mark.parametrize("line", ["PAID CONTENT | 04.02.2022", "04.02.2022 - Lokales"])
def test_a_label_beside_a_date_is_no_byline(line: str) -> None:
    assert under_the_headline(line).authors == []


def test_a_user_name_after_a_labelled_lead_in_is_a_byline() -> None:
    assert under_the_headline("Verfasst von: adi_tz").authors == ["adi_tz"]


def test_a_byline_the_text_extractor_took_for_the_first_paragraph_is_read() -> None:
    html = page(
        "<title>Council passes the budget</title>",
        "<h1>Council passes the budget</h1>"
        f"<div><p>Local | By Adi Tzlil | April 13, 2020</p>{TEXT}</div>",
    )
    assert extract_article(html, "https://news.example/a").authors == ["Adi Tzlil"]


def test_a_commenters_name_and_date_are_not_the_articles() -> None:
    comments = (
        "<ol class='commentlist'><li class='comment' id='comment-22203'>"
        "<span class='author'>dottoressa</span>"
        "<span class='date published' title='2018-03-07T10:23:00'>vor 1 Woche</span>"
        "<p>Liebe Claudia, du hast sehr schönes Haar und dieses Shampoo ist sehr gut.</p>"
        "</li></ol>"
    )
    html = page(
        "<title>Council passes the budget</title>",
        "<div class='post has-comments'><h1>Council passes the budget</h1>"
        f"<div>Published: 6 March 2018</div>{TEXT}</div>{comments}",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == []
    assert article.published_at == datetime(2018, 3, 6, tzinfo=UTC)


def test_the_last_resort_date_searches_skip_comments_and_links_to_other_pages() -> None:
    """Where nothing states the article's date, htmldate's searches of the page would take
    a reader's comment's (its quick search reads <time> elements) or a linked page's (its
    search of all the page reads addresses); the article then has none."""
    comment = (
        "<ol class='comment-list'><li class='comment'><footer class='comment-meta'>"
        "<time datetime='2020-02-25T13:02:01+01:00'>25. Februar 2020</time></footer>"
        "<p>Great episode!</p></li></ol>"
    )
    link = "<p>See <a href='https://other.example/pub/2004/02/05/learn.html'>this</a>.</p>"
    for extra in (comment, link):
        html = page("<title>Budget</title>", f"<article><h1>Budget</h1>{TEXT}{extra}</article>")
        assert extract_article(html, "https://news.example/a").published_at is None
    stated = "<p class='date'>Published: 6 March 2018</p>"
    html = page("<title>Budget</title>", f"<h1>Budget</h1>{stated}{TEXT}{comment}{link}")
    published = extract_article(html, "https://news.example/a").published_at
    assert published == datetime(2018, 3, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "dateline",
    [
        "<div><span class='label'>Datum:</span> <span>18.10.2021</span></div>",
        "<h5>Datum:</h5><span>18.10.2021</span>",  # the label alone on its line
        "<div>Erschienen am: 18.10.2021</div><div>Letzte Änderung: 19.10.2021 - 14:49</div>",
    ],
)
def test_a_labelled_dateline_below_the_headline(dateline: str) -> None:
    headline = "Council passes the budget"
    html = page(
        f"<title>{headline}</title>",
        f"<h1>{headline}</h1>{dateline}<p>Im Bundesgesetzblatt vom 17. August 2021 stand es.</p>"
        f"{TEXT}",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.published_at == datetime(2021, 10, 18, tzinfo=UTC)
    assert "18.10.2021" not in article.body


def test_a_headline_line_that_goes_on_with_when_it_was_posted() -> None:
    """A German WordPress theme: "<title> wurde am <date> gepostet" as one line."""
    body = (
        "<div class='post'><div><a href='/p/1'>Council passes the budget</a> wurde am 19. Mai 2010"
        f" um 23:03 Uhr gepostet und unter Allgemein abgelegt.</div>{TEXT}</div>"
    )
    html = page("<title>Council passes the budget</title>", body)
    published = extract_article(html, "https://news.example/a").published_at
    assert published == datetime(2010, 5, 19, 23, 3, tzinfo=UTC)


def test_a_last_change_label_dates_the_update() -> None:
    body = f"<h1>Budget</h1><div>Letzte Änderung: 19.10.2021 - 14:49</div>{TEXT}"
    article = extract_article(page("<title>Budget</title>", body), "https://news.example/a")
    assert article.updated_at == datetime(2021, 10, 19, 14, 49, tzinfo=UTC)


def test_a_byline_between_the_lead_and_the_text() -> None:
    headline = "Council passes the budget"
    lead = (
        "<p class='lead'>After a long night the council agreed on the budget, the first one "
        "in three years that keeps property taxes flat.</p>"
    )
    html = page(
        f"<title>{headline}</title>",
        f"<h1>{headline}</h1>{lead}<div>Von Adi Tzlil und Jan Lukas Roe, NDR</div>{TEXT}",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == ["Adi Tzlil", "Jan Lukas Roe", "NDR"]
    assert article.body.startswith("After a long night")


@pytest.mark.parametrize(
    "after_text",
    [
        # a reader's comment below the text
        "<h3>Kommentare</h3><div>von Max Muster am 7. Mai 2020</div>",
        # a share button's text quoting the headline
        "<div>Text: Council passes the budget @news.example</div>",
    ],
)
def test_a_comment_or_a_share_text_below_the_article_names_no_author(after_text: str) -> None:
    headline = "Council passes the budget"
    html = page(f"<title>{headline}</title>", f"<h1>{headline}</h1>{TEXT}{after_text}")
    assert extract_article(html, "https://news.example/a").authors == []


@pytest.mark.parametrize(
    ("closing", "authors"),
    [
        ("<p><b><i>Adi Tzlil</i></b></p>", ["Adi Tzlil"]),  # the name that signs the text off
        ("<p class='clearfix'>\n <strong>Adi Tzlil</strong>\n</p>", ["Adi Tzlil"]),
        ("<p>Adi Tzlil</p>", []),  # a plain line: a caption's, a teaser's
        ("<p><strong><a href='/kontakt'>Adi Tzlil</a></strong></p>", []),  # a contact
        # a teaser list's title
        ("<p><strong>Weitere Artikel</strong></p><ul><li><a href='/b'>Zoo opens</a></li></ul>", []),
    ],
)
def test_a_name_in_bold_closing_the_texts_box_signs_the_article(
    closing: str, authors: list[str]
) -> None:
    headline = "Council passes the budget"
    html = page(
        f"<title>{headline}</title>",
        f"<h1>{headline}</h1><div class='text'>{TEXT}{closing}</div><footer>Impressum</footer>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == authors
    assert "Adi Tzlil" not in article.body


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("<p>von Adi Tzlil</p>", ["Adi Tzlil"]),  # a film's maker under its title, mid-page
        ("<p>Von Adi Tzlil und Jan Lukas Roe</p>", ["Adi Tzlil", "Jan Lukas Roe"]),
        # a glossary's range of words, which the clean-up takes for a byline: no name
        ("<p>Von Atemschutzmaske über Exit-Strategie bis Zoonose</p>", []),
    ],
)
def test_a_byline_inside_the_text_names_the_author_when_nothing_else_does(
    line: str, authors: list[str]
) -> None:
    headline = "Council passes the budget"
    html = page(
        f"<title>{headline}</title>",
        f"<h1>{headline}</h1><div class='text'>{TEXT}<h2>The library</h2>{line}{LIBRARY}"
        f"{BUSES}</div>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.authors == authors
    assert "Tzlil" not in article.body


def test_a_byline_below_the_headline_is_read_however_far_the_text_starts_below() -> None:
    """A page may put a gallery and its captions between the byline and the text."""
    gallery = "".join(
        f'<figure><img src="/p{n}.jpg"><figcaption>Picture {n} of the council</figcaption></figure>'
        for n in range(30)
    )
    headline = "Council passes the budget"
    html = page(
        f"<title>{headline}</title>", f"<h1>{headline}</h1><div>von Adi Tzlil</div>{gallery}{TEXT}"
    )
    assert extract_article(html, "https://news.example/a").authors == ["Adi Tzlil"]


def test_a_json_ld_user_name_is_spelled_as_the_meta_author() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "author": {"@type": "Person", "name": "edilson.la.rosa"}}</script>'
        '<meta name="author" content="Edilson La Rosa">'
    )
    article = extract_article(page(head, TEXT), "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Edilson La Rosa"], "json-ld")


@pytest.mark.parametrize(
    ("printed", "authors"),
    [
        ("By Jane Doe, John Roe and Mary Ann Smith", ["Jane Doe", "John Roe", "Mary Ann Smith"]),
        # names beside the json-ld author that are no person stay out
        ("By Jane Doe, Photographs", ["Jane Doe"]),
        ("By Jane Doe, Online-Redaktion", ["Jane Doe"]),
        ("By Jane Doe, AMP Project Marketing", ["Jane Doe"]),
    ],
)
def test_co_authors_the_json_ld_leaves_out_are_read_from_the_byline(
    printed: str, authors: list[str]
) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "author": {"@type": "Person", "name": "Jane Doe"}}</script>'
    )
    body = f'<h1>Budget approved</h1><p class="byline">{printed}</p>{TEXT}'
    assert extract_article(page(head, body), "https://news.example/a").authors == authors


def test_a_teasers_headline_starting_with_von_is_no_byline() -> None:
    html = page(
        "<title>Budget</title>",
        f"<h1>Budget</h1><div>Von der Fahrbahn abgekommen</div>{TEXT}",
    )
    assert extract_article(html, "https://news.example/a").authors == []


def test_a_date_and_the_time_printed_beside_it_are_one_moment() -> None:
    """The JSON-LD time is in UTC; the page prints the local day and, in its own element, the
    local time: the moment is kept in the page's offset, so its day is the printed one."""
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "Wed, 04 May 2022 00:25:56 GMT"}</script>'
    )
    body = (
        '<h1>Budget approved</h1><span class="date"><time class="date">3 May 2022</time>'
        f'<time class="hour">21:25</time></span>{TEXT}'
    )
    published = extract_article(page(head, body), "https://news.example/a").published_at
    assert published == datetime(2022, 5, 4, 0, 25, 56, tzinfo=UTC)
    assert published is not None and published.date().isoformat() == "2022-05-03"


def test_the_local_time_printed_under_the_headline_gives_the_day_readers_see() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2020-02-25T02:25:54Z"}</script>'
    )
    body = f"<h1>Budget approved</h1><div>February 24, 2020 | 9:25pm</div>{TEXT}"
    published = extract_article(page(head, body), "https://news.example/a").published_at
    assert published == datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC)
    assert published is not None and published.date().isoformat() == "2020-02-24"


def test_a_copyright_year_is_not_a_publication_date() -> None:
    html = page("<title>Budget</title>", f"<h1>Budget</h1>{TEXT}<footer>© 2016 Daily</footer>")
    assert extract_article(html, "https://news.example/a").published_at is None


def test_a_date_only_the_pages_chrome_prints_is_not_the_articles() -> None:
    """The last-resort search of the page's text skips nav, footer and aside: their dates are
    other pages' (a teaser, an archive list), while one in the text stays."""
    teaser = "<aside><p>Die Wahl vom 12. März 2015 im Rückblick</p></aside>"
    html = page("<title>Budget</title>", f"<h1>Budget</h1>{TEXT}{teaser}")
    assert extract_article(html, "https://news.example/a").published_at is None
    dated = page("<title>Budget</title>", f"<h1>Budget</h1><p>Stand 12. März 2015</p>{TEXT}")
    published = extract_article(dated, "https://news.example/a").published_at
    assert published is not None and published.date().isoformat() == "2015-03-12"


@pytest.mark.parametrize(
    "chrome",
    [
        # a masthead's date of the day, over the headline: a dateline to the line heuristics
        "<header><span class='today'>Tuesday, 14 November 2023</span></header>",
        # a footer's time the page was built (htmldate's quick search read it month first)
        "<footer><p>Copyright © 04/05/2022 - 12:14 h by Daily GmbH</p></footer>",
        # another story's teaser date in a sidebar, marked up as a date
        "<aside><a href='/x'>Other story</a> <span class='post-date'>29. September 2020</span>"
        "</aside>",
        "<nav><a href='/archive/2021/03/15/'>15 March 2021</a></nav>",
    ],
)
def test_no_search_dates_the_article_by_the_sites_chrome(chrome: str) -> None:
    """The page states no date: the site's header, footer, nav or aside outside the article
    date something else (the issue's "never a date from an unrelated part of the page")."""
    html = page("<title>Budget</title>", f"{chrome}<main><h1>Budget</h1>{TEXT}</main>")
    assert extract_article(html, "https://news.example/a").published_at is None


def test_the_articles_own_header_and_footer_still_date_it() -> None:
    """A header holding the headline, a footer inside the article, and a dateline that the
    masthead prints too (an article of the day) are the article's."""
    masthead = "<header><span class='today'>Tuesday, 14 November 2023</span></header>"
    cases = [
        f"<header><h1>Budget</h1><span class='date'>6 April 2021</span></header><div>{TEXT}</div>",
        f"<article><h1>Budget</h1>{TEXT}<footer><span class='date'>6 April 2021</span>"
        "</footer></article>",
        f"{masthead}<main><h1>Budget</h1><p>Tuesday, 14 November 2023</p>{TEXT}</main>",
    ]
    days = []
    for body in cases:
        published = extract_article(page("<title>Budget</title>", body), "https://x.example/a")
        days.append(published.published_at.date().isoformat() if published.published_at else None)
    assert days == ["2021-04-06", "2021-04-06", "2023-11-14"]


def test_a_date_in_a_style_sheets_or_scripts_address_is_not_the_articles() -> None:
    """Cache-busting versions ("?v=2022-06-15", "?ver=2.2-20120417") date a file, not the
    article; a date in the page's own address (its canonical link) still counts."""
    assets = (
        '<link rel="stylesheet" href="/css/print.css?v=2022-06-15">'
        '<script src="/js/swfobject.js?ver=2.2-20120417"></script>'
    )
    html = page(f"<title>Budget</title>{assets}", f"<h1>Budget</h1>{TEXT}")
    assert extract_article(html, "https://news.example/a").published_at is None
    own = '<link rel="canonical" href="https://news.example/meldungen/29-10-2021">'
    dated = page(f"<title>Budget</title>{assets}{own}", f"<h1>Budget</h1>{TEXT}")
    published = extract_article(dated, "https://news.example/a").published_at
    assert published is not None and published.date().isoformat() == "2021-10-29"


def test_meta_dates_written_day_first_are_read_so_when_the_page_shows_it() -> None:
    """A CMS that writes "10/05/2022" for 10 May, as its modification time "2022/05/10"
    shows: read the US way, publication would be 5 October, after the modification."""
    html = page(
        '<meta property="article:published_time" content="10/05/2022 05:22 pm">'
        '<meta property="article:modified_time" content="2022/05/10 17:36:11">',
        f"<article><h1>Budget</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://news.example/budget")
    assert article.published_at == datetime(2022, 5, 10, 17, 22, tzinfo=UTC)
    assert article.updated_at == datetime(2022, 5, 10, 17, 36, 11, tzinfo=UTC)


def test_a_press_release_is_dated_by_the_date_that_opens_its_text() -> None:
    """Nothing labels or marks up a date; the text after the lead opens with one, and the
    text itself names other days ("from 1.9.2022")."""
    html = page(
        "<title>Council passes the budget</title>",
        "<div class='news'><h1>Council passes the budget</h1>"
        "<p class='lead'>The council approved next year's budget after a long debate.</p>"
        "<p>29.11.2022 – The city council approved the new budget on Monday after a long "
        "debate about road repairs, school funding and the library's costs.</p>"
        "<p>The new bus routes start from 1.9.2022, paid for by a one-off transfer from the "
        "reserve, while property taxes stay flat for another year.</p></div>"
        "<div class='more'><a href='/archive/2021/budget'>Last year's budget</a> 3.12.2021</div>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.published_at == datetime(2022, 11, 29, tzinfo=UTC)
    assert article.provenance["published_at"] == "heuristic"


def test_a_comment_forms_name_field_is_no_byline_and_a_header_info_link_is() -> None:
    html = page(
        "<title>Budget</title>",
        "<article><h1>Budget</h1><div class='header-info__author'>"
        "<a class='header-info__author-link' href='/p/jane'>Jane Doe</a></div>"
        f"{TEXT}<form class='comment-form'><div class='comment-form-author'>"
        "<div class='warning-author'>Please enter your name here</div></div></form></article>",
    )
    assert extract_article(html, "https://news.example/a").authors == ["Jane Doe"]


def test_a_section_that_repeats_the_headline_is_neither_section_nor_title_stripper() -> None:
    """Some CMSs fill article:section with the title; taken for a section, it stripped the
    title away entirely."""
    html = page(
        "<title>Why we need humility | Daily</title>"
        '<meta property="og:title" content="Why we need humility">'
        '<meta property="article:section" content="Why we need humility">',
        f"<article><h1>Why we need humility</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.title, article.section) == ("Why we need humility", None)


def test_a_one_word_headline_the_title_element_repeats_is_the_sections_name() -> None:
    """<h1>News</h1> and <title>News - Eawag</title> name the section; og:title the story."""
    html = page(
        '<title>News - Eawag</title><meta property="og:title" content="The first electron counts">',
        f"<article><h1>News</h1>{TEXT}</article>",
    )
    article = extract_article(html, "https://www.eawag.example/news/first-electron")
    assert (article.title, article.provenance["title"]) == ("The first electron counts", "meta")


def rosa_page(title: str, header: str) -> str:
    return page(
        f"<title>{title}</title>", f"<header>{header}</header><div class='content'>{TEXT}</div>"
    )


def test_an_h1_in_the_page_header_is_the_headline_when_the_title_starts_with_it() -> None:
    """Themes without <article> put the article's <h1> in a <header> of the page."""
    html = rosa_page(
        "«We spent forty days in quarantine» - Rosa Foundation",
        "<h1>«We spent forty days in quarantine»</h1>",
    )
    title = extract_article(html, "https://www.rosa.example/news/45292").title
    assert title == "«We spent forty days in quarantine»"


def test_the_byline_and_date_beside_the_headline_in_the_page_header_are_the_articles() -> None:
    """A theme without <article> prints headline, byline and date in the page's <header>."""
    html = page(
        "<title>Council passes the budget - Daily Example</title>",
        "<header><div class='logo'>Daily Example</div><h1>Council passes the budget</h1>"
        "<ul class='author'><li>Jane Doe</li></ul><span class='date'>6 April 2021</span>"
        f"</header><div class='content'>{TEXT}</div>",
    )
    article = extract_article(html, "https://news.example/a")
    assert (article.authors, article.provenance["authors"]) == (["Jane Doe"], "markup")
    assert article.provenance["published_at"] == "markup"


def test_the_h2_under_a_strapline_in_the_page_header_is_the_headline() -> None:
    """<h1> a strapline, <h2> the headline, the title both: the byline beside them is read."""
    html = page(
        "<title>Council passes the budget after a long debate - Budget vote</title>",
        "<header><h1 class='strapline'>Budget vote</h1>"
        "<h2 class='title'>Council passes the budget after a long debate</h2>"
        "<ul class='author'><li>Jane Doe</li></ul>"
        f"</header><article><div class='content'>{TEXT}</div></article>",
    )
    article = extract_article(html, "https://news.example/a")
    assert article.title == "Council passes the budget after a long debate"
    assert (article.authors, article.provenance["authors"]) == (["Jane Doe"], "markup")


def test_a_logo_h1_in_the_page_header_is_not_the_headline() -> None:
    """The logo's <h1> names the site, which a title may start with too."""
    html = rosa_page(
        "Rosa Foundation | «We spent forty days in quarantine»",
        '<h1 class="logo">Rosa Foundation</h1>',
    )
    title = extract_article(html, "https://www.rosa.example/news/45292").title
    assert title is not None and title.endswith("«We spent forty days in quarantine»")


def test_a_client_side_template_never_reaches_the_body() -> None:
    """<template> content is never rendered; trafilatura would read "{{#title}}" as text."""
    template = (
        "<template id='steps'><div class='steps'><p>Step by step guide by {{author}}</p>"
        "{{#steps}}<p>{{#title}} {{text}} {{/title}}</p>{{/steps}}"
        "<p>There is no step by step guide for this recipe yet. Write the first one!</p>"
        "</div></template>"
    )
    html = page("<title>Budget</title>", f"<article><h1>Budget</h1>{TEXT}{template}</article>")
    body = extract_article(html, "https://news.example/a").body
    assert "council approved" in body
    assert "{{" not in body and "step by step" not in body


def test_microdata_of_a_cited_paper_is_not_the_articles() -> None:
    """A reference list marks each cited paper up as an item with its own author and date."""
    citation = (
        '<li itemprop="citation" itemscope itemtype="http://schema.org/ScholarlyArticle">'
        '<meta itemprop="author" content="NH. Shear, SP. Spielberg">'
        '<meta itemprop="datePublished" content="1988-05-01">'
        "Shear NH, Spielberg SP. Anticonvulsant hypersensitivity syndrome. 1988.</li>"
    )
    html = page(
        '<meta name="citation_author" content="Marwan H. Adwan">',
        '<article itemscope itemtype="http://schema.org/ScholarlyArticle"><h1>DRESS syndrome</h1>'
        f"{TEXT}<h2>References</h2><ol>{citation}</ol></article>",
    )
    article = extract_article(html, "https://journal.example/article/10.1007/1")
    assert article.authors == ["Marwan H. Adwan"]
    assert article.published_at is None
