"""trafilatura's tree -> blocks, and the listing/teaser detection."""

from __future__ import annotations

from worker.extraction import listing
from worker.extraction.body import Block, extract_blocks, image_box_texts, join
from worker.extraction.parsing import parse_html

FILLER = (
    "The committee met on Tuesday to discuss the proposal, which would change how the city "
    "allocates money to its schools over the next five years. "
)


def page(body: str) -> str:
    return f"<html><body><article><h1>Title</h1>{body}</article></body></html>"


def test_double_br_separates_paragraphs() -> None:
    html = page(f"<div>{FILLER}<br><br>{FILLER.replace('Tuesday', 'Monday')}<br><br>End.</div>")
    texts = [block.text for block in extract_blocks(html, "https://example.com/a")]
    assert texts[-3:] == [FILLER.strip(), FILLER.replace("Tuesday", "Monday").strip(), "End."]


def test_kinds_are_kept() -> None:
    html = page(
        f"<p>{FILLER}</p><h2>A subheading here</h2><ul><li>First item</li><li>Second item</li>"
        f"</ul><blockquote><p>A quoted sentence.</p></blockquote><p>{FILLER}</p>"
    )
    blocks = extract_blocks(html, "https://example.com/a")
    kinds = {block.text: block.kind for block in blocks}
    assert kinds["A subheading here"] == "head"
    assert kinds["First item"] == "item"
    assert kinds["Second item"] == "item"
    assert "A quoted sentence." in kinds


def test_paragraphs_inside_a_table_cell_keep_their_words_apart() -> None:
    html = page(
        f"<p>{FILLER}</p><table><tr><th>Friends</th><td><p>Maru</p><p>Sam</p></td></tr>"
        f"<tr><th>Energy</th><td><p>1331 kJ</p><p>318 kcal</p></td></tr></table><p>{FILLER}</p>"
    )
    texts = [block.text for block in extract_blocks(html, "https://example.com/a")]
    assert "Friends | Maru Sam" in texts
    assert "Energy | 1331 kJ 318 kcal" in texts


def test_join_uses_one_blank_line() -> None:
    assert join([Block("a"), Block("b", "head")]) == "a\n\nb"


def test_teasers_of_the_same_site_are_recognised() -> None:
    teaser = (
        '<article><h2><a href="/2021/story-{n}">Story number {n} headline</a></h2>'
        "<p>Blurb of story {n}, which is a short summary sentence.</p></article>"
    )
    html = "<html><body><main>" + "".join(teaser.format(n=n) for n in range(5)) + "</main>"
    html += '<h3><a href="https://shop.test/p">Product</a></h3><p>Buy it.</p></body></html>'
    soup = parse_html(html)
    teasers = listing.teaser_texts(soup, "https://news.example.com/", None)
    assert len(teasers) == 5
    blurbs = [Block(f"Blurb of story {n}, which is a short summary sentence.") for n in range(5)]
    own, found = listing.split_teasers([Block(FILLER), *blurbs], teasers)
    assert own == [Block(FILLER)]
    assert found == blurbs
    assert listing.looks_like_listing(own, found)
    assert not listing.looks_like_listing([Block(FILLER * 5)], found)


def test_posts_headed_by_their_posters_name_are_no_teasers() -> None:
    """A forum thread heads each post with the poster's name, linked to the profile; the same
    story teased in two boxes is linked twice too, but under its headline."""
    post = (
        '<div class="post"><h4><a href="/members/{who}.81/">{who}</a></h4>'
        "<p>Post {n}: the cat brings in dirt every night, any ideas where it comes from?</p></div>"
    )
    posts = "".join(post.format(who=("Pepe", "Lehmann")[n % 2], n=n) for n in range(6))
    teaser = '<div><h3><a href="/2021/story">Story of the week headline</a></h3><p>Blurb.</p></div>'
    html = f"<html><body><main>{posts}</main><aside>{teaser}{teaser}</aside></body></html>"
    teasers = listing.teaser_texts(parse_html(html), "https://forum.example.com/thread/1", None)
    assert len(teasers) == 2
    assert all(text.startswith("storyoftheweek") for text in teasers)


def test_captions_in_image_boxes_are_not_body_text() -> None:
    caption = "Cherry trees line the closed Yeouiseo-ro in Seoul on April 5, 2021. (Yonhap)"
    html = page(
        f'<div class="image-zone"><span class="img"><img src="/a.jpg"></span>'
        f'<div class="desc-con"><p class="desc">{caption}</p></div></div>'
        f"<p>{FILLER}</p><p>{FILLER.replace('Tuesday', 'Monday')}</p>"
    )
    captions = image_box_texts(parse_html(html))
    texts = [block.text for block in extract_blocks(html, "https://example.com/a", captions)]
    assert caption not in texts
    assert FILLER.strip() in texts


def test_a_box_opening_with_indented_data_is_measured_by_all_its_text() -> None:
    """A CMS's ad settings, printed as indented JSON in a <pre> at the top of the article's
    box named "show-first-image": their runs of spaces counted as text made the box look
    short, so the whole article was taken for its image's caption."""
    settings = "[" + ",".join(['                { "name": "Ad", "insertPoint": "3" }'] * 6) + "]"
    html = page(
        f'<div class="content show-first-image"><pre>{settings}</pre><img src="/a.jpg">'
        f"<p>{FILLER}</p><p>{FILLER.replace('Tuesday', 'Monday')}</p></div>"
    )
    captions = image_box_texts(parse_html(html))
    texts = [block.text for block in extract_blocks(html, "https://example.com/a", captions)]
    assert FILLER.strip() in texts


def test_a_long_text_beside_an_image_stays() -> None:
    long_text = FILLER * 4
    html = page(
        f'<div class="photo-story"><img src="/a.jpg"><p>{long_text}</p></div><p>{FILLER}</p>'
    )
    captions = image_box_texts(parse_html(html))
    texts = [block.text for block in extract_blocks(html, "https://example.com/a", captions)]
    assert long_text.strip() in texts


def test_a_heading_left_open_holds_the_article_and_is_no_teaser() -> None:
    """``<h2>lede</h3>``: the parser keeps the h2 open over the article, whose links to other
    stories must not make its paragraphs teasers."""
    html = (
        '<html><body><main><h2 class="excerpt">A lede sentence of the story.</h3>'
        f'<p>{FILLER}<a href="/2020/timeline">the timeline</a></p>'
        f"<p>{FILLER * 5}</p></main></body></html>"
    )
    assert listing.teaser_texts(parse_html(html), "https://news.example.com/a", None) == []


def test_an_image_box_is_judged_on_its_text_not_on_the_indentation_of_its_markup() -> None:
    indent = "\n" + " " * 200
    paragraphs = "".join(f"{indent}<p>{FILLER}</p>" for _ in range(3))
    html = page(f'<div class="photo-story">{indent}<img src="/a.jpg">{paragraphs}</div>')
    assert image_box_texts(parse_html(html)) == set()
