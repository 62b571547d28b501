"""Headlines without the outlet's name."""

from __future__ import annotations

import pytest

from worker.extraction.titles import clean_title, strip_outlet

NAMES = ["The Korea Herald", "Muslim Times", "koreaherald"]


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman"
            " - The Korea Herald",
            "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman",
        ),
        ("Headline | Muslim Times", "Headline"),
        ("Headline – Korea Herald", "Headline"),
        ("Headline — koreaherald.com", "Headline"),
        ("Muslim Times | Headline - with a dash", "Headline - with a dash"),
        ("Man bites dog - a true story", "Man bites dog - a true story"),
        ("Pentagon: no change", "Pentagon: no change"),
        ("Headline of the day › Muslim Times", "Headline of the day"),
        # a slogan after the outlet's name
        ("Christmas Gift Guide | Muslim Times | Jetzt entdecken!", "Christmas Gift Guide"),
        ("Budget passes │ Muslim Times", "Budget passes"),  # a box-drawing bar
        # the outlet's name and what it is
        ("Magic Cleaning | Muslim Times ♥ Magazine", "Magic Cleaning"),
        ("Magic Cleaning | Muslim Times Newsletter", "Magic Cleaning"),
        ("Magic Cleaning | Muslim Times Kollektion", "Magic Cleaning | Muslim Times Kollektion"),
        # a broken template runs the site's name into the headline
        ("Truckwash A31Muslim Times | Muslim Times", "Truckwash A31"),
        ("Truckwash A31Branchenbuch Nord | Branchenbuch Nord", "Truckwash A31 | Branchenbuch Nord"),
        # a headline that ends with the words of its last segment, after a space, keeps them
        (
            "Breaking news from the Harbour Times | Harbour Times",
            "Breaking news from the Harbour Times | Harbour Times",
        ),
    ],
)
def test_strip_outlet(raw: str, title: str) -> None:
    assert strip_outlet(raw, NAMES) == title


def test_an_outlets_name_with_accents_is_its_host_name() -> None:
    title = "Produkttester werden: gratis testen │ Nestlé Marktplatz"
    assert strip_outlet(title, ["nestle-marktplatz"]) == "Produkttester werden: gratis testen"


def test_the_segment_naming_the_outlet_exactly_goes_before_one_that_merely_contains_a_name() -> (
    None
):
    """ "Gaspreise" contains the section's name "Preise"; the other segment is the site."""
    assert strip_outlet("energieverbraucher.de | Gaspreise", ["energieverbraucher", "Preise"]) == (
        "Gaspreise"
    )


def test_clean_title_rejects_empty_and_outlet_only() -> None:
    assert clean_title("  ", NAMES) is None
    assert clean_title("The Korea Herald", NAMES) is None
    assert clean_title("x" * 500, NAMES) is None
    assert clean_title("A real headline", []) == "A real headline"


@pytest.mark.parametrize(
    ("raw", "names", "title"),
    [
        ("Olympia 2028 bleibt mit Pferdesport -", [], "Olympia 2028 bleibt mit Pferdesport"),
        ("| Council passes the budget", [], "Council passes the budget"),
        ("Minus 5 - and falling", [], "Minus 5 - and falling"),
        ("« Privatiser profite au privé »", [], "« Privatiser profite au privé »"),
        (
            "La retraite est un archaïsme | AOC media - Analyse Opinion Critique",
            ["AOC media - Analyse Opinion Critique"],
            "La retraite est un archaïsme",
        ),
        (
            "Daily Example - Local News » Council passes the budget",
            ["Daily Example - Local News"],
            "Council passes the budget",
        ),
    ],
)
def test_a_dangling_separator_and_a_site_name_with_its_own_separator_go(
    raw: str, names: list[str], title: str
) -> None:
    assert strip_outlet(raw, names) == title
