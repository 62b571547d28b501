"""The visible lines where a page prints its byline: found around the text as extracted."""

from __future__ import annotations

from worker.extraction import textual
from worker.extraction.authors import clean_authors

HEADLINE = "Ohne ernsthafte Bewerbungen kein Wohngeld"
FIRST = "Das Verwaltungsgericht Berlin hat die Klage eines Informatikers abgewiesen."
# the text extractor cut the last paragraph at a glossary link ("... ob die <a>Tätigkeit</a>
# nicht auch ...")
PIECES = [
    "Ein gut passendes Stellenangebot habe er abgelehnt, ohne nachzufragen, ob die",
    "Tätigkeit",
    "nicht auch in Berlin zu bewältigen wäre, rügte das Gericht.",
]
LAST_LINE = " ".join(PIECES)
BYLINE = "Autor: Rechtsanwalt Sebastian Einbock"


def test_the_byline_after_a_cut_paragraph_and_picture_credits_is_read() -> None:
    lines = [
        HEADLINE,
        FIRST,
        LAST_LINE,
        "Quelle: © www.juragentur.de - Rechtsnews für Ihre Anwaltshomepage",
        "Symbolgrafik:© Butch - stock.adobe.com",
        BYLINE,
        "Kommentar schreiben",
    ]
    _, closing = textual.article_lines(lines, HEADLINE, [FIRST, *PIECES])
    assert closing == [BYLINE]
    (byline,) = textual.collect(closing, HEADLINE).get("authors")
    assert clean_authors(byline.value) == ["Sebastian Einbock"]


def test_no_closing_lines_where_the_last_paragraph_is_not_in_the_page() -> None:
    """A last paragraph that no line holds (the line found for an earlier piece goes on
    otherwise) gives no closing lines rather than lines from the middle of the text."""
    lines = [HEADLINE, FIRST, PIECES[0] + " Stelle an.", "Von Jane Doe", BYLINE]
    _, closing = textual.article_lines(lines, HEADLINE, [FIRST, *PIECES])
    assert closing == []


def test_a_date_label_alone_on_its_line_labels_the_next_line() -> None:
    """<label>Letzte Änderung:</label><div>14.01.2022 um 09:25</div>: the label and its value
    are two lines; every published or updated label is read with the line after it."""
    hints = textual.collect(
        ["Erschienen:", "03.01.2022", "Letzte Änderung:", "14.01.2022 um 09:25"], HEADLINE
    )
    assert [hint.value.strip() for hint in hints.get("published")] == ["03.01.2022"]
    assert [hint.value.strip() for hint in hints.get("updated")] == ["14.01.2022 um 09:25"]
