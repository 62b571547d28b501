"""RSS and Atom feeds, parsed by feedparser from bytes we fetched ourselves."""

from __future__ import annotations

from calendar import timegm
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser

from worker.discovery.links import Discovered, prepare_xml
from worker.errors import DiscoveryError
from worker.extraction.dates import parse_date


def parse_feed(content: bytes, base_url: str, zone: tzinfo | None = None) -> Discovered:
    """Article links of a feed; DiscoveryError if the document is not a feed.

    ``zone``: the outlet's, for item times that name no zone or one feedparser does not know.
    """
    content = prepare_xml(content)
    parsed = feedparser.parse(
        content, response_headers={"content-location": base_url}, sanitize_html=False
    )
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            cause = parsed.get("bozo_exception")
            raise DiscoveryError(f"not a feed: {cause or 'unrecognised document'}")
        if not parsed.get("version"):
            raise DiscoveryError("not an RSS or Atom feed (no channel or feed element)")
    found = Discovered()
    # Atom's <updated> is a change; an RSS item's dc:date (which feedparser reads as "updated")
    # is its publication.
    atom = str(parsed.get("version") or "").startswith("atom")
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link:  # none given, or one feedparser could not resolve and blanked
            name = entry.get("title") or entry.get("id") or "untitled"
            found.refused.append((f"item {str(name)[:200]!r}", "feed item without a usable link"))
            continue
        updated = _entry_time(entry, "updated", zone)
        published = (
            _entry_time(entry, "published", zone)
            or _entry_time(entry, "created", zone)  # dcterms:created
            or (None if atom else updated)
        )
        found.add(
            link,
            base_url,
            published_at=published,
            title=entry.get("title") or None,
            modified_at=updated,
            title_is_html=_html(entry.get("title_detail")),
        )
    return found


def _html(detail: Any) -> bool:
    """Whether feedparser read the title as markup (Atom type="html", RSS with tags in it);
    "text/plain" has had its entities decoded and holds no markup."""
    kind = detail.get("type") if isinstance(detail, dict) else None
    return kind != "text/plain"


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    guid = entry.get("id")
    if guid and str(guid).startswith(("http://", "https://")):
        return str(guid)
    return None


def _entry_time(entry: Any, key: str, zone: tzinfo | None) -> datetime | None:
    """The item's time read from its text first: feedparser takes every zone name it does not
    know for UTC ("18:00 KST" is 9 h late), drops a time without a zone and reads "6:00 PM" as
    6:00; its own reading is kept for the forms ours refuses (two-digit years)."""
    # dict.get: feedparser's own get() answers "updated" with the published time
    text = dict.get(entry, key)
    if isinstance(text, str) and (ours := parse_date(text, zone)) is not None:
        return ours.astimezone(UTC)
    parsed = dict.get(entry, f"{key}_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(timegm(parsed), UTC)
    except (ValueError, OverflowError, OSError):  # year 0 or 10000: this item has no time
        return None
