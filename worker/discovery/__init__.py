"""Discovery: article links out of feeds (RSS/Atom), sitemaps (plain, Google News, indexes) and
listing pages (section fronts, home pages).

Pure functions from response bytes to links; fetching and recording live elsewhere.
"""

from worker.discovery.feeds import parse_feed
from worker.discovery.links import Discovered, DiscoveredLink
from worker.discovery.listing import parse_listing
from worker.discovery.sitemaps import parse_sitemap

__all__ = ["Discovered", "DiscoveredLink", "parse_feed", "parse_listing", "parse_sitemap"]
