"""Fetching against a real local HTTP server: limits, content types, charsets, error mapping."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.localweb.server import LocalSite, Response
from worker.errors import NotModified, PermanentFetchError, TransientFetchError
from worker.fetching import Fetcher, build_fetcher, build_http_client, decode_html
from worker.fetching.client import MAX_RETRY_AFTER_SECONDS, parse_retry_after


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as local:
        yield local


@pytest.fixture
def fetcher(tmp_path: Path) -> Iterator[Fetcher]:
    settings = make_settings(
        tmp_path, "sqlite://", max_response_bytes=50_000, read_timeout=0.5, max_redirects=3,
        user_agent="newsworker-test (+https://example.org/contact)",
    )  # fmt: skip
    client = build_http_client(settings)
    yield Fetcher(client, settings)
    client.close()


def test_html_page_is_read_with_its_user_agent_and_charset(
    site: LocalSite, fetcher: Fetcher
) -> None:
    site.add(
        "/a", Response("<html><body>café</body></html>", content_type="text/html; charset=utf-8")
    )
    page = fetcher.get(site.url("/a"))
    assert page.status == 200
    assert page.charset == "utf-8"
    assert "café" in page.content.decode()
    assert site.requests[-1][1]["User-Agent"] == "newsworker-test (+https://example.org/contact)"


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        (404, PermanentFetchError, "http_404"),
        (410, PermanentFetchError, "http_410"),
        (403, PermanentFetchError, "http_403"),
        (500, TransientFetchError, "http_500"),
        (503, TransientFetchError, "http_503"),
        (429, TransientFetchError, "http_429"),
    ],
)
def test_status_codes_map_to_transient_or_permanent(
    site: LocalSite, fetcher: Fetcher, status: int, error: type[Exception], reason: str
) -> None:
    site.add("/x", Response("no", status=status, headers={"Retry-After": "7"}))
    with pytest.raises(error) as raised:
        fetcher.get(site.url("/x"))
    assert raised.value.reason == reason  # type: ignore[attr-defined]
    assert raised.value.http_status == status  # type: ignore[attr-defined]
    if status in (429, 503):
        assert raised.value.retry_after == 7  # type: ignore[attr-defined]


def test_non_html_is_refused_before_reading(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/r.pdf", Response(b"%PDF-1.4", content_type="application/pdf"))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/r.pdf"))
    assert raised.value.reason == "unsupported_type"


def test_response_over_the_cap_is_refused(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/big", Response("<p>" + "x" * 60_000 + "</p>"))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/big"))
    assert raised.value.reason == "too_large"


def test_compressed_response_over_the_cap_when_unpacked_is_refused(
    site: LocalSite, fetcher: Fetcher
) -> None:
    bomb = gzip.compress(b"<p>" + b"a" * 2_000_000)
    site.add("/bomb", Response(bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/bomb"))
    assert raised.value.reason == "too_large"


def test_slow_server_times_out_as_transient(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/slow", Response("late", delay=2.0))
    with pytest.raises(TransientFetchError) as raised:
        fetcher.get(site.url("/slow"))
    assert raised.value.reason == "timeout"


def test_redirects_are_followed_to_the_final_url(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/old", Response(status=301, headers={"Location": "/new"}))
    site.add("/new", "<html>new</html>")
    page = fetcher.get(site.url("/old"))
    assert page.final_url == site.url("/new")


def test_a_redirect_to_an_overlong_url_fails_as_a_bad_url(
    site: LocalSite, fetcher: Fetcher
) -> None:
    site.add("/long", Response(status=301, headers={"Location": "/" + "a" * 2100}))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/long"))
    assert raised.value.reason == "bad_url", "no URL column holds it: never fetched, never stored"
    # 1,006 characters as written, 6,000 as requested: the final URL recorded is the latter
    site.add("/wide", Response(status=301, headers={"Location": "/news/" + "\u00e9" * 1000}))
    with pytest.raises(PermanentFetchError) as wide:
        fetcher.get(site.url("/wide"))
    assert wide.value.reason == "bad_url"


def test_redirect_loops_and_long_chains_fail(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/loop-a", Response(status=302, headers={"Location": "/loop-b"}))
    site.add("/loop-b", Response(status=302, headers={"Location": "/loop-a"}))
    for hop in range(1, 6):
        site.add(f"/chain{hop}", Response(status=301, headers={"Location": f"/chain{hop + 1}"}))
    site.add("/chain6", "<html>too far</html>")
    with pytest.raises(PermanentFetchError) as loop:
        fetcher.get(site.url("/loop-a"))
    assert loop.value.reason == "redirect_loop"
    assert site.get_hits["/loop-a"] == 1, "a loop is caught at its first repetition"
    with pytest.raises(PermanentFetchError) as chain:
        fetcher.get(site.url("/chain1"))
    assert chain.value.reason == "too_many_redirects"
    assert site.get_hits["/chain5"] == 0, "the chain is cut at the cap (3 redirects)"


def test_unreachable_host_is_transient(fetcher: Fetcher) -> None:
    with LocalSite() as gone:
        url = gone.url("/a")
    with pytest.raises(TransientFetchError) as raised:
        fetcher.get(url)
    assert raised.value.reason == "connect_error"


def test_conditional_get_answers_not_modified(site: LocalSite, fetcher: Fetcher) -> None:
    site.add(
        "/feed", Response("<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"'})
    )
    first = fetcher.get(site.url("/feed"), accept="feed")
    assert first.headers["etag"] == '"v1"'
    with pytest.raises(NotModified):
        fetcher.get(site.url("/feed"), accept="feed", etag='"v1"')


def test_retry_after_in_seconds_and_as_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", now) == 60
    assert parse_retry_after("soon") is None


def test_retry_after_is_bounded_and_only_ascii_digits_are_a_number() -> None:
    # a server asking for years stopped the host's slot, the URL's retry and the source's
    # polls for good (and past about 8,000 years, overflowed the datetime arithmetic)
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("999999999999") == MAX_RETRY_AFTER_SECONDS
    assert parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", now) == MAX_RETRY_AFTER_SECONDS
    assert parse_retry_after("\u00b2") is None, "'²'.isdigit() is true; float('²') raises"
    assert parse_retry_after("\u09e9") is None


@pytest.mark.parametrize(
    ("content", "declared", "expected"),
    [
        ("café".encode(), "utf-8", "café"),
        (
            "<html><body><p>Le café de la gare a rouvert ses portes après des années "
            "d'attente, à la grande joie des habitués.</p></body></html>".encode("cp1252"),
            None,
            "café de la gare a rouvert ses portes après",
        ),
        (
            '<meta charset="euc-kr"><p>한국어 기사 본문입니다</p>'.encode("euc-kr"),
            None,
            "한국어 기사 본문입니다",
        ),
        (
            "<p>서울에서 열린 회의에서 양국 외교장관은 동맹이 굳건하다고 밝혔다.</p>".encode(
                "euc-kr"
            ),
            None,
            "동맹이 굳건하다고",
        ),
        ("\ufeffcafé".encode(), "iso-8859-1", "café"),
        ("café".encode(), "no-such-charset", "café"),
    ],
)
def test_decoding_uses_the_best_evidence(
    content: bytes, declared: str | None, expected: str
) -> None:
    text, _ = decode_html(content, declared)
    assert expected in text


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf_16be", "utf16", "utf-32"])
def test_a_meta_charset_naming_utf16_means_utf8(label: str) -> None:
    # the HTML standard's reading: markup that names its encoding in ASCII is no UTF-16; an
    # even number of bytes decoded "cleanly" as UTF-16 into CJK noise
    page = f'<html><head><meta charset="{label}"></head><body><p>Café crème</p></body></html>'
    for content in (page.encode(), (page + " ").encode()):
        text, encoding = decode_html(content)
        assert "Café crème" in text and encoding == "utf-8", len(content)


@pytest.mark.parametrize(
    ("label", "codec", "body"),
    [
        ("shift_jis", "cp932", "①東京で㈱会社"),  # NEC and IBM additions
        ("gb2312", "gbk", "朱镕基讲话"),  # a GBK character outside GB 2312
        ("euc-kr", "cp949", "똠방각하 뷁"),  # Hangul outside KS X 1001
        ("ks_c_5601-1987", "cp949", "똠방각하 뷁"),
        ("iso-8859-9", "cp1254", "Ağustos “haber” — İstanbul"),  # windows-1254 quotes
        ("tis-620", "cp874", "ข่าว “วันนี้” …"),
        ("windows-874", "cp874", "ข่าววันนี้"),
        ("x-mac-cyrillic", "mac-cyrillic", "Новости дня"),
    ],
)
@pytest.mark.parametrize("where", ["meta", "header"])
def test_charset_labels_decode_as_browsers_decode_them(
    label: str, codec: str, body: str, where: str
) -> None:
    """Browsers read these labels with wider codecs than Python's of the same name (or
    Python lacks the label); pages written under them use the wider sets."""
    meta = f'<meta charset="{label}">' if where == "meta" else ""
    page = f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"
    content = page.encode(codec)
    text, encoding = decode_html(content, label if where == "header" else None)
    assert f"<p>{body}</p>" in text
    # raw_pages.encoding keeps the codec; reprocessing passes it back as the charset
    assert decode_html(content, encoding) == (text, encoding)


@pytest.mark.parametrize("label", ["unicode_escape", "raw_unicode_escape", "cp037", "utf-7"])
def test_a_charset_browsers_do_not_know_is_no_evidence(label: str) -> None:
    """Python decodes with any codec it has: ``unicode_escape`` rewrote every backslash
    sequence of the page, EBCDIC turned it into noise. Browsers ignore such labels."""
    page = '<html><head><meta charset="LABEL"></head><body><p>C:\\new +AGEA- café</p></body></html>'
    content = page.replace("LABEL", label).encode()
    for declared in (None, label):
        text, encoding = decode_html(content, declared)
        assert "<p>C:\\new +AGEA- café</p>" in text and encoding == "utf-8"


def test_a_utf16_header_on_bytes_that_are_not_utf16_is_ignored() -> None:
    page = "<html><body><p>Le café de la gare a rouvert.</p></body></html>".encode()
    assert decode_html(page, "utf-16") == (page.decode(), "utf-8")
    utf16 = page.decode().encode("utf-16-le")
    assert decode_html(utf16, "utf-16") == (page.decode(), "utf-16-le")


def test_invalid_bytes_never_crash_decoding() -> None:
    text, encoding = decode_html(b"\xff\xfe\x00<p>\x80\x81 broken \xc3</p>" * 10, "utf-8")
    assert isinstance(text, str)
    assert encoding


@pytest.fixture
def polite(tmp_path: Path) -> Iterator[Fetcher]:
    settings = make_settings(
        tmp_path, "sqlite://", user_agent="newsworker/0.1 (+https://example.org)"
    )
    fetcher = build_fetcher(settings)
    yield fetcher
    fetcher.client.close()


def test_robots_txt_disallow_for_our_agent_is_obeyed_and_cached(
    site: LocalSite, polite: Fetcher
) -> None:
    site.add(
        "/robots.txt",
        Response(
            "User-agent: newsworker\nDisallow: /private\nCrawl-delay: 2\n\n"
            "User-agent: *\nDisallow: /",
            content_type="text/plain",
        ),
    )
    site.add("/private/a", "<html>secret</html>")
    site.add("/news/a", "<html>news</html>")
    with pytest.raises(PermanentFetchError) as raised:
        polite.get(site.url("/private/a"))
    assert raised.value.reason == "robots"
    assert site.get_hits["/private/a"] == 0, "a disallowed page is never requested"
    assert polite.get(site.url("/news/a")).status == 200
    assert polite.robots is not None and polite.robots.crawl_delay(site.url("/news/a")) == 2
    assert site.get_hits["/robots.txt"] == 1, "robots.txt is read once per host within its TTL"


def test_missing_robots_txt_allows_everything(site: LocalSite, polite: Fetcher) -> None:
    site.add("/a", "<html>a</html>")
    assert polite.get(site.url("/a")).status == 200
    assert site.get_hits["/robots.txt"] == 1


def test_unreachable_robots_txt_means_retry_later_not_fetch(
    site: LocalSite, polite: Fetcher
) -> None:
    site.add("/robots.txt", Response("down", status=503, headers={"Retry-After": "30"}))
    site.add("/a", "<html>a</html>")
    with pytest.raises(TransientFetchError) as raised:
        polite.get(site.url("/a"))
    assert raised.value.reason == "robots_unavailable"
    assert raised.value.retry_after == 30
    assert site.get_hits["/a"] == 0


@pytest.mark.parametrize("declared", [None, "utf-8"])
def test_a_mostly_ascii_utf8_page_with_a_stray_latin1_byte_stays_utf8(declared: str | None) -> None:
    """Detection reads a German page, mostly ASCII, with one Latin-1 byte in a script comment
    as windows-1252, which turns every umlaut into two characters ("SchÃ¤fer"); a browser shows
    the page as UTF-8 with one replacement character, and so does decoding."""
    page = (
        b'<html><head><meta charset="utf-8"><script>/* M\xe4scot */</script></head><body>'
        + "<p>Der Schäfer zählt seine Schafe, weiß und schwarz, jeden Abend auf der Weide.</p>"
        "</body></html>".encode()
    )
    text, encoding = decode_html(page, declared)
    assert encoding == "utf-8"
    assert "Der Schäfer zählt seine Schafe, weiß und schwarz" in text
    assert "M\ufffdscot" in text


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252"])
def test_a_utf8_page_under_a_latin1_header_is_read_as_utf8(declared: str) -> None:
    """A server's default charset header on a UTF-8 page: windows-1252 decodes any bytes, so
    it would turn every umlaut into two characters; the bytes are valid UTF-8."""
    page = (
        '<html><head><meta charset="utf-8"></head><body><p>Der Schäfer zählt seine Schafe, '
        "weiß und schwarz.</p></body></html>"
    ).encode()
    text, encoding = decode_html(page, declared)
    assert encoding == "utf-8"
    assert "Der Schäfer zählt seine Schafe, weiß und schwarz." in text


def test_a_legacy_page_is_not_read_as_utf8() -> None:
    """A windows-1252 page decodes as itself: its accented letters are no UTF-8."""
    page = "<p>Le café de la gare a rouvert après des années, à la joie des habitués.</p>"
    text, _ = decode_html(page.encode("cp1252"), "utf-8")
    assert "café de la gare a rouvert après" in text


@pytest.mark.parametrize("declared", [None, "utf-8", "iso-8859-1"])
def test_mixed_encodings_keep_the_majority_encoding(declared: str | None) -> None:
    """A UTF-8 page with one stray cp1252 byte stays UTF-8 (one replacement character), even
    when the header wrongly says Latin-1: decoding follows the evidence in the bytes."""
    page = (
        '<html><head><meta charset="utf-8"></head><body><p>서울에서 열린 회의에서 양국 '
        "외교장관은 동맹이 굳건하다고 밝혔다. café</p>"
    ).encode() + b"<p>It\x92s a stray cp1252 quote</p></body></html>"
    text, encoding = decode_html(page, declared)
    assert encoding == "utf-8"
    assert "동맹이 굳건하다고 밝혔다. café" in text
    assert "It\ufffds a stray" in text
