"""HTML page -> ExtractedArticle: every collector's candidates, one choice per field.

Per field the first candidate that survives cleaning wins, in the order JSON-LD, meta tags,
markup, visible-text heuristics, configuration, detection (canonical URL and language have their
own documented orders). The body is trafilatura's main content after the clean-up pass; a page
whose body is shorter than MIN_BODY_CHARS, or that is made of teasers, is NotAnArticle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple, TypeVar, overload

from lxml.html import HtmlElement

from worker.dedup.content import INVISIBLE, fold_typography
from worker.errors import ExtractionError, NewsworkerError, NotAnArticle
from worker.extraction import jsonld, listing, markup, meta, rules, textual
from worker.extraction.authors import (
    byline_names,
    clean_authors,
    credits_another_site,
    dedupe,
    people,
    personal_shape,
    spelled_out,
)
from worker.extraction.body import Block, extract_blocks, image_box_texts, join
from worker.extraction.cleanup import Context, clean_blocks, is_byline
from worker.extraction.datechoice import choose_date, structured_day_first
from worker.extraction.datelines import dateline_agencies
from worker.extraction.dates import (
    date_from_page,
    date_from_url,
    day_first,
    in_page_order,
    load_zone,
    names_a_month,
    plausible,
    states_the_day,
)
from worker.extraction.faq import with_questions
from worker.extraction.hints import SOURCE_ORDER, Hint, Hints, Source
from worker.extraction.language import choose
from worker.extraction.layout import unwrap_layout_tables
from worker.extraction.lead import printed_lead
from worker.extraction.parsing import (
    chrome_only_lines,
    comment_sections,
    copy_for_date_search,
    copy_without,
    drop_hover_cards,
    drop_ruby_readings,
    drop_unrendered,
    heading_texts,
    in_chrome,
    named_elements,
    page_chrome,
    parse_html,
    strip_anchors,
    text_size_outside_chrome,
    texts_containing,
    visible_lines,
)
from worker.extraction.paywall import (
    declared_free,
    notice_box_start,
    notice_index,
    truncation_notice,
)
from worker.extraction.plaintext import without_read_more
from worker.extraction.rules import Rules
from worker.extraction.structure import restore_structure
from worker.extraction.tags import clean_tags
from worker.extraction.textkeys import loose_key
from worker.extraction.titles import (
    clean_title,
    has_extra_segment,
    headline_beside,
    headline_under_label,
    headline_within,
    name_without_tagline,
    names_an_outlet,
    normalise_name,
    shown_segment,
    strip_outlet,
    without_kicker,
)
from worker.extraction.urls import (
    absolute,
    document_base,
    host_label,
    listing_for_another,
    names_a_pixel_or_avatar,
    names_a_stock_image,
)
from worker.storable import MAX_URL_CHARS

# Bump whenever the output for the same page changes; stored beside raw pages so that stored
# articles can be re-extracted when it moves.
EXTRACTOR_VERSION = "91"

# Below this the page is a stub, a gallery or a teaser, not an article: about three sentences.
# The shortest real article in the zyte-dev corpus has 369 characters.
MIN_BODY_CHARS = 250
# ... unless the page declares itself an article (og:type, a JSON-LD article node): then a
# short post is one (a blog's two-line entry, a brief), down to about one sentence.
MIN_DECLARED_BODY_CHARS = 100
# A precision-mode body shorter than this is retried in trafilatura's balanced mode ...
# (1000 -> 1500: trafilatura-eval F1 0.9211 -> 0.9226, zyte-dev unchanged; 2000 adds 0.0002
# for more retries)
RETRY_BELOW_CHARS = 1500
# ... and the balanced result replaces it when this many times longer (or when precision mode
# found less than MIN_BODY_CHARS). Chosen on zyte-dev and trafilatura-eval: always preferring
# the longer text costs precision on news pages, never retrying loses short blog posts.
RETRY_RATIO = 2.0
TRUNCATED = ("...", "\u2026", "[\u2026]")

T = TypeVar("T")


@dataclass(frozen=True)
class Announced:
    """What the source that yielded the URL said of it (a feed item, a news sitemap entry, a
    listing's link): evidence for the fields the page itself leaves empty."""

    title: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class ExtractedArticle:
    """A page's article body and metadata; ``provenance`` maps set fields to their source."""

    title: str | None
    authors: list[str]
    published_at: datetime | None
    updated_at: datetime | None
    language: str | None
    canonical_url: str | None
    section: str | None
    description: str | None
    image_url: str | None
    site_name: str | None
    body: str
    tags: list[str] = field(default_factory=list)
    paywalled: bool = False
    provenance: dict[str, str] = field(default_factory=dict)

    def to_record(self) -> dict[str, object]:
        """Every field as JSON-ready values (times in ISO 8601 UTC), for the CLI and golden
        files."""
        record: dict[str, object] = {}
        for name, value in self.__dict__.items():
            is_time = isinstance(value, datetime)
            record[name] = value.astimezone(UTC).isoformat() if is_time else value
        return record


def extract_article(
    html: str,
    url: str,
    *,
    timezone: str | None = None,
    language: str | None = None,
    outlet_name: str | None = None,
    rules: Rules | None = None,
    announced: Announced | None = None,
) -> ExtractedArticle:
    """Extract the article of one page.

    ``timezone`` (IANA name) applies to times the page prints without a zone; ``language`` is
    the outlet's configured language, used only when the page states none and detection is
    unsure; ``outlet_name`` helps strip the outlet from titles; ``rules`` are the outlet's CSS
    selectors from the sources file; ``announced`` is what the feed, sitemap or listing that
    yielded the URL said of it, used where the page says nothing. Raises ``NotAnArticle`` for
    pages without an article body and ``ExtractionError`` for anything unreadable.
    """
    zone = load_zone(timezone)
    try:
        return _extract(
            html, url, zone, language, outlet_name, rules or Rules(), announced or Announced()
        )
    except NewsworkerError:
        raise
    except RecursionError as exc:
        raise ExtractionError("markup too deeply nested to extract") from exc
    except Exception as exc:  # the boundary: third-party failures become ours
        raise ExtractionError(f"extraction failed: {exc!r}") from exc


def _extract(
    html: str,
    url: str,
    zone: tzinfo | None,
    language: str | None,
    outlet_name: str | None,
    outlet_rules: Rules,
    announced: Announced,
) -> ExtractedArticle:
    root = parse_html(html)
    drop_unrendered(root)
    drop_ruby_readings(root)
    rules.drop_elements(root, outlet_rules)
    selected = rules.body_blocks(root, outlet_rules)  # before the page is reshaped below
    unwrap_layout_tables(root)  # the generic extractor reads the page as changed here
    strip_anchors(root)
    names = named_elements(root)
    if drop_hover_cards(root, names):
        names = named_elements(root)
    hints = rules.collect(root, outlet_rules)
    hints.merge(jsonld.collect(root, url))
    hints.merge(meta.collect(root))
    hints.merge(markup.collect(root, url, names))

    site_hints = _site_names(hints)
    host = host_label(url)
    site_name = _pick(site_hints, lambda v: _clean_site_name(v, host))
    if site_name is None and outlet_name:
        site_name = (outlet_name.strip(), "config")
    outlets = [h.value for h in site_hints]
    outlets += [name for name in (outlet_name, host) if name]
    headlines = _headlines(hints, outlets)
    hints.drop("section", headlines)
    kickers = [h.value for h in hints.get("kicker")]
    title = _pick_title(
        hints.get("title"),
        # a kicker is no part of the headline, before it ("Kicker: Headline") or after it
        outlets + [h.value for h in hints.get("section")] + kickers,
        [h.value for h in hints.get("visible_headline")],
        kickers,
        [h.value for h in hints.get("lead_label")],
        [h.value for h in hints.get("text_headline")],
    )
    if title is not None:
        headings = heading_texts(root)
        texts = [text for _, text in headings]
        # a CMS that fills the description with the headline states it whole
        described = [h.value for h in hints.get("description")]
        shown = (
            shown_segment(title[0], texts + described)
            or headline_within(title[0], texts, [text for tag, text in headings if tag == "h1"])
            or _as_printed(title[0], texts)
        )
        if shown is None and title[1] == "markup":
            titles = [h.value for h in hints.get("title")]
            shown = headline_beside(title[0], titles, texts, outlets) or headline_under_label(
                title[0], titles, texts
            )
        title = (shown, title[1]) if shown else title
    elif announced.title and (cleaned := clean_title(announced.title, outlets)):
        title = (cleaned, "announced")  # a page without a headline of its own

    paragraphs, body_source = _article_body(root, names, url, hints, outlets, title, selected)
    body_texts = [block.text for block in paragraphs]
    cut = notice_index(body_texts)
    if cut is not None:
        notice = paragraphs[cut].text
        # the subscription pitch after the free part
        paragraphs = paragraphs[: notice_box_start(body_texts, cut)]
        if not _only_in_chrome(root, notice):  # a footer's newsletter pitch is no paywall
            hints.add("free", "false", "heuristic")
    page_lines = visible_lines(root)
    headline = title[0] if title else None
    # the text as extracted: a lead printed above it stands among the lines read for a byline
    paragraph_texts = [block.text for block in paragraphs]
    line_groups, closing_lines = textual.article_lines(page_lines, headline, paragraph_texts)
    for lines in [*line_groups, closing_lines]:
        hints.merge(textual.collect(lines, headline))
    # the name that signs the text off (measured: 2 authors more right, nothing else changes)
    if closing_lines and (signed := markup.signature(root, closing_lines[0])):
        hints.add("authors", signed, "heuristic")
    if body_source == "heuristic":
        descriptions = [h.value for h in hints.get("description")]
        if lead := printed_lead(root, descriptions, headline, paragraphs, page_lines):
            paragraphs = [lead, *paragraphs]
    body = join(paragraphs)

    stated_language = hints.get("language", ("json-ld", "markup", "meta"))
    lang_value, lang_source = choose(stated_language, body, language)
    dmy = day_first(lang_value, [h.value for h in stated_language])
    structured_dmy = structured_day_first(hints.get("published") + hints.get("updated"))
    published = choose_date(
        hints.get("published"), zone, dmy, hints.get("clock"), structured_dmy=structured_dmy
    )
    chrome = page_chrome(root) if published is None else []
    if published is None:
        # Before htmldate's guesses: the date that opens the dateline or the text. Measured:
        # 6 dates more right, none lost, 10 more with the time of day printed beside them.
        # Not a line of the site's chrome (a masthead's date of the day, over the headline).
        opened = textual.opening_date(
            line_groups, paragraph_texts, zone, day_first=dmy,
            skip=chrome_only_lines(page_lines, chrome),
        )  # fmt: skip
        published = (opened, "heuristic") if opened else None
    if published is None and announced.published_at and plausible(announced.published_at):
        # Before htmldate's guesses: the outlet's own feed or news sitemap dated this URL, to
        # the second, where htmldate would take a day from anywhere on the page or the URL.
        published = (announced.published_at, "announced")
    if published is None:
        # htmldate's searches take any date on the page: not a reader's comment's (its quick
        # search reads their <time>s), and its search of all the page not one in the chrome (a
        # teaser's, an archive list's) nor in an address (a linked page's, a style sheet's
        # version). Measured: without the chrome, 2 dates more right and none lost (the quick
        # search without it lost 4 right dates for 1: it keeps the chrome); without files'
        # addresses, 3 wrong dates gone; without comments and links' addresses, 3 more right
        # and 2 lost (a forum's posts marked up as comments, a comment of the post's day),
        # and 7 pages no longer dated by a comment or a linked page. Neither search reads the
        # site's own chrome outside the article (``page_chrome``): on the corpus, 5 pages no
        # longer dated by a sidebar teaser or a footer (3 now by their own date), and 1 date
        # the annotators took from a footer's "Copyright © 19.12.2019 - 12:14 h" lost.
        comments = comment_sections(names)
        elsewhere = comments + chrome
        quick = copy_without(root, elsewhere) if elsewhere else root
        found = date_from_page(quick, zone, extensive=False) or date_from_url(url, zone)
        if found is None and (
            searched := date_from_page(copy_for_date_search(root, elsewhere), zone)
        ):
            searched = in_page_order(searched, page_lines, day_first=dmy)
            found = searched if states_the_day(searched, page_lines) else None
        published = (found, "heuristic") if found else None
    updated = choose_date(hints.get("updated"), zone, dmy, structured_dmy=structured_dmy)
    if updated and published and updated[0] < published[0]:
        updated = None  # a modification before publication is a template placeholder
    authors = _pick_authors(hints, outlets)
    if authors is None:  # a byline set inside the text, which the clean-up took out of it
        authors = _byline_in_text(hints, outlets)
    if authors is None:  # wire copy that credits its agency in the dateline alone
        agencies = next(filter(None, map(dateline_agencies, paragraph_texts[:2])), None)
        authors = (agencies, "heuristic") if agencies else None
    base = document_base(root, url)  # what the page's relative addresses are relative to
    canonical = _pick(
        hints.get("canonical", ("meta", "json-ld")), lambda v: _canonical(v, url, base)
    )
    section = _pick(hints.get("section"), lambda v: _clean_section(v, outlets))
    description = _pick(
        hints.get("description"), lambda v: _clean_description(v, headline, outlets)
    )
    image = _pick(hints.get("image"), lambda v: _lead_image(v, base))
    stated_titles = [h.value for h in hints.get("title")]
    titles = [*([headline] if headline else []), *headlines, *stated_titles]
    tags = _pick_tags(hints, titles, description)
    paywall = _paywall(hints, root, page_lines, paragraphs[-1].text)

    chosen: dict[str, tuple[object, Source] | None] = {
        "title": title,
        "authors": authors,
        "published_at": published,
        "updated_at": updated,
        "language": (lang_value, lang_source) if lang_value and lang_source else None,
        "canonical_url": canonical,
        "section": section,
        "description": description,
        "image_url": image,
        "site_name": site_name,
        "body": (body, body_source),
        "tags": tags,
        "paywalled": paywall,
    }
    provenance: dict[str, str] = {
        name: pair[1] for name, pair in sorted(chosen.items()) if pair is not None
    }
    return ExtractedArticle(
        title=_one_line(_value(title)),
        authors=[_name(name) for name in _value(authors) or []],
        published_at=_value(published),
        updated_at=_value(updated),
        language=lang_value,
        canonical_url=_value(canonical),
        section=_one_line(_value(section)),
        description=_one_line(_value(description)),
        image_url=_value(image),
        site_name=_one_line(_value(site_name)),
        body=_composed(body),
        tags=[_one_line(tag) for tag in _value(tags) or []],
        paywalled=bool(_value(paywall)),
        provenance=provenance,
    )


@overload
def _composed(text: str) -> str: ...
@overload
def _composed(text: None) -> None: ...
def _composed(text: str | None) -> str | None:
    """The text in Unicode NFC: a CMS fed from macOS holds "u" + a combining diaeresis where
    others hold "ü", and the same name or sentence must be one string in every outlet's copy.
    Done on what is returned, not on the whole page (0.02 ms against 0.4 ms a page)."""
    return unicodedata.normalize("NFC", text) if text is not None else None


@overload
def _one_line(text: str) -> str: ...
@overload
def _one_line(text: None) -> None: ...
def _one_line(text: str | None) -> str | None:
    """A title, label or name composed, without the controls that override the direction of
    the text around them (U+202A-202E, U+2066-2069): "\u202eCouncil approves" shows reversed
    wherever a reader prints the field, and a name with one is another string in every
    outlet's copy. Bodies keep them: a right-to-left text may embed a left-to-right one."""
    return _composed(text.translate(_DIRECTION_OVERRIDES)) if text is not None else None


_DIRECTION_OVERRIDES = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _name(text: str) -> str:
    """A person's name composed and without the invisible characters that only hint at line
    breaks (soft hyphens: "Mat\xadthi\xadas Lauerer", zero-width spaces, word joiners): a name
    is matched and deduplicated across sources and outlets. Titles and bodies keep them as
    printed: the corpora's annotations are split on them (removing them from bodies finds 7
    snippets more on 4 pages and 6 fewer on 3), and ``content_hash`` folds them."""
    return _one_line(text.translate(_INVISIBLE))


_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def _value(pair: tuple[T, Source] | None) -> T | None:
    return pair[0] if pair is not None else None


def _article_body(
    root: HtmlElement,
    names: dict[HtmlElement, frozenset[str]],
    url: str,
    hints: Hints,
    outlets: list[str],
    title: tuple[str, Source] | None,
    selected: list[Block],
) -> tuple[list[Block], Source]:
    """The cleaned body paragraphs and their source; NotAnArticle when there is none.

    ``selected`` are the paragraphs of the outlet's body rule, if it has one that matched."""
    context = Context(
        titles=[h.value for h in hints.get("title")] + ([title[0]] if title else []),
        outlet_names=outlets,
        sections=[h.value for h in hints.get("section")],
        authors=[name for h in hints.get("authors") for name in clean_authors(h.value)],
    )
    selected = clean_blocks(selected, context)
    if _size(selected) >= MIN_BODY_CHARS:
        return selected, "rules"
    declared = any(h.value.strip().lower() == "article" for h in hints.get("type"))
    minimum = MIN_DECLARED_BODY_CHARS if declared else MIN_BODY_CHARS
    canonical = next(iter(hints.get("canonical", ("meta", "json-ld"))), None)
    teasers = listing.teaser_texts(root, url, canonical.value if canonical else None)
    captions = image_box_texts(root, names)
    # trafilatura's fast mode skips comparing its result with its fallback extractors
    # (readability, jusText); they only help where it finds no body (measured: eval F1 0.923 ->
    # 0.924, zyte-dev unchanged, 1.45x -> 1.2x trafilatura's time).
    found = _body(root, url, teasers, context, captions=captions, precision=True, fast=True)
    if _size(found.paragraphs) < MIN_BODY_CHARS:
        found = _body(root, url, teasers, context, captions=captions, precision=True)
    if _size(found.paragraphs) < RETRY_BELOW_CHARS and not _most_of_page(found.paragraphs, root):
        # precision mode sometimes keeps only a fragment; balanced mode then finds the rest
        try:
            retry = _body(root, url, teasers, context, captions=captions, precision=False)
        except NotAnArticle:
            # a list article ("90 costume ideas") whose items link to the site's own pages
            # reads as a listing in balanced mode; the page that declares itself an article
            # keeps the body precision mode found
            if not declared or _size(found.paragraphs) < minimum:
                raise
            retry = _Body([], [])
        kept = _size(found.paragraphs)
        if _size(retry.paragraphs) > (kept if kept < MIN_BODY_CHARS else RETRY_RATIO * kept):
            found = retry
    paragraphs = found.paragraphs
    structured = _structured_body(hints, context)
    if structured and _same_text(structured, paragraphs):
        # trafilatura's own fallback read the same articleBody; keep its paragraph breaks
        return structured, "json-ld"
    if _size(paragraphs) >= MIN_BODY_CHARS or (
        _size(paragraphs) >= minimum and not _cut_short(paragraphs)
    ):
        paragraphs = _restored(root, found, teasers, context)
        _note_bylines_taken_out(found.extracted, paragraphs, hints)
        return with_questions(paragraphs, [h.value for h in hints.get("faq")]), "heuristic"
    if _size(structured) >= minimum:  # never cut short: see _structured_body
        return structured, "json-ld"
    raise NotAnArticle(
        f"no article body: {_size(paragraphs)} characters of text after clean-up "
        f"(minimum {minimum})"
    )


def _most_of_page(paragraphs: list[Block], root: HtmlElement) -> bool:
    """Whether a body (not a stub) already holds more than 1 / RETRY_RATIO of the page's text
    outside nav, aside and footer: a balanced-mode retry could then be kept only by taking
    chrome, so it is not run (measured: 62 of 234 retries spared, none of which changed a
    body on the two corpora; a retry costs about as much as the first extraction)."""
    size = _size(paragraphs)
    return size >= MIN_BODY_CHARS and RETRY_RATIO * size > text_size_outside_chrome(root)


def _restored(root: HtmlElement, found: _Body, teasers: list[str], context: Context) -> list[Block]:
    """The body with the headings and lists trafilatura left out between its paragraphs put
    back (see ``restore_structure``), cleaned like the rest; as found if they make it read
    as a listing."""
    restored = restore_structure(root, found.extracted)
    if restored is found.extracted:
        return found.paragraphs
    try:
        return _own_paragraphs(restored, teasers, context)
    except NotAnArticle:
        return found.paragraphs


def _note_bylines_taken_out(extracted: list[Block], kept: list[Block], hints: Hints) -> None:
    """Record as "body_byline" the extracted lines the clean-up took out as bylines: where
    nothing else names an author, the first naming persons is the byline (``_byline_in_text``)."""
    texts = {block.text for block in kept}
    for block in extracted:
        if block.text not in texts and is_byline(block.text):
            hints.add("body_byline", block.text, "heuristic")


class _Body(NamedTuple):
    """What one trafilatura mode found: its blocks as extracted, and the article's own
    paragraphs among them, cleaned."""

    extracted: list[Block]
    paragraphs: list[Block]


def _body(
    root: HtmlElement,
    url: str,
    teasers: list[str],
    context: Context,
    *,
    captions: set[str],
    precision: bool,
    fast: bool = False,
) -> _Body:
    """The body blocks of one trafilatura mode; NotAnArticle for a listing."""
    blocks = extract_blocks(root, url, captions, favor_precision=precision, fast=fast)
    return _Body(blocks, _own_paragraphs(blocks, teasers, context))


def _own_paragraphs(blocks: list[Block], teasers: list[str], context: Context) -> list[Block]:
    """The blocks without the teasers of other pages, cleaned; NotAnArticle for a listing."""
    own, teaser_blocks = listing.split_teasers(blocks, teasers)
    if listing.looks_like_listing(own, teaser_blocks):
        raise NotAnArticle(f"listing page: {len(teaser_blocks)} teasers in the main content")
    return clean_blocks(own, context)


def _site_names(hints: Hints) -> list[Hint]:
    """Stated site names, without ones that merely repeat a headline (a misused
    application-name does that) or name the home page (a JSON-LD WebSite named "Home")."""
    titles = {normalise_name(h.value) for h in hints.get("title")}
    return [
        h
        for h in hints.get("site_name")
        if len(h.value) <= 60
        and normalise_name(h.value) not in titles
        and h.value.strip().casefold() not in markup.HOME_WORDS
    ]


def _headlines(hints: Hints, outlets: list[str]) -> set[str]:
    """The headline as printed and, if of three words or more, as other title candidates state
    it without the site's name (case-folded).

    A section equal to one of them (article:section filled with the title, a breadcrumb's
    last crumb) names the page, not its section: taken for one, it would strip the title and
    pose as the section. A one- or two-word og:title equal to a section is the section's name
    instead ("Sport" on a page whose headline is elsewhere)."""
    found = {h.value.casefold() for h in hints.get("visible_headline")}
    for hint in hints.get("title"):
        title = clean_title(hint.value, outlets)
        if title is not None and len(title.split()) >= 3:
            found.add(title.casefold())
    return found


def _same_text(a: list[Block], b: list[Block]) -> bool:
    def key(blocks: list[Block]) -> str:
        return loose_key(" ".join(block.text for block in blocks))

    return key(a) == key(b)


def _size(blocks: list[Block]) -> int:
    return sum(len(block.text) for block in blocks)


def _pick(hints: list[Hint], clean: Callable[[str], T | None]) -> tuple[T, Source] | None:
    """The first candidate that cleans to a value, with its source."""
    for hint in hints:
        value = clean(hint.value)
        if value is not None:
            return value, hint.source
    return None


_QUOTES = "\"'„“”«»‘’‚"


def _pick_title(
    hints: list[Hint],
    names: list[str],
    visible: list[str],
    kickers: list[str],
    labels: list[str],
    text_headlines: list[str],
) -> tuple[str, Source] | None:
    """First clean title; a headline cut short (with "...", or at a quote mark the page left
    unescaped in a meta tag) yields to a longer version of it.

    A title that is the page's visible headline plus a segment behind a separator ("Headline |
    Blog name", "Section » Headline", "Kicker: Headline") is the visible headline: the segment
    names the site or labels the story even when the page never says so. So is a title made of
    the visible headline's kicker (a label the headline element marks as such), of a label of
    its own in the kicker's place, or of the element the headline starts with and a separator,
    and the rest of the visible headline.
    The visible headline also wins over a first candidate that differs from it only in
    typography (straight quotes and dashes in meta tags, curly ones on the page),
    or in wording when another candidate states the visible headline too (an SEO title in
    og:title, the headline in <title> and <h1>). A visible headline worded otherwise than the
    first candidate wins too when the article's text follows it (``text_headlines``): that is
    the headline readers see above the article, and the meta tags' title is the one written
    for search engines and social cards ("Finanzierung Ihres Autos" on the page, "Autofinanzierung
    – Autokredit oder doch besser Leasing?" in og:title), unless it is a label (one or two
    words, a trailing colon) or the outlet's name. Where one contains the other, the rules
    above decide."""
    cleaned = [(t, h.source) for h in hints if (t := clean_title(h.value, names))]
    if not cleaned:
        return None
    best = cleaned[0]
    # a kicker the markup names as such; a label the headline merely starts with must be
    # followed by a separator in the title, or in another title that has it as its segment
    # ("<h1><span>Initiative X</span> Stromcheck ...</h1>", "<title>Initiative X - ...")
    separated_elsewhere = {
        label
        for label in labels
        if any(without_kicker(text, label, separated=True) for text, _ in cleaned[1:])
    }
    candidates = [(kicker, False) for kicker in kickers] + [
        (label, label not in separated_elsewhere) for label in labels
    ]
    for kicker, separated in candidates:
        rest = without_kicker(best[0], kicker, separated=separated)
        if rest is not None and any(without_kicker(shown, kicker) == rest for shown in visible):
            return rest, best[1]
    # the title's own label before the headline that the page prints under its kicker
    # ("Corona-Lockerungen: Autohäuser ..." over "Nach Corona-Lockerungen" and "Autohäuser ...")
    for kicker in kickers:
        for shown in visible:
            rest = without_kicker(shown, kicker)
            if rest is not None and best[0].endswith(rest) and has_extra_segment(best[0], rest):
                return rest, "markup"
    folded = [fold_typography(t) for t, _ in cleaned]
    for headline in visible:
        if headline == best[0]:
            continue
        if any(without_kicker(headline, label) == best[0] for label in kickers + labels):
            return best  # the headline as printed, without the label above it
        if has_extra_segment(best[0], headline):
            return headline, best[1]
        shown = fold_typography(headline)
        # the same words as printed (curly quotes on the page, straight ones in meta tags), or
        # words that another candidate repeats: the <title>, microdata, meta or JSON-LD
        if shown == folded[0]:
            return headline, "markup"
        # a one-word <h1> the <title> repeats is the section's ("News", "detail")
        if folded.count(shown) >= 2 and " " in shown:
            return headline, "markup"
    for headline in text_headlines:
        for kicker in kickers:
            headline = without_kicker(headline, kicker) or headline
        for label in labels:  # "Label – Words : Headline"; not a headline that is all label
            rest = without_kicker(headline, label, separated=True)
            headline = rest if rest and (rest[0].isalnum() or rest[0] in _QUOTES) else headline
        printed = clean_title(headline, names)
        if printed is not None and (
            _worded_otherwise(printed, best[0]) or _continued(printed, best[0])
        ):
            return printed, "markup"
    stem = best[0].rstrip(".…").strip()
    for other in cleaned[1:]:
        if not other[0].startswith(stem) or len(other[0]) <= len(stem):
            continue
        # cut short with "...", or where the page left a quote mark unescaped in an attribute
        # (content="... de "incapacitado""): the meta tag holds what comes before the quote
        if best[0] != stem or other[0][len(stem) :].lstrip().startswith(('"', "'")):
            return other
    return best


def _as_printed(title: str, headings: list[str]) -> str | None:
    """The heading that is ``title`` as the page prints it, curly quotes and dashes where the
    meta tags have straight ones ("Korsetts – Shops" on the page, "Korsetts - Shops" in
    og:title)."""
    folded = fold_typography(title)
    if folded != title:
        return None  # the title has the printed typography already
    for heading in headings:
        # a heading that differs only by its soft hyphens shows no other typography
        shown = " ".join(heading.translate(_INVISIBLE).split())
        if shown != title and fold_typography(shown) == folded:
            return shown
    return None


def _continued(headline: str, title: str) -> bool:
    """``headline`` is ``title`` and more words after it: the page prints its headline in full
    ("Saftiger Zitronenkuchen vom Blech: einfach köstlich!") where the meta tags shortened it
    for search results."""
    rest = headline[len(title) :] if headline.startswith(title) else ""
    return _CONTINUATION.match(rest) is not None


# Words after a colon, a dash or a space, none of them a figure (a date glued to the headline)
# and no separator that sets off a site's name or a list of categories ("| Blog", "• Presse")
_CONTINUATION = re.compile(r"(?::| [–—-])? +[^\W\d][^|•»·\d]*$")


def _worded_otherwise(headline: str, title: str) -> bool:
    """``headline`` is a headline of its own beside ``title``: three words or more, not a
    label ending in a colon, and neither of the two contains the other."""
    if len(re.findall(r"\w+", headline)) < 3 or headline.endswith(":"):
        return False
    shown, stated = headline.casefold(), title.casefold()
    return shown not in stated and stated not in shown


def _pick_authors(hints: Hints, outlets: list[str]) -> tuple[list[str], Source] | None:
    """Names from the most trusted source that names a person, a user name there spelled as
    another source spells it, an organisation there giving way to the people a less trusted
    source names; the outlet itself as a last resort (an Organization author equal to the
    publisher is the site, not a byline)."""
    exclude = tuple(outlets)
    fallback: tuple[list[str], Source] | None = None
    for index, source in enumerate(SOURCE_ORDER):
        found = [
            h.value
            for h in hints.get("authors")
            if h.source == source
            and not (source == "meta" and credits_another_site(h.value, exclude))
        ]
        named = people(found, exclude=exclude)
        if named:
            if any(" " not in name for name in named):  # a user name; spelled out elsewhere?
                others = [h.value for h in hints.get("authors") if h.source != source]
                named = spelled_out(named, [n for raw in others for n in clean_authors(raw)])
            if _no_person(named):
                persons = _persons_below(hints, SOURCE_ORDER[index + 1 :], exclude)
                if persons is not None:
                    return persons
            return _with_coauthors(named, hints, exclude), source
        outlet_found = found + [h.value for h in hints.get("outlet_author") if h.source == source]
        names = dedupe([n for raw in outlet_found for n in byline_names(raw)])
        if names and fallback is None:
            fallback = (names, source)
    return fallback


def _byline_in_text(hints: Hints, outlets: list[str]) -> tuple[list[str], Source] | None:
    """The people the first byline-shaped line inside the extracted text names ("von Klaus
    Stanjek" under a film's title, mid-page), where nothing else names an author: only
    persons' names, as "von"/"by" also open lines that name none ("Von Atemschutzmaske über
    Exit-Strategie bis Zoonose", a glossary's range)."""
    for hint in hints.get("body_byline"):
        named = people([hint.value], exclude=tuple(outlets))
        if named and all(personal_shape(name) for name in named):
            return named, "heuristic"
    return None


def _no_person(names: list[str]) -> bool:
    """None of ``names`` has a person's shape, and none is a user name ("jdoe"): an
    organisation ("Rutgers University"), or an outlet with its city ("Süddeutsche.de GmbH",
    "Munich", "Germany")."""
    return not any(personal_shape(name) or name.islower() for name in names)


def _persons_below(
    hints: Hints, sources: tuple[Source, ...], exclude: tuple[str, ...]
) -> tuple[list[str], Source] | None:
    """The names of the first of ``sources`` that names only people, if any."""
    for source in sources:
        named = people(
            [h.value for h in hints.get("authors") if h.source == source], exclude=exclude
        )
        if named:
            return (named, source) if all(map(personal_shape, named)) else None
    return None


def _with_coauthors(named: list[str], hints: Hints, exclude: tuple[str, ...]) -> list[str]:
    """``named``, or the longer list of one other byline that names them all and more:
    structured data often keeps only the first of several authors the page prints."""
    wanted = {loose_key(name) for name in named}
    for hint in hints.get("authors"):
        fuller = people([hint.value], exclude=exclude)
        extra = [name for name in fuller if loose_key(name) not in wanted]
        if wanted < {loose_key(name) for name in fuller} and all(map(personal_shape, extra)):
            return fuller
    return named


def _pick_tags(
    hints: Hints, titles: list[str], description: tuple[str, Source] | None
) -> tuple[list[str], Source] | None:
    """The tags of the most trusted source that states any; not the page's headline or titles
    (``titles``: as stated and without the site's name, "11 things we learned ... - CNN") or
    its description stated again as keywords."""
    repeats = [*titles, description[0]] if description else titles
    for source in SOURCE_ORDER:
        stated = [h.value for h in hints.get("tags") if h.source == source]
        tags = clean_tags(stated, repeats, split=source != "markup")
        if tags:
            return tags, source
    return None


def _paywall(
    hints: Hints, root: HtmlElement, lines: list[str], last_paragraph: str
) -> tuple[bool, Source] | None:
    """Paywalled when the page declares the article not free, or shows a subscribers-only
    notice right after the body (not in a footer or sidebar); what the page declares wins."""
    for hint in hints.get("free"):
        free = declared_free(hint.value)
        if free is not None:
            return not free, hint.source
    notice = truncation_notice(lines, last_paragraph)
    if notice and not _only_in_chrome(root, notice):
        return True, "heuristic"
    return None


def _only_in_chrome(root: HtmlElement, text: str) -> bool:
    """Every element showing ``text`` sits in nav/footer/aside or the page header."""
    holders = texts_containing(root, text[:40])
    return bool(holders) and all(in_chrome(holder, include_self=True) for holder in holders)


def _clean_label(value: str) -> str | None:
    """A short label such as a section or site name; not a URL, not a sentence; a social
    network's handle as the name it stands for ("@politifact" in og:site_name)."""
    value = " ".join(value.split()).strip(" |/>»-–")
    if not value or len(value) > 80 or "://" in value or not any(c.isalpha() for c in value):
        return None
    return value[1:] if _HANDLE.fullmatch(value) else value


_HANDLE = re.compile(r"@\w+")


def _clean_site_name(value: str, host: str) -> str | None:
    """A site name as a label, without the slogan stated beside it (``name_without_tagline``)."""
    label = _clean_label(value)
    return None if label is None else name_without_tagline(label, host)


def _clean_section(value: str, outlets: list[str]) -> str | None:
    """The first section a box of category links names ("Allgemein , news": a theme's links
    with the comma between them), cleaned (see ``_one_section``)."""
    return next(
        filter(None, (_one_section(part, outlets) for part in _LINKS_JOINED.split(value))), None
    )


# The comma between the texts of several links, read as one text: a space before it, which a
# label's own comma ("Food, Wine & Travel") never has.
_LINKS_JOINED = re.compile(r"\s+,\s*")


def _one_section(value: str, outlets: list[str]) -> str | None:
    """A section label without the label of the label ("Kategorien: Rezepte"); not the home
    page ("Startseite"), a bucket that holds every post ("Uncategorized", "articles"), the
    outlet itself ("gizmodo.com") or a template's unfilled placeholder ("{$category}")."""
    label = _clean_label(_SECTION_LABEL.sub("", value).strip(" ,;"))
    if label is None or "{" in label:
        return None
    if label.casefold() in markup.HOME_WORDS or label.casefold() in _BUCKETS:
        return None
    if names_a_month(label):
        return None  # a breadcrumb's month of the archive ("Nachrichten Februar 2022")
    return None if names_an_outlet(label, outlets) else label


# Names of what every post is or goes under when it has no category: WordPress's default
# category ("Uncategorized", "Allgemein"), content types ("post", "articles", "Beitrag"), and
# the flags a theme's slider or front page picks its stories by ("Featured", "Top Story").
_BUCKETS = frozenset(
    {"uncategorized", "uncategorised", "unkategorisiert", "allgemein", "non classé",
     "sin categoría", "senza categoria", "post", "posts", "article", "articles", "artikel",
     "beitrag", "beiträge", "all", "alle",
     "featured", "featured posts", "featured articles", "highlight", "highlights", "slider",
     "top story", "top stories", "top news", "topthemen", "top-themen", "trending",
     "editor's picks", "editors picks", "editor's choice"}
)  # fmt: skip
_SECTION_LABEL = re.compile(
    r"^\s*(?:kategorien|kategorie|categories|category|rubriken|rubrik|filed under|posted in"
    r"|eingeordnet unter|veröffentlicht unter)\s*:?(?:\s+|$)",
    re.IGNORECASE,
)


def _canonical(value: str, url: str, base: str) -> str | None:
    """The stated canonical URL made absolute (against ``base``, the document's), unless it
    names a listing the page is one entry of (the site's home page, a section: see
    ``listing_for_another``)."""
    canonical = absolute(value, base)
    return None if canonical is None or listing_for_another(canonical, url) else canonical


def _lead_image(value: str, url: str) -> str | None:
    """The image's absolute address, spaces percent-encoded, unless it is the site's logo,
    icon or placeholder, a tracking pixel or an author's avatar (a lead image shows the
    article) or the value is no address at all (a caption where JSON-LD wants the image's URL:
    "Airline fleet parked at the taxiway"). Of a ``srcset`` stated where one address belongs
    ("a.jpg 1200w, a-small.jpg 600w"), the first address.

    An "&amp;" left in the address (a CMS escaped it twice: "?fit=1200%2C800&amp;ssl=1") is
    the "&" between its parameters; no other reference is decoded ("&copy=2" is a parameter)."""
    stated = value.strip().replace("&amp;", "&")
    if candidates := _SRCSET.fullmatch(stated):
        stated = candidates[1]
    if " " in stated and "/" not in stated and not _IMAGE_FILE.search(stated):
        return None  # words without a path or a picture's file name
    image = absolute(stated, url)
    if image is None or names_a_stock_image(image) or names_a_pixel_or_avatar(image):
        return None
    image = image.replace(" ", "%20")
    # measured as stored: an address longer than any URL column holds is no lead image either
    return image if len(image) <= MAX_URL_CHARS else None


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)
# An address followed by a width or density descriptor ("1200w", "2x"), then maybe others
_SRCSET = re.compile(r"(\S+)\s+\d+(?:\.\d+)?[wx]\s*(?:,.*)?", re.DOTALL)


def _clean_description(value: str, headline: str | None, outlets: list[str]) -> str | None:
    """The summary, unless it only repeats the headline (with the site's name or not) or names
    the site ("watson - das newsportal"): CMSs fill the field with either when the editor
    wrote none. An excerpt loses the "Read more" label after its ellipsis."""
    value = without_read_more(" ".join(value.split()))
    if not any(c.isalpha() for c in value) or value.casefold() in markup.HOME_WORDS:
        return None
    shown = " ".join(headline.split()).casefold() if headline else None
    if shown in (value.casefold(), strip_outlet(value, outlets).casefold()):
        return None
    return None if names_an_outlet(value, outlets) else value[:2000]


def _cut_short(blocks: list[Block]) -> bool:
    """The text ends in an ellipsis: a teaser of the article, not a short article."""
    return bool(blocks) and blocks[-1].text.rstrip().endswith(TRUNCATED)


def _structured_body(hints: Hints, context: Context) -> list[Block]:
    """JSON-LD articleBody as paragraphs, unless it is cut short ("...").

    Measured on zyte-dev: where pages give articleBody it is often truncated or has no
    paragraph breaks and scores below trafilatura, so it is only the fallback for pages whose
    markup yields no body (script-rendered pages).
    """
    for hint in hints.get("article_body"):
        text = hint.value.strip()
        if text.endswith(TRUNCATED):
            continue
        blocks = [Block(line) for line in re.split(r"\s*\n\s*", text) if line.strip()]
        blocks = [Block(" ".join(b.text.split())) for b in blocks]
        cleaned = clean_blocks(blocks, context)
        if _size(cleaned) >= MIN_DECLARED_BODY_CHARS:
            return cleaned
    return []


__all__ = ["EXTRACTOR_VERSION", "MIN_BODY_CHARS", "ExtractedArticle", "extract_article"]
