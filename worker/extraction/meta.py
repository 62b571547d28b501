"""Article metadata from <meta> tags (Open Graph, Twitter, Dublin Core, Parse.ly, Sailthru,
microdata on <meta>) and <link rel="canonical">.

Tag names differ per CMS and analytics vendor; the tables below list, per field, the names in
the order they are trusted. Everything read here gets provenance "meta".
"""

from __future__ import annotations

from collections import defaultdict

from lxml.html import HtmlElement

from worker.extraction.hints import Hints
from worker.extraction.parsing import elements, in_nested_item, rel_words
from worker.extraction.plaintext import as_read

FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": (
        "og:title", "twitter:title", "parsely-title", "sailthru.title", "dc.title",
        "dcterms.title", "headline", "title",
    ),
    "authors": (
        "author", "article:author", "og:article:author", "parsely-author", "sailthru.author",
        "dc.creator", "dcterms.creator", "byl", "citation_author", "creator",
        "shareaholic:article_author_name",
    ),
    "published": (
        "article:published_time", "og:article:published_time", "article:published",
        "published_time", "og:published_time", "datepublished", "parsely-pub-date",
        "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
        "dc.date.created", "dcterms.created", "datecreated", "pubdate", "publishdate",
        "publish-date", "publish_date", "publication_date", "article.published",
        "citation_publication_date", "citation_date", "release_date", "date",
        "shareaholic:article_published_time",
    ),
    "updated": (
        "article:modified_time", "og:article:modified_time", "og:updated_time",
        "datemodified", "dcterms.modified", "dc.date.modified", "modified_time",
        "article.updated", "lastmod", "shareaholic:article_modified_time",
    ),
    "section": (
        "article:section", "og:article:section", "parsely-section", "section",
        "article.section", "category",
    ),
    "description": (
        "og:description", "description", "twitter:description", "dc.description",
        "dcterms.description", "sailthru.description",
    ),
    "image": (
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image",
        "twitter:image:src", "parsely-image-url", "sailthru.image.full", "thumbnail", "image",
        "thumbnailurl",
    ),
    "canonical": ("og:url", "parsely-link", "twitter:url"),
    "site_name": ("og:site_name", "application-name", "dc.publisher", "publisher"),
    "language": ("og:locale", "content-language", "language", "dc.language", "dcterms.language"),
    "tags": (
        "article:tag", "og:article:tag", "news_keywords", "keywords", "parsely-tags",
        "sailthru.tags",
    ),
    "free": ("article:content_tier", "isaccessibleforfree"),
    "type": ("og:type",),
}  # fmt: skip

# Fields whose values are prose or names, read as a reader would see them (see plaintext);
# not addresses, dates or codes, whose "&" and "<" are their own.
_TEXT_FIELDS = frozenset({"title", "authors", "description", "section", "site_name", "tags"})

# Labels Yoast and others pair with twitter:dataN to show the author, in the languages Yoast
# writes them in (the site's language: "Verfasst von" on German sites)
_AUTHOR_LABELS = frozenset({
    "written by", "author", "by", "verfasst von", "geschrieben von", "autor", "escrito por",
    "écrit par", "scritto da", "autore", "geschreven door", "auteur", "napisane przez",
})  # fmt: skip


def meta_values(root: HtmlElement) -> dict[str, list[str]]:
    """Every meta tag's content keyed by its lower-cased property/name/itemprop/http-equiv."""
    values: dict[str, list[str]] = defaultdict(list)
    for tag in elements(root, "meta"):
        content = tag.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if attr == "itemprop" and key and in_nested_item(tag):
                continue  # a cited paper's author, a review's date
            if key and key.strip():
                values[key.strip().lower()].append(content.strip())
    return values


def collect(root: HtmlElement) -> Hints:
    """Candidates from meta tags and the canonical link."""
    hints = Hints()
    for link in elements(root, "link"):
        if link.get("href") is not None and "canonical" in rel_words(link):
            hints.add("canonical", link.get("href"), "meta")
            break
    values = meta_values(root)
    # read again in order only when a side of 1 or 2 pixels is declared (rarely): the walk
    # cost more than the check
    declared = values.get("og:image:width", []) + values.get("og:image:height", [])
    tiny = any(side.removesuffix("px").strip() in _PIXEL_SIDES for side in declared)
    pixels = _pixel_images(root) if tiny else set()
    for field, keys in FIELD_KEYS.items():
        for key in keys:
            for value in values.get(key, []):
                if field == "authors" and value.lower().startswith(("http://", "https://")):
                    continue  # article:author is often a profile URL, not a name
                if field == "image" and value in pixels:
                    continue
                hints.add(field, as_read(value) if field in _TEXT_FIELDS else value, "meta")
    for index in range(1, 5):
        labels = values.get(f"twitter:label{index}", [])
        if labels and labels[0].strip().lower() in _AUTHOR_LABELS:
            for value in values.get(f"twitter:data{index}", []):
                hints.add("authors", value, "meta")
    return hints


def _pixel_images(root: HtmlElement) -> set[str]:
    """The og:images the page declares 1x1 or 2x2 pixels large: a tracking pixel or a spacer,
    never an article's picture. Open Graph gives an image's width and height after its
    ``og:image``; a size of 0 is a template's "unknown", no size."""
    pixels: set[str] = set()
    addresses: list[str] = []
    size: dict[str, str] = {}
    for tag in elements(root, "meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        content = (tag.get("content") or "").strip()
        if key == "og:image":
            addresses, size = [], {}
        if key in ("og:image", "og:image:url", "og:image:secure_url"):
            addresses.append(content)
        elif key in ("og:image:width", "og:image:height"):
            size[key] = content.removesuffix("px").strip()
        if len(size) == 2 and set(size.values()) <= _PIXEL_SIDES:
            pixels.update(addresses)
    return pixels


_PIXEL_SIDES = frozenset({"1", "2"})
