"""Throughput end to end (Celery, Redis, PostgreSQL) against extraction alone, with where the
rest of the time goes and the workers' memory.

    python -m benchmarks.throughput [--pages 5000] [--hosts 20] [--workers 1 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/newsworker_bench]
        [--broker-url redis://127.0.0.1:6379/14]

The web (``benchmarks.newsweb``): ``--pages`` article pages in full site chrome on ``--hosts``
LocalSites, each an outlet with an RSS feed or a news sitemap, a fifth of the pages wire copies
carried by 2-4 outlets. Rate limits are lifted (``request_delay = 0`` per outlet,
``NEWSWORKER_HOST_DELAY_SECONDS=0``); the per-host slots still go through Redis, as in
production. For each count in ``--workers``:

- extraction only (the bound): the pipeline's ``extract`` on the same HTML, in that many plain
  processes (multiprocessing, warmed up): pages per second, the mean of a run before and one
  after the end-to-end run (this machine's speed drifts by a fifth within minutes);
- end to end: that many ``newsworker worker --concurrency 1`` processes on a clean database
  (``--database-url``, created and migrated here; truncated before each run) and a flushed Redis
  index (``--broker-url``); one poll per source is queued on the broker, and the run lasts from
  that moment to the last URL in a final state (the last ``url.done`` line): articles per
  second, and the ratio to extraction only (target: at least 0.80).

Where a worker process's time per article goes comes from the lines the workers log: each
``url.done`` carries its phases (``start_ms`` ``fetch_ms`` ``extract_ms`` ``dedup_ms``
``store_ms``, see ``worker.pipeline.phases``), Celery's "succeeded in" line gives each task's
run time, and the rest of ``processes x wall time`` is the broker (between one task's end and
the next one's start) and idling (before the first task, after the last). Memory: VmRSS and
VmHWM of each worker's main and pool process, read from /proc every half second; a pool process
is replaced after 1,000 tasks (``worker_max_tasks_per_child``), so the table counts them.
CPU: the seconds each process used while the run lasted, from /proc (PostgreSQL's and Redis's
processes read every half second, as backends end with the pool process they served), and the
machine's busy time over all cores. When the cores are all busy, the ratio cannot exceed
extraction's share of the CPU a page costs in all processes together.

Prints one table, the end-to-end runs beside the extraction-only bound measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import redis
from celery import Celery
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import newsweb
from tests.e2e.processes import running, service_env
from worker.fetching.hostgate import HostLimits
from worker.logging import configure_logging
from worker.pipeline.process import UrlContext, extract
from worker.runtime import build_runtime
from worker.settings import Settings
from worker.storage.migrations import upgrade
from worker.storage.models import Base
from worker.syncing import sync_from_file

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/newsworker_bench"
BROKER_URL = "redis://127.0.0.1:6379/14"
QUEUE = "newsworker"
PHASES = ("start", "fetch", "extract", "dedup", "store")
SUCCEEDED = re.compile(r"Task (newsworker\.\w+)\[[^\]]+\] succeeded in ([0-9.e-]+)s")
FINAL_EVENTS = {"url.done", "url.skipped", "url.failed"}

# --- extraction only ---------------------------------------------------------------------------

_WEB: newsweb.NewsWeb | None = None  # inherited by the forked extraction processes


def _context(host: int) -> UrlContext:
    """What the pipeline passes ``extract`` for a page of this outlet (see ``context_for``)."""
    assert _WEB is not None
    return UrlContext(
        url="", attempt=1, outlet_id=host + 1, outlet_key=_WEB.outlets[host],
        outlet_name=_WEB.names[host], timezone="Asia/Seoul", language=None, rules=None,
        limits=HostLimits(0.0, 2),
    )  # fmt: skip


def _extract_pages(indexes: range) -> int:
    assert _WEB is not None
    for i in indexes:
        page = _WEB.pages[i]
        extract(page.body.decode(), _WEB.url(page), _context(page.host))
    return len(indexes)


def _warm_up() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent terminates the pool
    _extract_pages(range(min(3, len(_WEB.pages) if _WEB else 0)))


def extraction_only(web: newsweb.NewsWeb, processes: int) -> float:
    """Seconds to extract every page in ``processes`` warmed-up processes."""
    global _WEB
    _WEB = web
    chunks = [range(i, min(i + 10, len(web.pages))) for i in range(0, len(web.pages), 10)]
    with multiprocessing.get_context("fork").Pool(processes, initializer=_warm_up) as pool:
        pool.map(_extract_pages, [range(0)] * processes, chunksize=1)  # all started and warm
        started = time.perf_counter()
        done = sum(pool.imap_unordered(_extract_pages, chunks))
        seconds = time.perf_counter() - started
    assert done == len(web.pages)
    return seconds


# --- database and broker -----------------------------------------------------------------------


def create_database(url: str) -> None:
    """Drop and create the benchmark's database, then migrate it to head."""
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    upgrade(url)


def clean(engine: Engine, broker_url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    client.close()


def sync_sources(database_url: str, sources_file: Path, var_dir: Path) -> list[int]:
    runtime = build_runtime(
        Settings(database_url=database_url, sources_file=sources_file, var_dir=var_dir)
    )
    try:
        sync_from_file(runtime)
        with runtime.engine.connect() as connection:
            return list(connection.scalars(text("SELECT id FROM sources ORDER BY id")))
    finally:
        runtime.close()


def queue_polls(broker_url: str, source_ids: list[int]) -> float:
    """One poll task per source on the workers' queue; returns when the first was queued."""
    sender = Celery("throughput", broker=broker_url, set_as_current=False)
    sender.conf.update(task_default_queue=QUEUE, task_serializer="json",
                       broker_connection_retry_on_startup=True)  # fmt: skip
    with sender.connection_for_write() as connection:
        connection.ensure_connection()
        started = time.time()
        for source_id in source_ids:
            sender.send_task("newsworker.poll", args=(source_id,), connection=connection)
    return started


# --- memory ------------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    main: int  # the worker's main process
    pid: int
    role: str  # main | child
    rss_kb: int
    hwm_kb: int
    cpu_s: float  # user + system time of the process so far


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(proc: Path) -> float:
    """User + system CPU seconds of a process so far, from /proc/<pid>/stat (OSError when it
    is gone)."""
    stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / TICKS  # utime, stime


def _status(pid: int) -> tuple[int, int, float] | None:
    proc = Path(f"/proc/{pid}")
    try:
        lines = (proc / "status").read_text().splitlines()
        cpu = _cpu_seconds(proc)
    except (OSError, ValueError, IndexError):
        return None
    values = {k: v for k, _, v in (line.partition(":") for line in lines)}
    try:
        return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0]), cpu
    except (KeyError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def sampling(pids: list[int], every: float = 0.5) -> Iterator[list[Sample]]:
    """VmRSS/VmHWM of the worker main processes ``pids`` and their pool children."""
    samples: list[Sample] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            now = time.time()
            for main in pids:
                for pid, role in [(main, "main"), *((c, "child") for c in _children(main))]:
                    status = _status(pid)
                    if status:
                        samples.append(Sample(now, main, pid, role, *status))
            stop.wait(every)

    thread = threading.Thread(target=run, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


# --- CPU of the services and of the machine ----------------------------------------------------

SERVICES = {"postgres": "PostgreSQL", "redis-server": "Redis"}  # /proc/<pid>/comm -> name


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used during a run: by each service's processes, by this process (the local
    web's servers are its threads) and by the whole machine (busy time, every core)."""

    services: dict[str, float]
    web: float
    machine: float


def _service_cpu() -> dict[int, tuple[str, float]]:
    """pid -> (service, CPU seconds so far) of every PostgreSQL and Redis process."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            name = SERVICES.get((proc / "comm").read_text().strip())
            if name is not None:
                found[int(proc.name)] = (name, _cpu_seconds(proc))
        except OSError:  # exited meanwhile
            continue
    return found


def _busy_seconds() -> float:
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS  # all but idle and iowait


@contextmanager
def watching_cpu(every: float = 0.5) -> Iterator[list[CpuUse]]:
    """Yields a list that holds, once the block ends, the CPU used while it ran. Service
    processes are read every ``every`` seconds: a PostgreSQL backend ends with the pool
    process it served, and its time would be lost to two readings at start and end."""
    first = _service_cpu()
    last = dict(first)
    web, machine = sum(os.times()[:2]), _busy_seconds()
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            last.update(_service_cpu())

    thread = threading.Thread(target=run, name="cpu-watch", daemon=True)
    thread.start()
    used: list[CpuUse] = []
    try:
        yield used
    finally:
        stop.set()
        thread.join()
        last.update(_service_cpu())
        services = dict.fromkeys(SERVICES.values(), 0.0)
        for pid, (name, seconds) in last.items():
            services[name] += seconds - first.get(pid, (name, 0.0))[1]
        used.append(CpuUse(services, sum(os.times()[:2]) - web, _busy_seconds() - machine))


# --- end to end --------------------------------------------------------------------------------


@dataclass
class Phases:
    ms: dict[str, float] = field(default_factory=dict)  # phase -> total over all URLs

    def add(self, name: str, value: float) -> None:
        self.ms[name] = self.ms.get(name, 0.0) + value


@dataclass
class EndToEnd:
    workers: int
    seconds: float
    urls: int
    states: dict[str, int]
    phases: Phases
    between_tasks_ms: float  # sum over processes of the gaps between consecutive tasks
    samples: list[Sample]
    started: float
    ended: float
    log_problems: list[str]
    cpu: CpuUse  # used from the first poll queued to the last URL final


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def read_log(path: Path, phases: Phases) -> tuple[float, float, list[str]]:
    """Add one worker log's phases and task run times; returns its last final-state time, the
    sum of gaps between its consecutive tasks (ms), and lines that say something went wrong."""
    last_final, gaps, problems = 0.0, 0.0, []
    previous_end: float | None = None
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        event = str(entry.get("event", ""))
        at = _timestamp(entry["timestamp"]) if "timestamp" in entry else 0.0
        if event in FINAL_EVENTS:
            last_final = max(last_final, at)
            for name in PHASES:
                phases.add(name, float(entry.get(f"{name}_ms", 0.0)))
        elif event in ("url.retry", "url.host_busy") or entry.get("level") in ("error", "critical"):
            problems.append(line[:300])
        match = SUCCEEDED.search(event)
        if match:
            runtime_ms = float(match.group(2)) * 1000
            phases.add(f"task:{match.group(1)}", runtime_ms)
            start = at * 1000 - runtime_ms
            if previous_end is not None:
                gaps += max(0.0, start - previous_end)
            previous_end = at * 1000
    return last_final, gaps, problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def end_to_end(
    web: newsweb.NewsWeb, workers: int, args: argparse.Namespace, engine: Engine, tmp: Path
) -> EndToEnd:
    run_dir = tmp / f"run-{workers}"
    run_dir.mkdir()
    clean(engine, args.broker_url)
    for site in web.sites:
        site.reset_counts()
    source_ids = sync_sources(args.database_url, web.sources_file, run_dir / "var")
    logs = [run_dir / f"worker-{n}.log" for n in range(workers)]
    with ExitStack() as stack:
        processes = []
        for n, log in enumerate(logs):
            env = service_env(
                run_dir, database_url=args.database_url, broker_url=args.broker_url,
                sources_file=str(web.sources_file), host_delay_seconds="0",
                metrics_port=str(free_port()), metrics_address="127.0.0.1",
            )  # fmt: skip
            argv = ["worker", "--concurrency", "1", "--hostname", f"b{n}@%h"]
            processes.append(stack.enter_context(running(argv, env, run_dir, log)))
        wait_ready(processes, logs)
        samples = stack.enter_context(sampling([p.pid for p in processes]))
        with watching_cpu() as used:
            started = queue_polls(args.broker_url, source_ids)
            wait_final(engine, len(web.pages), processes, logs, args.timeout)
        cpu = used[0]
        time.sleep(0.5)  # the last url.done line follows its commit
    phases, ends, gaps, problems = Phases(), [], 0.0, []
    for log in logs:
        last, gap, trouble = read_log(log, phases)
        ends.append(last)
        gaps += gap
        problems += trouble
    ended = max(ends)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT state, reason, count(*) FROM urls GROUP BY 1, 2"))
        counts = {f"{s}/{r}" if r else s: n for s, r, n in rows}
    return EndToEnd(workers, ended - started, len(web.pages), counts, phases, gaps, samples,
                    started, ended, problems, cpu)  # fmt: skip


def wait_ready(
    processes: list[subprocess.Popen[bytes]], logs: list[Path], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(" ready." in log.read_text(errors="replace") for log in logs):
            return
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                sys.exit(f"worker exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    sys.exit(f"workers not ready after {timeout}s:\n{logs[0].read_text()[-3000:]}")


def wait_final(
    engine: Engine,
    expected: int,
    processes: list[subprocess.Popen[bytes]],
    logs: list[Path],
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    query = text("SELECT count(*) FILTER (WHERE state <> 'pending') FROM urls")
    with engine.connect() as connection:
        while True:
            final = connection.execute(query).scalar_one()
            connection.commit()
            if final >= expected:
                return
            for process, log in zip(processes, logs, strict=True):
                if process.poll() is not None:
                    sys.exit(f"worker exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                sys.exit(f"only {final}/{expected} URLs final after {timeout}s")
            time.sleep(0.2)


# --- the table ---------------------------------------------------------------------------------


@dataclass
class Memory:
    main_peak: float  # MiB
    child_peak: float
    child_mid: float
    child_end: float
    children: int
    main_cpu: float  # seconds, all workers
    child_cpu: float

    @property
    def growth(self) -> float:
        return self.child_end / self.child_mid - 1 if self.child_mid else 0.0


def memory(run: EndToEnd) -> Memory:
    """Peaks over every worker; mid-run and end RSS of the pool process (the one at work then,
    whichever it is) of the worker whose pool grew most."""
    mid = (run.started + run.ended) / 2
    samples = [s for s in run.samples if s.at <= run.ended + 0.5]
    per_worker = []
    for main in sorted({s.main for s in samples}):
        own = [s for s in samples if s.main == main and s.role == "child"]
        if own:
            at_mid = min(own, key=lambda s: abs(s.at - mid))
            at_end = max(own, key=lambda s: s.at)
            per_worker.append((at_end.rss_kb / at_mid.rss_kb, at_mid.rss_kb, at_end.rss_kb))
    _, child_mid, child_end = max(per_worker, default=(0.0, 0, 0))
    return Memory(
        main_peak=max((s.hwm_kb for s in samples if s.role == "main"), default=0) / 1024,
        child_peak=max((s.hwm_kb for s in samples if s.role == "child"), default=0) / 1024,
        child_mid=child_mid / 1024,
        child_end=child_end / 1024,
        children=len({s.pid for s in samples if s.role == "child"}),
        main_cpu=_cpu(samples, "main"),
        child_cpu=_cpu(samples, "child"),
    )


def _cpu(samples: list[Sample], role: str) -> float:
    """CPU seconds the processes of ``role`` used during the run (from their first sample;
    a recycled pool process's last half second before it exited is missed)."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for sample in samples:
        if sample.role == role:
            first.setdefault(sample.pid, sample.cpu_s if role == "main" else 0.0)
            last[sample.pid] = sample.cpu_s
    return sum(last[pid] - first[pid] for pid in last)


def breakdown(run: EndToEnd) -> dict[str, float]:
    """Milliseconds per page of a worker process's time, by where it went."""
    ms = run.phases.ms
    per = 1 / run.urls
    in_phases = sum(ms.get(name, 0.0) for name in PHASES)
    rows = {
        "extraction": ms.get("extract", 0.0) * per,
        "fetch (HTTP, host slot in Redis)": ms.get("fetch", 0.0) * per,
        "dedup, story grouping": ms.get("dedup", 0.0) * per,
        "storage (PostgreSQL transactions)": (ms.get("start", 0.0) + ms.get("store", 0.0)) * per,
        "polling (feeds, sitemaps, queueing)": ms.get("task:newsworker.poll", 0.0) * per,
        "Celery task around the pipeline": (ms.get("task:newsworker.fetch", 0.0) - in_phases) * per,
        "broker, between two tasks": run.between_tasks_ms * per,
    }
    total = run.workers * run.seconds * 1000 * per
    rows["idle (before the first task, after the last)"] = total - sum(rows.values())
    rows["total: processes x wall / pages"] = total
    return rows


def print_table(web: newsweb.NewsWeb, runs: list[tuple[float, EndToEnd]]) -> None:
    kinds = {kind: sum(p.kind == kind for p in web.pages) for kind in ("local", "wire", "print")}
    size = statistics.median(len(p.body) for p in web.pages) / 1024
    print(
        f"\n{len(web.pages):,} pages on {len(web.sites)} hosts: {kinds['local']:,} local stories, "
        f"{kinds['wire']:,} copies of {web.wire_stories:,} wire stories, {kinds['print']} print "
        f"editions; {size:.0f} KB of HTML per page (median); rate limits off\n"
    )
    label = 52
    header = f"{'':{label}}" + "".join(f"{f'{r.workers} worker' + 's' * (r.workers > 1):>14}"
                                       for _, r in runs)  # fmt: skip
    print(header)
    print("-" * len(header))

    def row(name: str, cells: list[str]) -> None:
        print(f"{name:{label}}" + "".join(f"{cell:>14}" for cell in cells))

    bound = [len(web.pages) / seconds for seconds, _ in runs]
    rate = [r.urls / r.seconds for _, r in runs]
    row("extraction only: pages/s", [f"{b:.1f}" for b in bound])
    row("end to end: pages/s", [f"{e:.1f}" for e in rate])
    row("end to end / extraction only (target >= 0.80)",
        [f"{e / b:.2f}" for e, b in zip(rate, bound, strict=True)])  # fmt: skip
    row("end to end: s, first poll queued -> last URL final", [f"{r.seconds:.1f}" for _, r in runs])
    for state in sorted({s for _, r in runs for s in r.states}):
        row(f"  URLs {state}", [str(r.states.get(state, 0)) for _, r in runs])
    row("ms per page in a worker process:", [])
    row("  extraction alone (the bound)",
        [f"{seconds * 1000 * r.workers / len(web.pages):.1f}" for seconds, r in runs])  # fmt: skip
    tables = [breakdown(r) for _, r in runs]
    for name in tables[0]:
        row(f"  {name}", [f"{t[name]:.1f}" for t in tables])
    mems = [memory(r) for _, r in runs]
    row("RSS MiB, worker main process: peak", [f"{m.main_peak:.0f}" for m in mems])
    row("RSS MiB, pool process: peak", [f"{m.child_peak:.0f}" for m in mems])
    row("RSS MiB, pool process: mid-run -> end",
        [f"{m.child_mid:.0f} -> {m.child_end:.0f}" for m in mems])  # fmt: skip
    row("pool RSS growth, second half (target <= 10%)", [f"{m.growth:+.1%}" for m in mems])
    row("pool processes, all workers (new one per 1,000 tasks)", [str(m.children) for m in mems])
    row("CPU ms per page: pool processes / main processes",
        [f"{m.child_cpu * 1000 / r.urls:.1f} / {m.main_cpu * 1000 / r.urls:.1f}"
         for m, (_, r) in zip(mems, runs, strict=True)])  # fmt: skip
    for service in SERVICES.values():
        row(f"CPU ms per page: {service}",
            [f"{r.cpu.services[service] * 1000 / r.urls:.1f}" for _, r in runs])  # fmt: skip
    row("CPU ms per page: the local web (this process)",
        [f"{r.cpu.web * 1000 / r.urls:.1f}" for _, r in runs])  # fmt: skip
    row("CPU ms per page: whole machine", [f"{r.cpu.machine * 1000 / r.urls:.1f}" for _, r in runs])
    row(f"cores busy on average, of {os.cpu_count()}",
        [f"{r.cpu.machine / r.seconds:.2f}" for _, r in runs])  # fmt: skip
    problems = [line for _, r in runs for line in r.log_problems]
    if problems:
        print(f"\n{len(problems)} log lines of retries or errors, the first ones:")
        for line in problems[:5]:
            print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--broker-url", default=BROKER_URL)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per end-to-end run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    configure_logging("WARNING", json=False)
    create_database(args.database_url)
    engine = create_engine(args.database_url)
    runs: list[tuple[float, EndToEnd]] = []
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        web = newsweb.build(args.pages, args.hosts, Path(tmp), seed=args.seed)
        try:
            for workers in args.workers:
                before = extraction_only(web, workers)
                print(f"  extraction only, {workers} process(es): {before:.1f}s", flush=True)
                run = end_to_end(web, workers, args, engine, Path(tmp))
                print(f"  end to end, {workers} worker(s): {run.seconds:.1f}s", flush=True)
                after = extraction_only(web, workers)
                print(f"  extraction only again: {after:.1f}s", flush=True)
                runs.append(((before + after) / 2, run))
        finally:
            web.stop()
            engine.dispose()
    print_table(web, runs)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # everything started was stopped on the way out
        sys.exit("interrupted")
