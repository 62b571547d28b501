"""JSON-LD, meta-tag and markup collectors: what each finds and how it is tagged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from worker.extraction import jsonld, markup, meta
from worker.extraction.hints import Hints
from worker.extraction.parsing import parse_html

URL = "https://news.example.com/world/2021/04/06/story.html"


def values(hints: Hints, name: str) -> list[str]:
    return [hint.value for hint in hints.get(name)]


def ld(*objects: Any) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(obj)}</script>' for obj in objects
    )
    return f"<html><head>{scripts}</head><body></body></html>"


class TestJsonLd:
    def test_plain_news_article(self) -> None:
        html = ld(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": "Headline &amp; more",
                "author": {"@type": "Person", "name": "Jane Doe"},
                "datePublished": "2021-04-06T09:18:00+09:00",
                "dateModified": "2021-04-06T10:00:00+09:00",
                "articleSection": "World",
                "description": "<p>Short summary.</p>",
                "image": "https://cdn.example.com/a.jpg",
                "inLanguage": "en-GB",
                "mainEntityOfPage": {"@type": "WebPage", "@id": URL},
                "publisher": {"@type": "Organization", "name": "Example News"},
            }
        )
        hints = jsonld.collect(parse_html(html), URL)
        assert values(hints, "title") == ["Headline & more"]
        assert values(hints, "authors") == ["Jane Doe"]
        assert values(hints, "published") == ["2021-04-06T09:18:00+09:00"]
        assert values(hints, "updated") == ["2021-04-06T10:00:00+09:00"]
        assert values(hints, "section") == ["World"]
        assert values(hints, "description") == ["Short summary."]
        assert values(hints, "image") == ["https://cdn.example.com/a.jpg"]
        assert values(hints, "language") == ["en-GB"]
        assert values(hints, "canonical") == [URL]
        assert values(hints, "site_name") == ["Example News"]
        assert {hint.source for name in hints.fields for hint in hints.get(name)} == {"json-ld"}

    @pytest.mark.parametrize(
        "section",
        [["Legal", "National"], "Legal,National", "Legal, National", ["Legal, National"]],
    )
    def test_a_list_of_sections_joined_or_not_is_one_section_each(self, section: Any) -> None:
        html = ld({"@type": "NewsArticle", "headline": "Court rules", "articleSection": section})
        assert values(jsonld.collect(parse_html(html), URL), "section") == ["Legal", "National"]

    def test_list_of_objects_picks_the_article_for_this_page(self) -> None:
        html = ld(
            [
                {"@type": "BlogPosting", "headline": "Other post", "url": "https://x.test/other"},
                {"@type": "BlogPosting", "headline": "This post", "url": URL},
            ]
        )
        assert values(jsonld.collect(parse_html(html), URL), "title") == ["This post"]

    def test_authors_in_every_shape(self) -> None:
        html = ld(
            {
                "@type": "Article",
                "headline": "h",
                "author": [
                    "Jane Doe",
                    {"@type": "Person", "givenName": "John", "familyName": "Roe"},
                    {"@id": "#p3"},
                    {"@type": "Organization", "name": "Example News"},
                ],
                "publisher": {"@type": "Organization", "name": "Example News"},
            },
            {"@type": "Person", "@id": "#p3", "name": "Max Mustermann"},
        )
        hints = jsonld.collect(parse_html(html), URL)
        assert values(hints, "authors") == ["Jane Doe", "John Roe", "Max Mustermann"]
        assert values(hints, "outlet_author") == ["Example News"]

    @pytest.mark.parametrize(
        ("shown", "bio", "author"),
        [
            ("Stefanus", "Stefanus Stahl - Maschinenbauer und Abenteurer.", "Stefanus Stahl"),
            ("jdoe", "Jdoe Reviews bikes for us.", "jdoe"),  # a sentence's start, no surname
            ("Jane", "Jane Doe is our science editor.", "Jane Doe"),
            ("Jane", "Max Roe - science editor.", "Jane"),  # somebody else's name
        ],
    )
    def test_a_first_name_alone_is_the_full_name_its_biography_opens_with(
        self, shown: str, bio: str, author: str
    ) -> None:
        """Yoast shows a person's display name, often a first name; the bio spells it out."""
        html = ld(
            {
                "@graph": [
                    {"@type": "Article", "headline": "h", "author": {"@id": "#p"}},
                    {"@type": "Person", "@id": "#p", "name": shown, "description": bio},
                ]
            }
        )
        assert values(jsonld.collect(parse_html(html), URL), "authors") == [author]

    def test_image_object_lists_and_breadcrumb_section(self) -> None:
        html = ld(
            {
                "@graph": [
                    {
                        "@type": "http://schema.org/ReportageNewsArticle",
                        "headline": "Story",
                        "image": [{"@type": "ImageObject", "contentUrl": "/img/1.jpg"}],
                    },
                    {
                        "@type": "BreadcrumbList",
                        "itemListElement": [
                            {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"},
                            {"@type": "ListItem", "position": 2, "name": "World", "item": "/w"},
                            {"@type": "ListItem", "position": 3, "name": "Story", "item": URL},
                        ],
                    },
                ]
            }
        )
        hints = jsonld.collect(parse_html(html), URL)
        assert values(hints, "image") == ["/img/1.jpg"]
        assert values(hints, "section") == ["World"]

    def test_entities_escaped_twice_are_decoded(self) -> None:
        html = ld(
            {
                "@type": "NewsArticle",
                "headline": "Tom &amp;amp; Jerry",
                "description": "Alfa Romeo will enth&amp;uuml;llen &lt;b&gt;bald&lt;/b&gt;",
            }
        )
        hints = jsonld.collect(parse_html(html), URL)
        assert values(hints, "title") == ["Tom & Jerry"]
        assert values(hints, "description") == ["Alfa Romeo will enthüllen bald"]

    def test_broken_blocks_are_skipped(self) -> None:
        html = (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ok",}'
            '</script><script type="application/ld+json">{not json</script>'
            '<script type="application/ld+json"><!-- {"@type": "Article"} --></script>'
        )
        assert values(jsonld.collect(parse_html(html), URL), "title") == ["Ok"]


class TestMeta:
    def test_open_graph_and_friends(self) -> None:
        html = """<html><head>
        <link rel="canonical" href="/canonical.html">
        <meta property="og:title" content="OG title">
        <meta name="twitter:title" content="Twitter title">
        <meta property="og:url" content="https://news.example.com/og.html">
        <meta property="og:site_name" content="Example News">
        <meta property="og:locale" content="en_GB">
        <meta property="og:image" content="https://cdn.example.com/og.jpg">
        <meta property="article:published_time" content="2021-04-06T09:18:00+09:00">
        <meta property="article:modified_time" content="2021-04-06T10:00:00+09:00">
        <meta property="article:section" content="World">
        <meta property="article:author" content="https://www.facebook.com/janedoe">
        <meta name="author" content="Jane Doe">
        <meta name="parsely-author" content="John Roe">
        <meta name="description" content="Summary.">
        <meta itemprop="datePublished" content="2021-04-06">
        <meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Max">
        </head><body></body></html>"""
        hints = meta.collect(parse_html(html))
        assert values(hints, "title") == ["OG title", "Twitter title"]
        assert values(hints, "canonical") == ["/canonical.html", "https://news.example.com/og.html"]
        assert values(hints, "site_name") == ["Example News"]
        assert values(hints, "language") == ["en_GB"]
        assert values(hints, "image") == ["https://cdn.example.com/og.jpg"]
        assert values(hints, "published") == ["2021-04-06T09:18:00+09:00", "2021-04-06"]
        assert values(hints, "updated") == ["2021-04-06T10:00:00+09:00"]
        assert values(hints, "section") == ["World"]
        assert values(hints, "authors") == ["Jane Doe", "John Roe", "Max"]
        assert values(hints, "description") == ["Summary."]

    @pytest.mark.parametrize("label", ["Verfasst von", "Geschrieben von", "Escrito por"])
    def test_yoasts_author_label_in_the_sites_language(self, label: str) -> None:
        """Yoast writes its "Written by" label in the site's language; the reading time it
        puts beside it is no name."""
        html = f"""<html><head>
        <meta name="twitter:label1" content="Est. reading time">
        <meta name="twitter:data1" content="9 minutes">
        <meta name="twitter:label2" content="{label}">
        <meta name="twitter:data2" content="Karo Herr">
        </head><body></body></html>"""
        hints = meta.collect(parse_html(html))
        assert values(hints, "authors") == ["Karo Herr"]

    def test_a_sharing_plugins_tags_name_the_author_and_times(self) -> None:
        """WordPress blogs whose only byline is the Shareaholic plugin's meta tags."""
        html = """<html><head>
        <meta name="shareaholic:article_author_name" content="Jane Doe">
        <meta name="shareaholic:article_published_time" content="2017-06-07T11:19:22+02:00">
        <meta name="shareaholic:article_modified_time" content="2020-06-05T23:21:19+02:00">
        </head><body></body></html>"""
        hints = meta.collect(parse_html(html))
        assert values(hints, "authors") == ["Jane Doe"]
        assert values(hints, "published") == ["2017-06-07T11:19:22+02:00"]
        assert values(hints, "updated") == ["2020-06-05T23:21:19+02:00"]

    def test_text_is_read_without_the_markup_a_cms_escaped_into_it(self) -> None:
        """A rich-text field written into the tag escaped once too often: its entities, its
        paragraph and italics tags and its own "Read more" link do not reach the reader; a
        title in angle brackets and an address's "&" stay."""
        html = """<html><head>
        <meta name="description" content="&lt;p&gt;Der neue &amp;bdquo;H&auml;rting&amp;rdquo;
        ist da.&amp;nbsp;&lt;i&gt;Eine Rezension.&lt;/i&gt; &lt;a class=&quot;more-link&quot;
        href=&quot;/r.html&quot;&gt;Weiterlesen&lt;/a&gt;">
        <meta property="og:title" content="Visitors watch &lt;The Palace Tale&gt;">
        <meta property="article:tag" content="Science &amp;amp; Health">
        <meta property="og:image" content="https://cdn.example.com/i.jpg?w=1&amp;amp;h=2">
        </head><body></body></html>"""
        hints = meta.collect(parse_html(html))
        assert values(hints, "description") == ["Der neue „Härting” ist da. Eine Rezension."]
        assert values(hints, "title") == ["Visitors watch <The Palace Tale>"]
        assert values(hints, "tags") == ["Science & Health"]
        assert values(hints, "image") == ["https://cdn.example.com/i.jpg?w=1&amp;h=2"]

    def test_a_title_ending_in_an_ellipsis_and_more_is_read_whole(self) -> None:
        """Only a description loses a "Read more" label after its ellipsis."""
        html = '<html><head><meta property="og:title" content="Less…More"></head></html>'
        assert values(meta.collect(parse_html(html)), "title") == ["Less…More"]


class TestMarkup:
    def test_byline_dates_and_section_near_the_headline(self) -> None:
        html = """<html lang="en-US"><head><title>Story - Example</title></head><body>
        <header><div class="today-date">Monday, January 1, 2024</div>
          <div class="author">Site Owner</div></header>
        <article>
          <a class="category-label" href="/world">World</a>
          <h1>Story</h1>
          <div class="article-byline"><span class="byline-name">By Jane Doe</span></div>
          <time class="published" datetime="2021-04-06T09:18:00+09:00">April 6</time>
          <span class="updated-date">Updated: April 7, 2021</span>
          <p>Text.</p>
        </article>
        <aside><div class="author">Sidebar Person</div></aside>
        </body></html>"""
        hints = markup.collect(parse_html(html), URL)
        assert values(hints, "language") == ["en-US"]
        assert values(hints, "title") == ["Story", "Story - Example"]
        assert values(hints, "authors") == ["By Jane Doe"]
        assert values(hints, "published")[0] == "2021-04-06T09:18:00+09:00"
        assert values(hints, "updated") == ["Updated: April 7, 2021"]
        assert values(hints, "section") == ["World"]

    def test_a_label_named_like_a_section_far_from_the_headline_is_not_the_section(
        self,
    ) -> None:
        """The kicker and the category line stand beside the headline; a sidebar's category
        list, a comment form's heading or a cookie dialog's tab, named "section" or
        "category" too, stand far from it."""
        filler = "".join(f"<p>Paragraph {n}.</p>" for n in range(12))
        comments = '<div class="section-heading">Leave a Reply</div>'
        widget = '<ul><li class="cat-item">Uncategorized</li></ul>'
        far_only = f"<html><body><h1>Story</h1>{filler}{comments}{widget}</body></html>"
        assert values(markup.collect(parse_html(far_only), URL), "section") == []
        near = f"""<html><body><span class="kicker">Science</span><h1>Story</h1>{filler}
        {comments}{widget}</body></html>"""
        assert values(markup.collect(parse_html(near), URL), "section") == ["Science"]
        no_headline = '<html><body><p>Text.</p><span class="category">Menu</span></body></html>'
        assert values(markup.collect(parse_html(no_headline), URL), "section") == []

    def test_a_breadcrumb_names_the_section_not_its_tools_nor_the_page_itself(self) -> None:
        """The trail's last link to another page of the site: not the print, mail and share
        tools in its bar, not a "Back" link to a crumb already there, not the page's own crumb
        (a relative link); a "has-breadcrumbs" class on the page's <body> is no trail."""
        html = """<html><body class="has-breadcrumbs"><a href="/about">About</a>
        <div class="breadcrumb"><a href="/">Home</a> › <a href="/world/">World</a>
          › <a href="/world/2021/04/06/story.html">Story label</a>
          <a href="javascript:window.print()">Print</a> <a href="mailto:?body=x">Mail</a>
          <a href="/world/">‹ Back</a>
          <a href="https://twitter.com/intent/tweet?url=x">tweeten</a></div>
        <h1>Story</h1><p><a href="/imprint">Imprint</a></p></body></html>"""
        assert values(markup.collect(parse_html(html), URL), "section") == ["World"]

    def test_microdata_author_and_breadcrumbs(self) -> None:
        html = """<html><body>
        <nav class="breadcrumbs"><a href="/">Home</a> › <a href="/politics">Politics</a>
          › <a href="{url}">Story</a></nav>
        <h1 itemprop="headline">Story</h1>
        <span itemprop="author" itemscope><span itemprop="name">Jane Doe</span></span>
        <span itemprop="datePublished" content="2021-04-06">6 April</span>
        </body></html>""".replace("{url}", URL)
        hints = markup.collect(parse_html(html), URL)
        assert values(hints, "authors")[0] == "Jane Doe"
        assert values(hints, "published")[0] == "2021-04-06"
        assert values(hints, "section")[0] == "Politics"

    def test_a_pubdate_and_an_aria_labelled_breadcrumb_trail_are_read(self) -> None:
        """HTML5's pubdate marks the article's date on an element with no name, ranked before
        a plain <time>; a trail may be named only by its aria-label; a rel="tag" link is a
        tag, a rel="category tag" one is not."""
        html = """<html><body>
        <ol aria-label="Breadcrumb"><li><a href="/">Home</a></li>
          <li><a href="/science">Science</a></li></ol>
        <h1>Story</h1>
        <time datetime="2020-01-02">2 January</time>
        <span pubdate>6 April 2021</span>
        <a href="/tag/space" rel="tag">Space</a><a href="/c/sci" rel="category tag">Sci</a>
        </body></html>"""
        hints = markup.collect(parse_html(html), URL)
        assert values(hints, "published") == ["6 April 2021", "2020-01-02"]
        assert values(hints, "section") == ["Science"]
        assert values(hints, "tags") == ["Space"]

    def test_dates_of_teasers_linking_elsewhere_are_not_the_articles(self) -> None:
        """A date inside a link to another page is that page's ("Nr. 34 vom 8. November");
        a theme's permalink around the article's own date links to this page and counts."""
        html = """<html><body>
        <h1>Story</h1>
        <ul class="related"><li><a href="/press/34.html">Nr. 34
          <span class="date">8. November 2021</span></a></li></ul>
        <a href="{url}" rel="bookmark"><time class="entry-date">10. November 2021</time></a>
        <span class="text_datum">12. November 2021</span>
        </body></html>""".replace("{url}", URL)
        hints = markup.collect(parse_html(html), URL)
        assert values(hints, "published") == ["10. November 2021", "12. November 2021"]

    @pytest.mark.parametrize(
        "clock", ["Aktuelle Zeit: 14.10.2020, 12:18", "It is currently Wed Oct 14, 2020 12:18 pm"]
    )
    def test_the_current_time_a_forum_prints_is_no_date_of_the_post(self, clock: str) -> None:
        html = f"""<html><body>
        <div class="navbar"><p class="datetime">{clock}</p></div>
        <h1>Thread title</h1>
        <p class="post-date">21.01.2009, 10:02</p>
        </body></html>"""
        hints = markup.collect(parse_html(html), URL)
        assert values(hints, "published") == ["21.01.2009, 10:02"]


@pytest.mark.parametrize(
    ("stated", "kept"),
    [
        ("{{ seomatic.helper.extractTextFromField(entry.teaser) }}", False),
        ("{$plugin.tx_news.opengraph.site_name}", False),
        ("{% block description %}{% endblock %}", False),
        ("Budget {{ vote }} passes {{ today }}", True),  # text around the braces
        ("Budget {{ passes }}", True),
    ],
)
def test_a_templates_unfilled_placeholder_is_no_candidate(stated: str, kept: bool) -> None:
    hints = Hints()
    hints.add("description", stated, "meta")
    assert values(hints, "description") == ([stated] if kept else [])


def test_control_characters_escaped_in_json_reach_no_candidate() -> None:
    # the HTML parser never yields these, but JSON escapes do: PostgreSQL refuses a NUL in text,
    # and no UTF-8 encodes a lone surrogate
    html = ld(
        {
            "@type": "NewsArticle",
            "headline": "Allies\u0000 expand drills",
            "articleSection": "Wor\u0000ld",
            "description": "Drills\u0001 expand\ud83d",
            "keywords": "cyber\u0000, defence",
        }
    )
    hints = jsonld.collect(parse_html(html), URL)
    assert values(hints, "title") == ["Allies expand drills"]
    assert values(hints, "section") == ["World"]
    assert values(hints, "description") == ["Drills expand"]
    assert values(hints, "tags") == ["cyber, defence"]
