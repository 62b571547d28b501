"""One outlet reading a local site's feed, for tests that run the service's processes."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.processes import run_cli, service_env
from tests.localweb.server import LocalSite, Response


def rss_of(paths: list[str]) -> Response:
    """An RSS feed linking ``paths``."""
    items = "".join(f"<item><title>t</title><link>{path}</link></item>" for path in paths)
    feed = f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'
    return Response(feed, content_type="application/rss+xml")


def feed_service(site: LocalSite, tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a service whose one outlet reads ``site``'s /feed.xml (``settings``
    added), its embedded database migrated by the CLI."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        f'kind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
    )
    env = service_env(tmp_path, sources_file=str(sources), **settings)
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    return env
