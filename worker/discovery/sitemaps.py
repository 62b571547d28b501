"""Sitemaps: ``urlset`` (plain and Google News) and ``sitemapindex``, parsed with lxml.

The parser never resolves entities nor touches the network; a gzip body is unpacked first.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateparser
from lxml import etree

from worker.discovery.links import Discovered, prepare_xml
from worker.errors import DiscoveryError

_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def parse_sitemap(content: bytes, base_url: str, zone: tzinfo | None = None) -> Discovered:
    """Article links of a urlset, or the child sitemaps of an index. A time given without a
    zone (the protocol wants one) is taken in ``zone``, the outlet's, else UTC."""
    content = prepare_xml(content)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a sitemap: malformed XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not a sitemap: empty or unparsable document")
    kind = etree.QName(root).localname
    found = Discovered()
    if kind == "sitemapindex":
        for child in root:
            if isinstance(child.tag, str) and etree.QName(child).localname == "sitemap":
                lastmod = _parse_time(_first_text(child, "lastmod"), zone)
                found.add_sitemap(_first_text(child, "loc"), base_url, lastmod)
        return found
    if kind != "urlset":
        raise DiscoveryError(f"not a sitemap: root element is <{kind}>")
    for url in root:
        if not isinstance(url.tag, str) or etree.QName(url).localname != "url":
            continue
        loc = _first_text(url, "loc")
        found.add(
            loc,
            base_url,
            published_at=_parse_time(
                _first_text(url, "publication_date", namespace=_NEWS_NS), zone
            ),
            title=_first_text(url, "title", namespace=_NEWS_NS),
            modified_at=_parse_time(_first_text(url, "lastmod"), zone),
            title_is_html=False,  # XML text, its references read by the parser
        )
    return found


def _first_text(element: etree._Element, name: str, namespace: str | None = None) -> str | None:
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        qname = etree.QName(node)
        if qname.localname == name and (namespace is None or qname.namespace == namespace):
            return (node.text or "").strip() or None
    return None


def _parse_time(value: str | None, zone: tzinfo | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone or UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # "0001-01-01T00:00+01:00" leaves the range in UTC
        return None
