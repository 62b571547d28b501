"""The `newsworker` command line as an operator uses it: real processes, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import create_engine, text

from tests.e2e.checks import assert_crawl_stored_everything
from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.server import LocalSite, Response
from tests.localweb.sites import TestWeb
from tests.localweb.wire import wire_web
from worker.cli import app
from worker.storage.migrations import head_revision


def test_inline_crawl_prints_a_summary_and_exits_1_on_failures(
    web: TestWeb, tmp_path: Path
) -> None:
    env = service_env(tmp_path, sources_file=str(web.sources_file))
    result = run_cli(["crawl", "--inline"], env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "crawl summary" in result.stdout
    assert "http_404" in result.stdout and "not_article" in result.stdout
    assert_crawl_stored_everything(f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}", web)

    sources = run_cli(["sources", "--json"], env, tmp_path)
    assert sources.returncode == 0, sources.stderr
    rows = json.loads(sources.stdout)["sources"]
    assert {row["outlet"] for row in rows} == {"herald", "yonhap", "muslimtimes"}
    assert all(row["last_polled_at"] and row["last_error"] is None for row in rows)


def test_crawl_of_one_healthy_outlet_exits_0(web: TestWeb, tmp_path: Path) -> None:
    env = service_env(tmp_path, sources_file=str(web.sources_file))
    result = run_cli(["crawl", "--inline", "--source", "muslimtimes"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_crawl_that_cannot_run_exits_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        '[outlets.yonhap]\nname = "Yonhap"\n[[outlets.yonhap.sources]]\nkind = "rss"\nurl = "https://x.example/"\n'
    )
    env = service_env(tmp_path, sources_file=str(bad))
    result = run_cli(["crawl", "--inline"], env, tmp_path)
    assert result.returncode == 2
    assert "outlet 'yonhap'" in result.stderr and "sources[0].kind" in result.stderr

    env = service_env(tmp_path, sources_file=str(tmp_path / "missing.toml"))
    unknown = run_cli(["crawl", "--inline", "--source", "nope"], env, tmp_path)
    assert unknown.returncode == 2 and "not found" in unknown.stderr


def test_crawl_unknown_source_exits_2(web: TestWeb, tmp_path: Path) -> None:
    env = service_env(tmp_path, sources_file=str(web.sources_file))
    result = run_cli(["crawl", "--inline", "--source", "nope"], env, tmp_path)
    assert result.returncode == 2
    assert "no enabled source or outlet with key 'nope'" in result.stderr


def test_crawl_through_the_broker_without_workers_gives_up_with_2(
    web: TestWeb, tmp_path: Path
) -> None:
    env = service_env(tmp_path, sources_file=str(web.sources_file))
    result = run_cli(["crawl", "--timeout", "3"], env, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is a worker running?" in result.stdout


def test_extract_prints_one_json_object_per_file(web: TestWeb, tmp_path: Path) -> None:
    import httpx

    url = next(
        u
        for u, e in web.expected.items()
        if e.outlet == "herald" and e.state == "stored" and "Yonhap" in (e.authors or [])
    )
    page = tmp_path / "page.html"
    page.write_bytes(httpx.get(url).content)
    result = run_cli(
        ["extract", str(page), "--url", url, "--timezone", "Asia/Seoul", "--jsonl"],
        service_env(tmp_path),
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    want = web.expected[url]
    assert set(record) == {
        "path", "title", "authors", "published_at", "updated_at", "language", "canonical_url",
        "description", "image_url", "section", "body", "site_name", "tags", "paywalled",
        "provenance",
    }  # fmt: skip
    assert record["provenance"]["published_at"] == "heuristic"  # the printed "Published :" line
    assert record["authors"] == want.authors
    assert record["published_at"] == want.published_at.isoformat()  # type: ignore[union-attr]
    assert record["body"].split("\n\n") == want.paragraphs


def _commands() -> list[tuple[list[str], Any]]:
    """Every command the CLI registers, as argv, with its command object (Typer's own click)."""
    found: list[tuple[list[str], Any]] = []
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found.extend(([name, sub], c) for sub, c in command.commands.items())
        else:
            found.append(([name], command))
    return found


def test_every_command_has_help_with_a_one_line_summary(tmp_path: Path) -> None:
    commands = _commands()
    assert {" ".join(argv) for argv, _ in commands} >= {"url", "failures", "db upgrade"}
    for argv, command in commands:
        # the first paragraph is the summary `newsworker --help` lists; a line break in it
        # is printed as one, mid-sentence
        summary = (command.help or "").strip().split("\n\n")[0]
        assert summary and "\n" not in summary, argv
        result = run_cli([*argv, "--help"], service_env(tmp_path), tmp_path)
        assert result.returncode == 0 and "Usage" in result.stdout, argv
        assert "``" not in result.stdout, argv  # reST quoting is printed as written


def test_stories_lists_the_largest_first_and_story_shows_what_copies_share(
    tmp_path: Path,
) -> None:
    with wire_web(tmp_path) as web:
        env = service_env(tmp_path, sources_file=str(web.sources_file))
        crawl = run_cli(["crawl", "--inline"], env, tmp_path)
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    listed = run_cli(["stories", "--since", "3650d", "--json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)  # one object, as every --json
    assert set(document) == {"since", "stories"}
    rows = document["stories"]
    assert [row["article_count"] for row in rows] == [3, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    drills = rows[0]
    assert [c["outlet"] for c in drills["copies"]] == ["herald", "times", "post"], "by time"
    assert drills["first_published_at"] == "2024-03-03T01:12:00+00:00"
    wide = {**env, "COLUMNS": "200"}
    several = run_cli(["stories", "--since", "3650d", "--min-copies", "2"], wide, tmp_path)
    assert several.returncode == 0 and "Allies plan drills amid missile threats" in several.stdout
    assert "KOSPI extends gains" not in several.stdout

    shown = run_cli(["story", str(drills["story_id"]), "--json"], env, tmp_path)
    assert shown.returncode == 0, shown.stderr
    copies = json.loads(shown.stdout)["copies"]
    assert [c["verdict"] for c in copies] == ["first", "trimmed", "near"]
    # The Herald's first copy is its article or its print edition (9 paragraphs), whichever
    # came first; the Post's adds an editor's note and is typeset: 8 of its 9 are shared.
    shared = [(c["paragraphs_shared_with_first"], c["paragraphs"]) for c in copies]
    assert shared[0] in ((8, 8), (9, 9)) and shared[1:] == [(4, 4), (8, 9)]
    table = run_cli(["story", str(drills["story_id"])], wide, tmp_path)
    assert "trimmed" in table.stdout and "3 copies" in table.stdout

    missing = run_cli(["story", "9999"], env, tmp_path)
    assert missing.returncode == 1 and "no story 9999" in missing.stderr
    bad = run_cli(["stories", "--since", "yesterday"], env, tmp_path)
    assert bad.returncode == 2 and "neither a duration" in bad.stderr


def test_text_a_server_wrote_is_printed_as_written(tmp_path: Path) -> None:
    # Rich read "[/]" in a feed's title as its markup and failed, and dropped "[video]"
    titles = {"/a": "Markets close [/] shares up", "/b": "[video] Mayor answers"}
    with LocalSite() as site:
        items = "".join(
            f"<item><title>{title}</title><link>{site.url(path)}</link></item>"
            for path, title in titles.items()
        )
        feed = f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'
        site.add("/feed.xml", Response(feed, content_type="application/rss+xml"))
        for path in titles:
            site.add(path, Response("gone", status=404))
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
            f'kind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
        )
        env = {**service_env(tmp_path, sources_file=str(sources)), "COLUMNS": "250"}
        assert run_cli(["crawl", "--inline"], env, tmp_path).returncode == 1
        address = site.url("/b")
    for command in (["failures"], ["rerun", "--dry-run"], ["url", address]):
        shown = run_cli(command, env, tmp_path)
        assert shown.returncode == 0, [*command, shown.stderr[-500:]]
        assert titles["/b"] in shown.stdout, command
    listed = run_cli(["rerun", "--dry-run"], env, tmp_path).stdout
    assert titles["/a"] in listed
    bad = run_cli(["rerun", "--since", "[/]"], env, tmp_path)
    assert bad.returncode == 2 and "[/]" in bad.stderr, bad.stderr


def test_mistyped_keys_states_and_revisions_exit_2_naming_them(tmp_path: Path) -> None:
    # each selected nothing and exited 0, as if there were nothing to repair (the revision
    # ended in a traceback)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        'kind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n'
    )
    env = service_env(tmp_path, sources_file=str(sources))
    upgraded = run_cli(["db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0 and f"database at {head_revision()} (head)" in upgraded.stdout
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    for command, named in (
        (["rerun", "--source", "dialy", "--dry-run"], "no source or outlet with key 'dialy'"),
        (["rerun", "--outlet", "daily/feed", "--dry-run"], "no outlet with key 'daily/feed'"),
        (["reprocess", "--source", "dialy", "--dry-run"], "no source or outlet with key 'dialy'"),
        (["failures", "--outlet", "dialy"], "no outlet with key 'dialy'"),
        (["failures", "--state", "faild"], "unknown state 'faild'"),
        (["db", "upgrade", "nosuchrev"], "nosuchrev"),
    ):
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2 and named in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr, command
    for command in (["rerun", "--source", "daily", "--dry-run"], ["failures", "--outlet", "daily"]):
        assert run_cli(command, env, tmp_path).returncode == 0, command


def test_a_sources_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    # a file saved as cp1252, or a path that is a directory, ended in a traceback (exit 1)
    latin = tmp_path / "sources.toml"
    latin.write_bytes(
        '[outlets.lemonde]\nname = "Le Monde \u00e9dition"\n[[outlets.lemonde.sources]]\n'
        'kind = "feed"\nurl = "https://www.lemonde.fr/rss/une.xml"\n'.encode("cp1252")
    )
    assert run_cli(["db", "upgrade"], service_env(tmp_path), tmp_path).returncode == 0
    for path, named in ((latin, "line 2 is not UTF-8"), (tmp_path, "Is a directory")):
        env = {**service_env(tmp_path, sources_file=str(path)), "COLUMNS": "300"}
        for command in (["sources", "--sync"], ["crawl", "--inline"]):
            result = run_cli(command, env, tmp_path)
            assert result.returncode == 2, (command, result.stderr)
            assert "Traceback" not in result.stderr, command
            assert f"{path}: " in result.stderr and named in result.stderr, result.stderr


def test_a_database_a_newer_release_migrated_stops_every_command_as_health_says(
    tmp_path: Path,
) -> None:
    # after a rollback to an older release every command but health died in Alembic with a
    # traceback and exit 1 ("Can't locate revision"), which crawl uses for "some URLs failed"
    import sqlite3

    env = _one_source_env(tmp_path, "feed", "http://127.0.0.1:9/feed.xml")
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "var" / "newsworker.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    said = f"database schema at 9999, newer than this release's {head_revision()}: run the "
    said += "release that migrated it"
    assert said in run_cli(["health"], env, tmp_path).stdout
    for command in (["status"], ["sources"], ["crawl", "--inline"], ["failures"],
                    ["rerun", "--dry-run"], ["db", "upgrade"]):  # fmt: skip
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stderr[-500:])
        assert result.stderr == f"error: {said}\n", command


def test_reports_leave_an_embedded_database_of_an_older_release_to_the_commands_that_ingest(
    tmp_path: Path,
) -> None:
    """`status` after a `git pull` migrated the embedded database under the worker still
    running the old code: reports say how to migrate instead, and `run` or `db upgrade` do."""
    from worker.storage.migrations import current_revision, downgrade

    env = _one_source_env(tmp_path, "feed", "http://127.0.0.1:9/feed.xml")
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    url = f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}"
    downgrade(url, "0016")  # as the release before left it
    for command in (["status"], ["failures"], ["rerun", "--dry-run"]):
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stderr[-500:])
        assert f"database schema at 0016, older than this release's {head_revision()}: run " \
            "`newsworker db upgrade`" in result.stderr, command  # fmt: skip
    assert current_revision(url) == "0016", "a report migrated the database"
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run_cli(["status"], env, tmp_path).returncode == 0


def test_a_backfill_that_left_part_of_the_window_unread_exits_1(tmp_path: Path) -> None:
    # a sub-sitemap that failed (or was not read) exited 0: a script took the window as done
    from tests.localweb.wire import Page, local_story, page_html

    with LocalSite("archive") as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n")
        page = Page("archive", "/a/1", "Story one", local_story(11), "2026-10-20T09:00:00+00:00")
        site.add("/a/1", page_html(page, site))
        site.add("/sitemap-2026-10.xml", Response(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url('/a/1')}</loc><lastmod>2026-10-20</lastmod></url></urlset>",
            content_type="application/xml"))  # fmt: skip
        site.add("/sitemap-2026-11.xml", Response("down", status=503))
        index = "".join(
            f"<sitemap><loc>{site.url(p)}</loc></sitemap>"
            for p in ("/sitemap-2026-10.xml", "/sitemap-2026-11.xml")
        )
        site.add("/index.xml", Response(
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
            "</sitemapindex>", content_type="application/xml"))  # fmt: skip
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.archive]\nname = "The Archive"\n[[outlets.archive.sources]]\n'
            f'kind = "sitemap"\nurl = "{site.url("/index.xml")}"\n'
        )
        env = {**service_env(tmp_path, sources_file=str(sources), max_attempts="1"),
               "COLUMNS": "300"}  # fmt: skip
        backfill = ["backfill", "--source", "archive/sitemap", "--since", "2026-10-01"]
        for extra, said in (
            (["--dry-run"], "1 sitemap(s) failed, 0 not read"),
            (["--inline"], "1 sitemap(s) failed, 0 not read"),
            (["--dry-run", "--max-sitemaps", "1"], "0 sitemap(s) failed, 2 not read"),
        ):
            result = run_cli([*backfill, *extra], env, tmp_path)
            assert result.returncode == 1, (extra, result.stdout, result.stderr)
            assert f"part of the window was not read: {said}" in result.stdout, extra
        # --source takes an outlet key, as in every command: its sitemap sources
        outlet = run_cli([*backfill[:2], "archive", *backfill[3:], "--dry-run"], env, tmp_path)
        assert outlet.returncode == 1, outlet.stdout + outlet.stderr
        assert "backfill of archive/sitemap from 2026-10-01" in outlet.stdout
        assert "part of the window was not read: 1 sitemap(s) failed" in outlet.stdout
        stored = run_cli(["url", site.url("/a/1")], env, tmp_path)
        assert "stored" in stored.stdout, "the part that was read is ingested"
        site.add("/sitemap-2026-11.xml", Response(  # the outlet is back: the window is whole
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
            content_type="application/xml"))  # fmt: skip
        whole = run_cli([*backfill, "--inline"], env, tmp_path)
        assert whole.returncode == 0, whole.stdout + whole.stderr
        assert "part of the window" not in whole.stdout


def test_bad_settings_times_and_paths_are_one_line_errors_exit_2(tmp_path: Path) -> None:
    # each ended in a traceback and exit 1
    env = {**service_env(tmp_path), "COLUMNS": "300"}
    for setting, said in (
        ({"NEWSWORKER_MAX_ATTEMPTS": "4x"}, "bad setting: NEWSWORKER_MAX_ATTEMPTS='4x': "
         "Input should be a valid integer"),
        ({"NEWSWORKER_ALLOW_NETWORKS": "10.0.0.0/33"}, "bad setting: "
         "NEWSWORKER_ALLOW_NETWORKS='10.0.0.0/33': '10.0.0.0/33' is not a CIDR block"),
    ):  # fmt: skip
        for command in (["status"], ["db", "upgrade"], ["extract", str(tmp_path)]):
            result = run_cli(command, {**env, **setting}, tmp_path)
            assert result.returncode == 2, (command, result.stderr[-500:])
            assert result.stderr.startswith(f"error: {said}"), (command, result.stderr)
    for command in (["failures", "--since", "1000000d"],
                    ["rerun", "--since", "0001-01-01T00:00+05:00", "--dry-run"],
                    ["stories", "--since", "99999999999w"]):  # fmt: skip
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stderr[-500:])
        assert f"error: {command[2]!r} is out of range: times run from year 1 to 9999 (UTC)\n" == (
            result.stderr
        ), command
    directory = run_cli(["extract", str(tmp_path)], env, tmp_path)
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    assert "Traceback" not in directory.stderr


def _one_source_env(tmp_path: Path, kind: str, url: str) -> dict[str, str]:
    """The environment of a service whose one outlet, "daily", has one source at ``url``."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        f'kind = "{kind}"\nurl = "{url}"\n'
    )
    return {**service_env(tmp_path, sources_file=str(sources)), "COLUMNS": "300"}


def test_a_since_later_than_until_exits_2_naming_both(tmp_path: Path) -> None:
    # a swapped pair selected nothing: "0 URLs selected", exit 0, as if nothing needed repair
    env = _one_source_env(tmp_path, "sitemap", "http://127.0.0.1:9/sitemap.xml")
    window = ["--since", "2026-11-02", "--until", "2026-11-01"]
    for command in (["rerun", *window, "--dry-run"], ["reprocess", *window, "--dry-run"],
                    ["backfill", "--source", "daily/sitemap", *window, "--dry-run"]):  # fmt: skip
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr[-500:])
        assert result.stderr == (
            "error: --since '2026-11-02' (2026-11-02 00:00 UTC) is not before --until "
            "'2026-11-01' (2026-11-01 00:00 UTC): no time is between them\n"
        ), command
    same = run_cli(["rerun", "--since", "2d", "--until", "2d", "--dry-run"], env, tmp_path)
    assert same.returncode == 2 and "is not before --until '2d'" in same.stderr, same.stderr


def test_a_reason_or_url_that_matches_nothing_exits_2_naming_the_reasons_there_are(
    tmp_path: Path,
) -> None:
    # a mistyped --reason or --url printed "0 URLs selected" and exited 0: nothing to repair
    from tests.e2e.outlets import feed_service, rss_of

    with LocalSite() as site:
        site.add("/feed.xml", rss_of(["/a", "/b"]))
        site.add("/a", Response("gone", status=404))
        site.add("/b", Response("<html><body><p>menu</p></body></html>"))
        env = {**feed_service(site, tmp_path), "COLUMNS": "300"}
        assert run_cli(["crawl", "--inline"], env, tmp_path).returncode == 1
        missing, skipped = site.url("/c"), site.url("/b")
    for command, said in (
        (["--reason", "http_40"], "nothing matched --reason 'http_40': reasons of failed URLs: "
         "http_404 (1)"),
        (["--reason", "not_artcle", "--state", "failed", "--state", "skipped"],
         "nothing matched --reason 'not_artcle': reasons of failed or skipped URLs: "),
        (["--url", missing], f"nothing matched --url: no source has yielded '{missing}'"),
    ):  # fmt: skip
        result = run_cli(["rerun", *command, "--dry-run"], env, tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert result.stderr.startswith(f"error: {said}"), (command, result.stderr)
    found = run_cli(["rerun", "--reason", "http_404", "--dry-run"], env, tmp_path)
    assert found.returncode == 0 and "1 URLs selected (1 failed)" in found.stdout, found.stderr
    # a URL of the frontier that the state filter leaves out is not "not in the frontier"
    given = ["--url", skipped, "--url", missing, "--state", "failed"]
    both = run_cli(["rerun", *given, "--dry-run"], env, tmp_path)
    assert both.returncode == 0, both.stderr
    assert "1 of the given URLs are not in the frontier" in both.stderr
    assert "1 of the given URLs are in the frontier but not failed" in both.stderr
    # the reason exists, the window holds none: nothing to repair, not a typo
    none = run_cli(["rerun", "--reason", "http_404", "--until", "2020-01-01"], env, tmp_path)
    assert none.returncode == 0 and "0 URLs selected" in none.stdout, none.stderr


def test_commands_that_only_read_or_requeue_do_not_create_the_embedded_database(
    tmp_path: Path,
) -> None:
    # on a mistyped path, or run from another directory, they created and migrated an empty
    # database and said "no failed URLs in that window", exit 0
    typo = tmp_path / "var" / "newsworker.sqlte"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    default = elsewhere / "var" / "newsworker.sqlite"
    env = {**service_env(tmp_path), "COLUMNS": "300"}
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0  # ./var/newsworker.sqlite
    # the relative default, var/, read from another directory
    relative = {k: v for k, v in env.items() if k != "NEWSWORKER_VAR_DIR"}
    for command in (["failures"], ["rerun", "--dry-run"], ["status"], ["sources"],
                    ["sources", "--sync"], ["stories"], ["story", "1"], ["url", "http://x.test/"],
                    ["reprocess", "--dry-run"], ["reindex-stories", "--dry-run"]):  # fmt: skip
        for path, command_env, cwd in (
            (typo, {**env, "NEWSWORKER_DATABASE_URL": f"sqlite:///{typo}"}, tmp_path),
            (default, relative, elsewhere),
        ):
            result = run_cli(command, command_env, cwd)
            assert result.returncode == 2, (command, result.stdout, result.stderr[-500:])
            assert result.stderr.startswith(
                f"error: the database file {path} does not exist (NEWSWORKER_DATABASE_URL="
            ), (command, result.stderr)
            assert not path.exists(), command
    # health is a check: unhealthy (1), and it does not create the file either (it did, and
    # every command after it then read that empty database)
    for check in (["health"], ["health", "--worker"]):
        result = run_cli(check, {**env, "NEWSWORKER_DATABASE_URL": f"sqlite:///{typo}"}, tmp_path)
        assert result.returncode == 1, (check, result.stdout, result.stderr[-500:])
        assert f"unhealthy: database: the database file {typo} does not exist" in result.stdout
        assert not typo.exists(), check
    assert run_cli(["failures"], env, tmp_path).returncode == 0, "the database that exists"


def test_an_upgrade_to_a_revision_the_database_is_past_says_where_it_is(tmp_path: Path) -> None:
    # `db upgrade 0005` on a database at head said "database at 0005"
    env = {**service_env(tmp_path), "COLUMNS": "300"}
    to_0005 = run_cli(["db", "upgrade", "0005"], env, tmp_path)
    assert to_0005.returncode == 0 and to_0005.stdout == "database at 0005\n", to_0005.stderr
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    back = run_cli(["db", "upgrade", "0005"], env, tmp_path)
    assert back.returncode == 0, back.stderr
    assert back.stdout == (
        f"database already at {head_revision()}, past 0005: nothing changed "
        "(`db upgrade` never downgrades)\n"
    )
    again = run_cli(["db", "upgrade", head_revision()], env, tmp_path)
    assert again.stdout == f"database at {head_revision()} (head)\n", again.stderr


def test_a_backfill_of_an_outlet_without_a_sitemap_says_so(tmp_path: Path) -> None:
    # an outlet key was refused as "no source with key", though --source takes one everywhere
    env = _one_source_env(tmp_path, "feed", "http://127.0.0.1:9/feed.xml")
    result = run_cli(["backfill", "--source", "daily", "--since", "2d", "--dry-run"], env, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: outlet 'daily' has no enabled sitemap source: "), (
        result.stderr
    )


def test_tables_piped_to_a_file_keep_each_url_on_its_line(tmp_path: Path) -> None:
    # folded at 80 columns, a long URL was cut across lines: grep found none of it
    from tests.e2e.outlets import feed_service, rss_of

    path = "/news/2026/12/05/" + "a-long-headline-slug-" * 6 + "1234567"
    with LocalSite() as site:
        site.add("/feed.xml", rss_of([path]))
        site.add(path, Response("gone", status=404))
        env = {k: v for k, v in feed_service(site, tmp_path).items() if k != "COLUMNS"}
        crawl = run_cli(["crawl", "--inline"], env, tmp_path)
        address = site.url(path)
    assert crawl.returncode == 1 and address in crawl.stdout, crawl.stdout
    for command in (["failures"], ["rerun", "--dry-run"], ["url", address]):
        shown = run_cli(command, env, tmp_path)
        assert shown.returncode == 0, (command, shown.stderr)
        assert address in shown.stdout, (command, shown.stdout)


def test_an_inline_crawl_shows_its_progress_once_when_not_on_a_terminal(tmp_path: Path) -> None:
    # it fetched in silence; the bar is drawn once at the end in a log, as rerun's is
    from tests.e2e.outlets import feed_service, rss_of

    paths = [f"/news/{n}" for n in range(3)]
    with LocalSite() as site:
        site.add("/feed.xml", rss_of(paths))
        for path in paths:
            site.add(path, Response("gone", status=404))
        env = {**feed_service(site, tmp_path), "COLUMNS": "300"}
        crawl = run_cli(["crawl", "--inline"], env, tmp_path)
    assert crawl.returncode == 1, crawl.stdout + crawl.stderr
    bars = [line for line in crawl.stderr.splitlines() if "polling, then fetching" in line]
    assert len(bars) == 1 and " 3/3 " in bars[0], crawl.stderr


def test_status_failures_and_sources_json_have_the_documented_keys(tmp_path: Path) -> None:
    """Scripts read these: README lists their keys; a key renamed breaks them silently."""
    from tests.e2e.outlets import feed_service, rss_of

    with LocalSite() as site:
        site.add("/feed.xml", rss_of(["/a"]))
        site.add("/a", Response("gone", status=404))
        env = feed_service(site, tmp_path)
        assert run_cli(["crawl", "--inline"], env, tmp_path).returncode == 1
    status = json.loads(run_cli(["status", "--json"], env, tmp_path).stdout)
    assert set(status) == {
        "now", "sources", "workers", "beats", "last_tick_at", "sources_files", "queue_depth",
        "broker_error",
    }  # fmt: skip
    assert set(status["sources_files"][0]) == {"path", "synced_at", "refused_at", "error"}
    assert set(status["sources"][0]) == {
        "outlet", "source", "kind", "enabled", "every_seconds", "last_polled_at",
        "last_success_at", "next_poll_at", "failure_streak", "backing_off", "last_error",
        "stored_24h", "pending",
    }  # fmt: skip
    failures = json.loads(run_cli(["failures", "--json"], env, tmp_path).stdout)
    assert set(failures) == {"since", "groups", "sources"}
    (group,) = failures["groups"]
    assert set(group) == {"outlet", "state", "reason", "count", "last_at", "examples"}
    assert set(group["examples"][0]) == {
        "url", "detail", "http_status", "attempts", "last_attempt_at", "title",
    }  # fmt: skip
    assert group["last_at"].endswith("+00:00"), "times in UTC"
    # one JSON object as the others (it printed one per line, which json.loads refused)
    sources = json.loads(run_cli(["sources", "--json"], env, tmp_path).stdout)
    assert set(sources) == {"sources"}
    assert set(sources["sources"][0]) == {
        "key", "outlet", "kind", "url", "article_urls", "every_seconds", "enabled",
        "last_polled_at", "next_poll_at", "sitemaps_left", "failures", "last_error",
    }  # fmt: skip


def test_a_refused_edit_is_shown_and_a_restarted_beat_polls_the_last_good_sync(
    tmp_path: Path,
) -> None:
    """A typo saved into the sources file while the service ran was only logged; `status`
    and `sources` showed nothing, and the next start of beat exited 2 on it: nothing was
    polled until someone read the logs."""
    good = (
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        'kind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n'
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(good)
    env = {**service_env(tmp_path, sources_file=str(sources)), "COLUMNS": "300"}
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    sources.write_text(good.replace("url = ", "evrey = '10m'\nurl = "))
    log = tmp_path / "beat.log"
    with running(["beat"], env, tmp_path, log) as beat:
        wait_until(lambda: "beat: Starting" in log.read_text(errors="replace"), 60, "beat", log)
        assert beat.poll() is None, "beat runs on the sources synced last"
    said = log.read_text(errors="replace")
    assert "warning: " in said and "'sources[0].evrey': unknown key" in said, said

    status = run_cli(["status"], env, tmp_path)
    assert status.returncode == 0, status.stderr
    assert f"sources file {sources}: EDIT REFUSED" in status.stdout, status.stdout
    assert "unknown key" in status.stdout
    listed = run_cli(["sources"], env, tmp_path)
    assert listed.returncode == 0 and "daily/feed" in listed.stdout
    assert "warning: " in listed.stderr and "EDIT REFUSED" in listed.stderr, listed.stderr

    sources.write_text(good)  # fixed: the next sync clears the refusal
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    status = run_cli(["status", "--json"], env, tmp_path)
    (synced,) = json.loads(status.stdout.splitlines()[-1])["sources_files"]
    assert synced["path"] == str(sources) and synced["synced_at"] and synced["refused_at"] is None
    assert "warning" not in run_cli(["sources"], env, tmp_path).stderr


def test_piped_reports_and_errors_keep_each_message_whole_on_one_line(tmp_path: Path) -> None:
    """Tables cut a source's error at 80 or 100 characters even in a file ("cannot resolve
    www.koreaherald.com: [Err"), and stderr folded errors at 80 columns: grep found neither."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        'kind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n'
    )
    env = service_env(tmp_path, sources_file=str(sources))
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run_cli(["sources", "--sync"], env, tmp_path).returncode == 0
    error = "robots_unavailable: cannot resolve www.example.com: " + "[Errno -2] " * 20 + "(end)"
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE sources SET last_error = :e, failure_count = 1"), {"e": error}
        )
    engine.dispose()
    for command in (["sources"], ["status"], ["failures"]):
        shown = run_cli(command, env, tmp_path)
        assert error in shown.stdout, (command, shown.stdout)
    typo = "daily-" + "x" * 150
    refused = run_cli(["failures", "--outlet", typo], env, tmp_path)
    assert refused.returncode == 2
    assert any(typo in line and "no outlet" in line for line in refused.stderr.splitlines())


def test_a_database_url_read_from_dotenv_is_named_in_the_error(tmp_path: Path) -> None:
    """The Production step's `cp config/example.env .env`, in a checkout, made every local
    command try the compose host `postgres`, and nothing said the address came from .env."""
    example = Path(__file__).resolve().parents[2] / "config" / "example.env"
    (tmp_path / ".env").write_text(example.read_text())
    env = service_env(tmp_path)
    env.pop("NEWSWORKER_DATABASE_URL", None)
    status = run_cli(["status"], env, tmp_path)
    assert status.returncode == 2
    assert f"NEWSWORKER_DATABASE_URL is set in {tmp_path / '.env'}" in status.stderr, status.stderr


def test_a_mistyped_timezone_option_of_extract_is_an_option_error(tmp_path: Path) -> None:
    # it was reported as the page's extraction failure (exit 1), as if the page were bad
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><h1>T</h1><p>Text.</p></article></body></html>")
    result = run_cli(
        ["extract", str(page), "--timezone", "Mars/Base"], service_env(tmp_path), tmp_path
    )
    assert result.returncode == 2 and "--timezone: unknown timezone 'Mars/Base'" in result.stderr
    assert result.stdout == ""
