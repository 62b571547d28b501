"""Extraction: an HTML page -> a clean article body plus metadata, with provenance.

Public API: ``extract_article(html, url, *, timezone, language, outlet_name)`` returning an
``ExtractedArticle``, and ``EXTRACTOR_VERSION`` (stored beside raw pages; bumped whenever the
output for the same page changes).

Modules, one job each: ``parsing`` (untrusted text -> the one lxml tree every collector and
trafilatura read), ``jsonld``/``meta``/``markup``/``textual`` (candidate values with their
source), ``plaintext`` (a stated value without the entities and tags a CMS escaped into it),
``dates`` and ``datechoice``, ``authors``, ``titles``, ``language`` (cleaning and choosing),
``body`` (trafilatura -> blocks), ``cleanup`` (generic boilerplate rules),
``listing`` (teasers and listing pages), ``structure`` (headings and lists trafilatura left
out), ``faq`` (a stated FAQ's questions above their answers), ``lead`` (the standfirst above
the text), ``layout`` (layout tables), ``rules`` (the outlet's CSS selectors), ``tags``,
``paywall``, ``textkeys`` (the one loose comparison of short texts), ``article`` (one choice
per field).

Decisions, measured on ../shared/corpus (see its README for the metrics):

- Body: the outlet's CSS rule when it has one that matches; else trafilatura in precision mode
  with tables and without comments (after layout tables became divs), in its fast mode (without
  its fallback extractors) unless that finds no body, retried in balanced mode when that keeps
  under 1500 characters and balanced mode finds twice as much; the subheadings and lists
  between its paragraphs put back where it kept ``<p>`` elements only (``structure``: 18
  bodies, trafilatura-eval +6 snippets found, 4 fewer leaked); then the clean-up pass, teaser
  removal, and a subscribers-only notice cut with what follows it; then the lead printed above
  the text that the description repeats (``lead``), where the body lacks it.
  zyte-dev F1 0.982 against 0.965 for trafilatura; trafilatura-eval F1 0.943 against 0.923
  (``python -m benchmarks.extraction``, extractor version 50).
- JSON-LD ``articleBody`` is only used when the markup yields no body (or the same text): on
  zyte-dev it is often truncated or lacks paragraph breaks.
- NotAnArticle: under ``MIN_BODY_CHARS`` (250, about three sentences) after clean-up, or a main
  content made of teasers that link to other pages of the site (a listing). A poster's name
  heading each forum post is no teaser; a page that declares itself an article keeps its
  precision-mode body when only the balanced retry sees a listing (a list article).
- Title: the first clean candidate (JSON-LD, meta, markup) without the outlet's name; the
  visible headline instead when the candidate is that headline plus a segment ("Headline |
  Blog", "Section » Headline", "Label: Headline") or plus the kicker the headline element marks,
  when it differs from the headline only in typography, or when another candidate (<title>,
  microdata, meta, JSON-LD) repeats the headline: trafilatura-eval title 0.729 -> 0.759. A
  "section" equal to the headline (article:section filled with the title) is dropped: it
  stripped the title away on 21 pages; a one-word <h1> ("News") the <title> repeats is the
  section's, not the story's (0.759 -> 0.785). A dangling separator and a site name with a
  separator of its own go whole; a label the <h1> starts with (any element, when the title
  sets it off with a separator) and a kicker after the headline go too; an <h1> in the page
  header counts when the <title> starts with it; a section equal to a title candidate of
  three words or more is dropped (0.789 -> 0.805).
- Metadata: JSON-LD, then meta tags, then markup, then visible-text bylines/datelines, then
  what the feed, news sitemap or listing announced (title and publication time only), then
  htmldate and the URL (dates only), then configuration; the source is in ``provenance``.
- Dates (``datechoice``): a UTC time keeps the offset of the same moment the page prints in
  local time; a structured date that meta tags and the printed date outvote loses; markup dates
  inside links to other pages are teasers', "02/10/2020" is read day first unless the page is
  in US-style English (printed dates only: CMSs write meta tags in US order). trafilatura-eval
  date 0.848 -> 0.864.
- Authors: the most trusted source that names a person; a site's address ("mdr.de") only as a
  last resort; bylines of teaser cards (another <article> than the headline's) left out.
  trafilatura-eval author 0.580 -> 0.599.
- Language: what the page states, unless a body of 300+ characters is detected as another
  language with high confidence (templates keep lang="en") and its opening does not agree with
  the statement; the configured outlet language only when the page states none and detection
  is unsure.
"""

from worker.extraction.article import (
    EXTRACTOR_VERSION,
    Announced,
    ExtractedArticle,
    extract_article,
)

__all__ = ["EXTRACTOR_VERSION", "Announced", "ExtractedArticle", "extract_article"]
