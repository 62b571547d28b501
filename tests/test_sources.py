"""The sources file: the starter set loads, and mistakes are refused with a precise message."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from worker.errors import ConfigError
from worker.sources import load_sources, parse_duration, parse_sources

REPO = Path(__file__).resolve().parents[1]


def test_starter_set_loads_with_yonhap_and_korea_herald() -> None:
    outlets = {o.key: o for o in load_sources(REPO / "config" / "sources.toml")}
    assert {"yonhap", "koreaherald"} <= set(outlets)
    assert len(outlets) >= 5
    yonhap = outlets["yonhap"]
    assert yonhap.timezone == "Asia/Seoul"
    assert yonhap.sources[0].url == "https://en.yna.co.kr/RSS/news.xml"
    assert yonhap.sources[0].interval_seconds == 600
    assert all(o.sources for o in outlets.values())


def test_source_keys_default_to_outlet_and_kind_numbered_from_the_second() -> None:
    (outlet,) = parse_sources(
        {"outlets": {"kh": {"name": "KH", "sources": [
            {"kind": "feed", "url": "https://a.example/1"},
            {"kind": "feed", "url": "https://a.example/2"},
            {"kind": "sitemap", "url": "https://a.example/s.xml", "key": "kh-news"},
        ]}}}
    )  # fmt: skip
    assert outlet.source_keys() == ["kh/feed", "kh/feed-2", "kh-news"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"kind": "rss", "url": "https://a.example/f"}, "key 'sources[0].kind'"),
        ({"kind": "feed", "url": "ftp://a.example/f"}, "not an http(s) URL"),
        ({"kind": "feed", "url": "https://a.example/" + "f" * 2040}, "longer than 2048"),
        ({"kind": "feed", "url": "https://a.example/f", "every": "10x"}, "not a duration"),
        ({"kind": "feed", "url": "https://a.example/f", "every": "5s"}, "shorter than 30s"),
        (
            {"kind": "feed", "url": "https://a.example/f", "evry": "5m"},
            "'sources[0].evry': unknown key",
        ),
        ({"url": "https://a.example/f"}, "'sources[0].kind': required key is missing"),
    ],
)
def test_bad_source_is_refused_naming_outlet_key_and_problem(
    source: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_sources({"outlets": {"yonhap": {"name": "Yonhap", "sources": [source]}}})
    assert "outlet 'yonhap'" in str(error.value)
    assert expected in str(error.value)


def test_an_interval_longer_than_7_days_is_refused() -> None:
    # "100000000h" was taken, then every tick raised OverflowError on SQLite (no source polled,
    # no heartbeat) and the sync failed on PostgreSQL
    feed = {"kind": "feed", "url": "https://a.example/f"}
    (outlet,) = parse_sources({"outlets": {"x": {"name": "X", "sources": [
        {**feed, "every": "168h"}]}}})  # fmt: skip
    assert outlet.sources[0].interval_seconds == 7 * 24 * 3600
    for every in ("169h", "10081m", "100000000h"):
        with pytest.raises(ConfigError) as error:
            parse_sources({"outlets": {"x": {"name": "X", "sources": [{**feed, "every": every}]}}})
        assert str(error.value) == (
            f"sources: outlet 'x': key 'sources[0].every': {every!r} is longer than 168h (7 days)"
        )


def test_keys_and_names_longer_than_their_columns_are_refused() -> None:
    # PostgreSQL refused them at the sync: the whole sources file failed to load
    feed = {"kind": "feed", "url": "https://a.example/f"}
    for outlets, expected in (
        (
            {"y" * 101: {"name": "Y", "sources": [feed]}},
            "key 'key': String should have at most 100",
        ),
        (
            {"y": {"name": "Y" * 301, "sources": [feed]}},
            "key 'name': String should have at most 300",
        ),
        ({"y": {"name": "Y", "sources": [{**feed, "key": "k" * 201}]}}, "at most 200"),
    ):
        with pytest.raises(ConfigError) as error:
            parse_sources({"outlets": outlets})
        assert expected in str(error.value), str(error.value)


def test_bad_timezone_and_missing_name_are_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"outlet 'x': key 'timezone': 'Mars/Base' is not an IANA"
    ):
        parse_sources({"outlets": {"x": {"name": "X", "timezone": "Mars/Base"}}})
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'name': required key is missing"):
        parse_sources({"outlets": {"x": {}}})


def test_host_limits_of_an_outlet_are_read_and_bounded() -> None:
    (outlet,) = parse_sources(
        {"outlets": {"x": {"name": "X", "request_delay": 2.5, "max_connections": 1}}}
    )
    assert (outlet.request_delay, outlet.max_connections) == (2.5, 1)
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'request_delay': .*greater than"):
        parse_sources({"outlets": {"x": {"name": "X", "request_delay": -1}}})
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'max_connections': .*greater than"):
        parse_sources({"outlets": {"x": {"name": "X", "max_connections": 0}}})


def test_malformed_toml_and_empty_file_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text('[outlets.x]\nname = "unterminated\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sources(broken)
    broken.write_text("")
    with pytest.raises(ConfigError, match="no outlets"):
        load_sources(broken)
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "missing.toml")


def test_duplicate_source_keys_across_outlets_are_refused() -> None:
    doc = tomllib.loads(
        '[outlets.a]\nname="A"\n[[outlets.a.sources]]\nkind="feed"\nurl="https://a.example/f"\nkey="k"\n'
        '[outlets.b]\nname="B"\n[[outlets.b.sources]]\nkind="feed"\nurl="https://b.example/f"\nkey="k"\n'
    )
    with pytest.raises(
        ConfigError, match="outlet 'b': source key 'k' is already used by outlet 'a'"
    ):
        parse_sources(doc)


@pytest.mark.parametrize("key", ["kh-news", "daily/feed", "kh/feed-2", "a.b_c", "7news"])
def test_source_keys_like_outlet_keys_or_the_default_form_are_taken(key: str) -> None:
    feed = {"kind": "feed", "url": "https://a.example/f", "key": key}
    (outlet,) = parse_sources({"outlets": {"kh": {"name": "KH", "sources": [feed]}}})
    assert outlet.source_keys() == [key]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # "" became the default key without a word
        ("", "empty key: leave `key` out for the default '<outlet>/<kind>'"),
        ("My Feed", "'My Feed' is not a key: lowercase letters, digits, '_', '-', '.'"),
        ("feed~2", "'feed~2' is not a key"),  # '~' marks the keys the sync gives removed sources
        ("/feed", "'/feed' is not a key"),
        ("kh/", "'kh/' is not a key"),
    ],
)
def test_a_bad_source_key_is_refused_naming_outlet_and_key(key: str, expected: str) -> None:
    feed = {"kind": "feed", "url": "https://a.example/f", "key": key}
    with pytest.raises(ConfigError) as error:
        parse_sources({"outlets": {"kh": {"name": "KH", "sources": [feed]}}})
    assert str(error.value).startswith("sources: outlet 'kh': key 'sources[0].key': ")
    assert expected in str(error.value)


@pytest.mark.parametrize("taken", ["a", "b"])
def test_a_source_key_that_is_an_outlet_key_is_refused_naming_both(taken: str) -> None:
    # `--source b` takes a source key or an outlet key: it picked outlet a's feed too, and
    # `crawl` and `rerun` acted on it
    doc = tomllib.loads(
        f'[outlets.a]\nname="A"\n[[outlets.a.sources]]\nkind="feed"\nurl="https://a.example/f"\n'
        f'key="{taken}"\n'
        '[outlets.b]\nname="B"\n[[outlets.b.sources]]\nkind="feed"\nurl="https://b.example/f"\n'
    )
    with pytest.raises(ConfigError) as error:
        parse_sources(doc)
    assert str(error.value) == (
        f"sources: outlet 'a': source key {taken!r} is the key of outlet {taken!r}: "
        f"`--source {taken}` would select both; choose another"
    )


def test_durations() -> None:
    assert parse_duration("45s") == 45
    assert parse_duration("10m") == 600
    assert parse_duration("2h") == 7200
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("1d")


def test_extraction_rules_are_read_and_bad_selectors_refused() -> None:
    rules = {"body": "div.story > p", "byline": ".by a", "drop": [".related", "aside.ad"]}
    (outlet,) = parse_sources({"outlets": {"x": {"name": "X", "extraction": rules}}})
    assert outlet.extraction is not None
    assert outlet.extraction.stored() == rules
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'extraction.body': .*bad CSS selector"):
        parse_sources({"outlets": {"x": {"name": "X", "extraction": {"body": "div[[p"}}}})
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'extraction.drop': .*'>>'"):
        parse_sources({"outlets": {"x": {"name": "X", "extraction": {"drop": ["nav", ">>"]}}}})
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'extraction.bdy'"):
        parse_sources({"outlets": {"x": {"name": "X", "extraction": {"bdy": "p"}}}})


def test_listing_sources_and_article_url_rules_are_read_and_bad_rules_refused() -> None:
    listing = {"kind": "listing", "url": "https://d.example/politics/", "article_urls": r"/\d{6}"}
    (outlet,) = parse_sources({"outlets": {"x": {"name": "X", "sources": [listing]}}})
    assert outlet.source_keys() == ["x/listing"]
    assert outlet.sources[0].article_urls == r"/\d{6}"
    bad = {**listing, "article_urls": "/news/(\\d+"}
    with pytest.raises(
        ConfigError, match=r"outlet 'x': key 'sources\[0\].article_urls': bad regular expression"
    ):
        parse_sources({"outlets": {"x": {"name": "X", "sources": [bad]}}})
    with pytest.raises(ConfigError, match=r"outlet 'x': key 'sources\[0\].kind'"):
        parse_sources({"outlets": {"x": {"name": "X", "sources": [{**listing, "kind": "page"}]}}})


def test_two_sources_of_an_outlet_with_one_url_are_refused_naming_both() -> None:
    # the second took over the first's row: `local/feed` was gone, no error said so
    feed = {"kind": "feed", "url": "https://a.example/feed.xml"}
    with pytest.raises(ConfigError) as error:
        parse_sources(
            {"outlets": {"local": {"name": "L", "sources": [
                feed, {"kind": "sitemap", "url": "https://a.example/s.xml"},
                {"kind": "listing", "url": "https://a.example/feed.xml"},
            ]}}}
        )  # fmt: skip
    assert str(error.value) == (
        "sources: outlet 'local': sources 'local/feed' and 'local/listing' have the same URL "
        "'https://a.example/feed.xml': keep one"
    )


def test_one_url_in_two_outlets_is_refused_naming_both(tmp_path: Path) -> None:
    # a copied block whose URL was not changed: both polled the feed, and the first to poll
    # took every article URL, with its outlet's language and zone
    path = tmp_path / "sources.toml"
    path.write_text(
        '[outlets.yonhap]\nname = "Yonhap"\nlanguage = "ko"\n'
        '[[outlets.yonhap.sources]]\nkind = "feed"\nurl = "https://a.example/rss"\n'
        '[outlets.kbs]\nname = "KBS"\nlanguage = "en"\n'
        '[[outlets.kbs.sources]]\nkind = "sitemap"\nurl = "https://b.example/sitemap.xml"\n'
        '[[outlets.kbs.sources]]\nkind = "feed"\nurl = "https://a.example/rss"\n'
    )
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert str(error.value) == (
        f"{path}: outlet 'kbs': source 'kbs/feed' has the URL 'https://a.example/rss' of "
        "source 'yonhap/feed' of outlet 'yonhap': a URL belongs to one outlet; change it or "
        "keep one"
    )
