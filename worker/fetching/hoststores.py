"""The stores behind HostGate: Redis for any number of machines, SQLite for one machine.

Both do a reservation in one atomic step (a Lua script on Redis, a ``BEGIN IMMEDIATE``
transaction on SQLite) with one clock (Redis's ``TIME``; the machine's clock for SQLite), so
workers never disagree on when a host is next free.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from pathlib import Path

import redis

from worker.fetching.hostgate import (
    BUSY_POLL_SECONDS,
    OWN_LIMITS_SECONDS,
    Grant,
    HostGate,
    HostLimits,
    NoGate,
)
from worker.settings import Settings, unsupported_host_limits_url

KEY_PREFIX = "newsworker:host:"

# KEYS: next-start key, lease sorted set, own limits key. ARGV: delay, concurrency, token,
# lease s, max wait s, busy poll s, own (1: remember these limits as the host's, 0: apply the
# stricter of these and the host's own), seconds to remember them.
# Returns {granted 0/1, wait seconds as a string}.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local delay = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
if ARGV[7] == '1' then
  redis.call('SET', KEYS[3], ARGV[1] .. ' ' .. ARGV[2], 'EX', ARGV[8])
else
  local own = redis.call('GET', KEYS[3])
  if own then
    local own_delay, own_cap = string.match(own, '^(%S+) (%S+)$')
    delay = math.max(delay, tonumber(own_delay))
    cap = math.min(cap, tonumber(own_cap))
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local wait = math.max(0, next_at - now)
if wait > tonumber(ARGV[5]) then return {0, tostring(wait)} end
if redis.call('ZCARD', KEYS[2]) >= cap then return {0, ARGV[6]} end
local slot = now + wait
local free_at = slot + delay
local lease_end = slot + tonumber(ARGV[4])
redis.call('SET', KEYS[1], tostring(free_at), 'PX', math.ceil((free_at - now) * 1000) + 60000)
redis.call('ZADD', KEYS[2], lease_end, ARGV[3])
redis.call('PEXPIRE', KEYS[2], math.ceil((lease_end - now) * 1000) + 60000)
return {1, tostring(wait)}
"""

# KEYS: next-start key, pushed-back-until key. ARGV: seconds.
_PUSH_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_at = now + tonumber(ARGV[1])
local ttl = math.ceil(tonumber(ARGV[1]) * 1000) + 60000
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_at > next_at then
  redis.call('SET', KEYS[1], tostring(until_at), 'PX', ttl)
end
local pushed = tonumber(redis.call('GET', KEYS[2]) or '0')
if until_at > pushed then
  redis.call('SET', KEYS[2], tostring(until_at), 'PX', ttl)
end
return 1
"""

# KEYS: pushed-back-until key. Returns 1 while a push-back holds the host back.
_HELD_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pushed = tonumber(redis.call('GET', KEYS[1]) or '0')
if pushed > now then return 1 end
return 0
"""


class RedisGate(HostGate):
    """Host slots in Redis: shared by every worker on every machine using this Redis."""

    def __init__(self, url: str, max_wait: float, lease_seconds: float) -> None:
        super().__init__(max_wait, lease_seconds)
        self.client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        self._reserve_script = self.client.register_script(_RESERVE)
        self._push_back_script = self.client.register_script(_PUSH_BACK)
        self._held_back_script = self.client.register_script(_HELD_BACK)

    @staticmethod
    def _key(host: str, what: str) -> str:
        # The hash tag {host} keeps the keys of a host in one Redis Cluster slot.
        return f"{KEY_PREFIX}{{{host}}}:{what}"

    def _reserve(
        self, host: str, limits: HostLimits, token: str, max_wait: float, own: bool = True
    ) -> Grant:
        granted, wait = self._reserve_script(
            keys=[self._key(host, "next"), self._key(host, "leases"), self._key(host, "limits")],
            args=[limits.delay, limits.concurrency, token, self.lease_seconds, max_wait,
                  BUSY_POLL_SECONDS, int(own), OWN_LIMITS_SECONDS],
        )  # fmt: skip
        return Grant(bool(int(granted)), float(wait))

    def _held_back(self, host: str) -> bool:
        return bool(int(self._held_back_script(keys=[self._key(host, "pushed")])))

    def _release(self, host: str, token: str) -> None:
        self.client.zrem(self._key(host, "leases"), token)

    def push_back(self, host: str, seconds: float) -> None:
        keys = [self._key(host, "next"), self._key(host, "pushed")]
        self._push_back_script(keys=keys, args=[seconds])

    def close(self) -> None:
        self.client.close()


class SqliteGate(HostGate):
    """Host slots in a SQLite file: shared by every process of one machine (the embedded mode)."""

    def __init__(self, path: Path, max_wait: float, lease_seconds: float) -> None:
        super().__init__(max_wait, lease_seconds)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS host_slots (host TEXT PRIMARY KEY, next_at REAL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS host_leases "
                "(token TEXT PRIMARY KEY, host TEXT NOT NULL, expires REAL NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS host_leases_host ON host_leases (host)")
            # tables of their own, not columns: a file an older release made gains them here
            db.execute(
                "CREATE TABLE IF NOT EXISTS host_own_limits "
                "(host TEXT PRIMARY KEY, delay REAL, concurrency INTEGER, expires REAL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS host_push_backs (host TEXT PRIMARY KEY, until REAL)"
            )

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a connection must not cross a fork)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _transaction(self) -> _Immediate:
        return _Immediate(self._connection())

    def _reserve(
        self, host: str, limits: HostLimits, token: str, max_wait: float, own: bool = True
    ) -> Grant:
        with self._transaction() as db:
            now = time.time()
            limits = self._own_limits(db, host, limits, own, now)
            db.execute("DELETE FROM host_leases WHERE host = ? AND expires <= ?", (host, now))
            row = db.execute("SELECT next_at FROM host_slots WHERE host = ?", (host,)).fetchone()
            wait = max(0.0, (row[0] if row else 0.0) - now)
            if wait > max_wait:
                return Grant(False, wait)
            (held,) = db.execute(
                "SELECT count(*) FROM host_leases WHERE host = ?", (host,)
            ).fetchone()
            if held >= limits.concurrency:
                return Grant(False, BUSY_POLL_SECONDS)
            slot = now + wait
            db.execute(
                "INSERT INTO host_slots (host, next_at) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET next_at = excluded.next_at",
                (host, slot + limits.delay),
            )
            db.execute(
                "INSERT INTO host_leases (token, host, expires) VALUES (?, ?, ?)",
                (token, host, slot + self.lease_seconds),
            )
            return Grant(True, wait)

    @staticmethod
    def _own_limits(
        db: sqlite3.Connection, host: str, limits: HostLimits, own: bool, now: float
    ) -> HostLimits:
        """Remember ``limits`` as the host's own, or the stricter of them and the host's own."""
        if own:
            db.execute(
                "INSERT INTO host_own_limits (host, delay, concurrency, expires) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (host) DO UPDATE SET delay = excluded.delay, "
                "concurrency = excluded.concurrency, expires = excluded.expires",
                (host, limits.delay, limits.concurrency, now + OWN_LIMITS_SECONDS),
            )
            return limits
        row = db.execute(
            "SELECT delay, concurrency FROM host_own_limits WHERE host = ? AND expires > ?",
            (host, now),
        ).fetchone()
        if row is None:
            return limits
        return HostLimits(max(limits.delay, row[0]), min(limits.concurrency, row[1]))

    def _held_back(self, host: str) -> bool:
        row = (
            self._connection()
            .execute("SELECT until FROM host_push_backs WHERE host = ?", (host,))
            .fetchone()
        )
        return row is not None and row[0] > time.time()

    def _release(self, host: str, token: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM host_leases WHERE token = ?", (token,))

    def push_back(self, host: str, seconds: float) -> None:
        until = time.time() + seconds
        with self._transaction() as db:
            db.execute(
                "INSERT INTO host_slots (host, next_at) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET next_at = max(next_at, excluded.next_at)",
                (host, until),
            )
            db.execute(
                "INSERT INTO host_push_backs (host, until) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET until = max(until, excluded.until)",
                (host, until),
            )

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


class _Immediate:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK``): the write lock taken up front."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def gate_url(settings: Settings) -> str:
    """The store the settings name, with the empty default resolved."""
    if settings.host_limits_url:
        return settings.host_limits_url
    if settings.broker_url.startswith(("redis://", "rediss://")):
        return settings.broker_url
    return f"sqlite:///{settings.var_dir / 'hosts.sqlite'}"


def build_gate(settings: Settings) -> HostGate:
    """The gate for these settings; leases outlive the longest request plus its wait."""
    url = gate_url(settings)
    lease = math.ceil(settings.total_timeout + settings.host_max_wait_seconds + 5)
    if url == "none":
        return NoGate()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisGate(url, settings.host_max_wait_seconds, lease)
    if url.startswith("sqlite:///"):
        return SqliteGate(
            Path(url.removeprefix("sqlite:///")), settings.host_max_wait_seconds, lease
        )
    raise ValueError(unsupported_host_limits_url(url))
