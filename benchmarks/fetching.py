"""Polling a local web of 1,000 pages on 20 hosts: throughput, and the per-host rate held.

    python -m benchmarks.fetching [--hosts 20] [--pages 1000] [--threads 16] [--delay 0.2]

Each host is a real HTTP server on 127.0.0.1 with an RSS feed of its pages (about 20 KB of HTML
each). Every run polls the 20 feeds, parses them, then fetches every page, ``--threads`` at a
time, the URLs interleaved across hosts as a frontier would hand them out:

- plain httpx: one pooled ``httpx.Client``, no robots.txt, no limits (the peer, and the bound);
- newsworker, limits off: our Fetcher (robots.txt, address guard, deadlines, bounded inflate);
- newsworker, limits on, over Redis and over the embedded SQLite store, each host limited to one
  request every ``--delay`` seconds: the table shows the rate each host actually saw (from the
  servers' own arrival log) beside the configured one.

Prints one table, with ratios against plain httpx measured in the same run.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

import httpx

from tests.localweb.server import LocalSite, Response
from worker.discovery import parse_feed
from worker.fetching import build_fetcher
from worker.fetching.client import Accept, Fetcher
from worker.settings import Settings

PARAGRAPH = (
    "<p>The regional council met on Thursday to discuss the budget for the coming year, and "
    "members of the opposition asked for more money for schools and public transport.</p>"
)


@dataclass
class Run:
    name: str
    seconds: float
    pages: int
    errors: int
    configured_rate: float | None = None  # requests per second per host
    max_host_rate: float | None = None
    min_gap: float | None = None
    max_per_second: int | None = None


def build_web(hosts: int, pages: int) -> list[LocalSite]:
    sites = [LocalSite(f"host{n}").start() for n in range(hosts)]
    body = "<!doctype html><html><body><article>" + PARAGRAPH * 60 + "</article></body></html>"
    for n, site in enumerate(sites):
        links = [f"/news/{n}-{i}" for i in range(pages // hosts)]
        for link in links:
            site.add(link, Response(body))
        items = "".join(f"<item><link>{site.url(link)}</link></item>" for link in links)
        site.add(
            "/feed.xml",
            Response(f'<rss version="2.0"><channel>{items}</channel></rss>',
                     content_type="application/rss+xml"),
        )  # fmt: skip
    return sites


def interleave(per_host: list[list[str]]) -> list[str]:
    return [url for group in zip(*per_host, strict=False) for url in group]


def crawl(get: Callable[[str, str], bytes], sites: list[LocalSite], threads: int) -> Run:
    """Poll every feed, then fetch every page; returns the elapsed time and error count."""
    errors = 0

    def safe(url: str, accept: str) -> bytes:
        nonlocal errors
        try:
            return get(url, accept)
        except Exception:
            errors += 1
            return b""

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        feeds = list(pool.map(lambda s: safe(s.url("/feed.xml"), "feed"), sites))
        per_host = [
            [link.url for link in parse_feed(feed, site.url("/feed.xml")).links]
            for feed, site in zip(feeds, sites, strict=True)
        ]
        urls = interleave(per_host)
        list(pool.map(lambda url: safe(url, "html"), urls))
    return Run("", time.perf_counter() - started, len(urls), errors)


def host_rates(sites: list[LocalSite]) -> tuple[float, float, int]:
    """What the busiest host saw: its mean request rate, the shortest gap between two requests,
    and the most requests within any one second."""
    rates: list[float] = []
    gaps: list[float] = []
    bursts: list[int] = []
    for site in sites:
        arrivals = sorted(at for at, _ in site.times)
        if len(arrivals) > 1:
            rates.append((len(arrivals) - 1) / (arrivals[-1] - arrivals[0]))
            gaps.extend(later - earlier for earlier, later in pairwise(arrivals))
            bursts.append(
                max(bisect.bisect_left(arrivals, at + 1.0) - i for i, at in enumerate(arrivals))
            )
    return max(rates), min(gaps), max(bursts)


def settings_for(var_dir: Path, **values: Any) -> Settings:
    return Settings(
        var_dir=var_dir, allow_networks="127.0.0.1/32", database_url="sqlite://", **values
    )


def _getter(fetcher: Fetcher) -> Callable[[str, str], bytes]:
    """The crawl's ``get`` for one of our fetchers: the body of a fetched URL."""
    return lambda url, accept: fetcher.get(url, accept=cast(Accept, accept)).content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds between requests/host")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        plain = httpx.Client(limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))
        candidates: list[tuple[str, Callable[[], Callable[[str, str], bytes]], float | None]] = [
            ("plain httpx (no politeness)", lambda: lambda url, _: plain.get(url).content, None),
        ]
        variants = [
            ("newsworker, limits off", {"host_limits_url": "none"}, None),
            ("newsworker, limits on (Redis)",
             {"host_limits_url": args.redis, "host_delay_seconds": args.delay}, args.delay),
            ("newsworker, limits on (SQLite)",
             {"host_limits_url": f"sqlite:///{var / 'hosts.sqlite'}",
              "host_delay_seconds": args.delay}, args.delay),
        ]  # fmt: skip
        fetchers = []
        for name, values, delay in variants:
            fetcher = build_fetcher(settings_for(var, host_concurrency=4, **values))
            fetchers.append(fetcher)
            candidates.append((name, functools.partial(_getter, fetcher), delay))
        if "redis" in args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
        for name, make, delay in candidates:
            sites = build_web(args.hosts, args.pages)
            try:
                run = crawl(make(), sites, args.threads)
                run.name = name
                if delay:
                    run.configured_rate = 1 / delay
                run.max_host_rate, run.min_gap, run.max_per_second = host_rates(sites)
            finally:
                for site in sites:
                    site.stop()
            runs.append(run)
            print(f"  {name}: {run.pages} pages in {run.seconds:.1f}s", flush=True)
        plain.close()
        for fetcher in fetchers:
            fetcher.close()
    print_table(runs, args)


def print_table(runs: list[Run], args: argparse.Namespace) -> None:
    bound = runs[0].pages / runs[0].seconds
    print(
        f"\n{args.pages} pages (+{args.hosts} feeds) on {args.hosts} hosts, "
        f"{args.threads} threads; limits on: {1 / args.delay:.1f} requests/s per host\n"
    )
    header = (
        f"{'run':34} {'pages/s':>8} {'vs httpx':>9} {'errors':>7} "
        f"{'set rate/host':>14} {'mean seen/host':>15} {'max in 1 s':>11} {'min gap s':>10}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        rate = run.pages / run.seconds
        configured = f"{run.configured_rate:.2f}" if run.configured_rate else "off"
        print(
            f"{run.name:34} {rate:8.1f} {rate / bound:9.2f} {run.errors:7d} {configured:>14} "
            f"{run.max_host_rate or 0:15.2f} {run.max_per_second or 0:11d} {run.min_gap or 0:10.3f}"
        )
    limited = [run for run in runs if run.configured_rate]
    if limited:
        worst = max(run.max_host_rate or 0 for run in limited)
        burst = max(run.max_per_second or 0 for run in limited)
        floor = statistics.fmean(r.pages / r.seconds for r in limited)
        print(
            f"\nlimits on: the busiest host saw {worst:.2f} requests/s on average and at most "
            f"{burst} in one second, against {limited[0].configured_rate:.2f}/s configured; "
            f"{floor:.1f} pages/s overall "
            f"(the bound with these limits is {args.hosts / args.delay:.0f} pages/s)"
        )


if __name__ == "__main__":
    main()
