"""The caller's options: outlet name, configured language, timezone."""

from __future__ import annotations

from datetime import UTC, datetime

from worker.extraction import extract_article

PARAGRAPHS = [
    "Die Stadtwerke haben am Dienstag angekündigt, die Preise für Fernwärme zum ersten April "
    "um durchschnittlich sieben Prozent zu erhöhen.",
    "Als Grund nannte das Unternehmen gestiegene Kosten für Gas und für den Betrieb der "
    "Leitungen. Verbraucherschützer kritisierten die Erhöhung als unverhältnismäßig.",
    "Betroffen sind rund 12.000 Haushalte im Stadtgebiet, die über das Netz versorgt werden.",
]


def page(lang: str = "", title: str = "Fernwärme wird teurer | Stadtanzeiger") -> str:
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    lang_attr = f' lang="{lang}"' if lang else ""
    return (
        f"<html{lang_attr}><head><title>{title}</title></head><body><article><h1>"
        f"Fernwärme wird teurer</h1><p>Veröffentlicht am 14.03.2023, 08:30</p>{body}"
        "</article></body></html>"
    )


def test_outlet_name_strips_the_title_and_fills_site_name() -> None:
    html = page(title="Fernwärme wird teurer – jetzt | Stadtanzeiger")
    article = extract_article(html, "https://example.de/x", outlet_name="Stadtanzeiger")
    assert article.title == "Fernwärme wird teurer"
    assert article.site_name == "Stadtanzeiger"
    assert article.provenance["site_name"] == "config"
    assert article.provenance["title"] == "markup"


def test_dateline_in_the_outlet_timezone() -> None:
    article = extract_article(page(), "https://example.de/x", timezone="Europe/Berlin")
    assert article.published_at == datetime(2023, 3, 14, 7, 30, tzinfo=UTC)
    assert article.provenance["published_at"] == "heuristic"
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_template_lang_attribute_is_overridden_by_the_text() -> None:
    article = extract_article(page(lang="en"), "https://example.de/x", language="en")
    assert article.language == "de"
    assert article.provenance["language"] == "detected"


def test_stated_language_is_kept() -> None:
    article = extract_article(page(lang="de-AT"), "https://example.de/x", language="en")
    assert article.language == "de"
    assert article.provenance["language"] == "markup"


def test_url_date_only_when_the_page_states_none() -> None:
    html = page().replace("<p>Veröffentlicht am 14.03.2023, 08:30</p>", "")
    article = extract_article(html, "https://example.de/2023/03/12/fernwaerme")
    assert article.published_at == datetime(2023, 3, 12, tzinfo=UTC)
    assert article.provenance["published_at"] == "heuristic"
    stated = extract_article(page(), "https://example.de/2023/03/12/fernwaerme")
    assert stated.published_at == datetime(2023, 3, 14, 8, 30, tzinfo=UTC)
