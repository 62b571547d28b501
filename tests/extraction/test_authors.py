"""Bylines as printed -> clean author names."""

from __future__ import annotations

import pytest

from worker.extraction.authors import (
    clean_authors,
    credits_another_site,
    is_site_address,
    people,
    spelled_out,
)


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Yonhap", ["Yonhap"]),
        ("By AP", ["AP"]),
        ("Reuters", ["Reuters"]),
        ("By AFP", ["AFP"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Jane Doe, John Roe & Max Mustermann", ["Jane Doe", "John Roe", "Max Mustermann"]),
        ("BY JANE DOE, STAFF WRITER", ["Jane Doe"]),
        ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
        ("Jane Doe Staff Writer", ["Jane Doe"]),
        ("By Kim So-hyun (sophie@heraldcorp.com)", ["Kim So-hyun"]),
        ("Jane Doe jane.doe@example.com", ["Jane Doe"]),
        ("Jane Doe | Published Apr 6, 2021", ["Jane Doe"]),
        ("By Jane Doe\n\nJune 5, 2019", ["Jane Doe"]),
        ("Jane Doe in Seoul and John Roe in Tokyo", ["Jane Doe", "John Roe"]),
        ("Jane Doe & John Roe & Jane Doe", ["Jane Doe", "John Roe"]),
        ("View all posts by Daniel Lemire", ["Daniel Lemire"]),
        ("By Von Trier", ["Von Trier"]),
        ("Jane Doe and by Di Caprio", ["Jane Doe", "Di Caprio"]),
        ("Post author By Helge Fahrnberger", ["Helge Fahrnberger"]),
        ("Von Max Mustermann und Erika Musterfrau", ["Max Mustermann", "Erika Musterfrau"]),
        ("Zeige alle Beiträge von Cem Basman", ["Cem Basman"]),
        ("Erstellt von Andri Bryner", ["Andri Bryner"]),
        ("Text & Fotos: Ivan Valetny", ["Ivan Valetny"]),
        ("Text + Bild: Ivan Valetny", ["Ivan Valetny"]),
        ("Jane Doe, @janedoe", ["Jane Doe"]),
        ("| Autor: gnaddrig", ["gnaddrig"]),
        ("Autor/in: Korinna Hennig", ["Korinna Hennig"]),
        ("Autor*innen: Anna Beck und Jan Roe", ["Anna Beck", "Jan Roe"]),
        ("Autor:Ina Müller", ["Ina Müller"]),
        ("Deutsche Welle (www.dw.com)", ["Deutsche Welle"]),
        ("Autor Jil Schuller Alle Artikel Kontakt", ["Jil Schuller"]),
        ("By Jane Doe Follow", ["Jane Doe"]),
        ("Posted by Jane Doe under Just For Fun, News", ["Jane Doe"]),
        ("Von Stadtblatt-Online-Expertin Erika Musterfrau", ["Erika Musterfrau"]),
        ("Gast-Kolumnist Max Mustermann", ["Max Mustermann"]),
        ("Tierschutz-Team", ["Tierschutz-Team"]),
        ("Par Jeanne Dupont le 07 Mai 2020", ["Jeanne Dupont"]),
        ("Blog Beitrag von Margarita Koreneva", ["Margarita Koreneva"]),
        ("Gespeichert von rasos am 24. Juli 2017 - 18:55", ["rasos"]),
        ("Submitted by Jane Doe on Mon, 06/04/2021", ["Jane Doe"]),
        ("Por María García el 3 de mayo", ["María García"]),
        ("Door Jan de Vries op 7 mei", ["Jan de Vries"]),
        ("María José García", ["María José García"]),
        (
            "Isabel Caro, Rocío Latorre y José Miguel Wilson",
            ["Isabel Caro", "Rocío Latorre", "José Miguel Wilson"],
        ),
        ("Maria Costa e João Silva", ["Maria Costa", "João Silva"]),
        ("Y. Wang and E. Li", ["Y. Wang", "E. Li"]),
        ("By Perry Bacon Jr.", ["Perry Bacon Jr."]),
        ("Joe S.", ["Joe S."]),
        ("By Jane Doe.", ["Jane Doe"]),
        ("Grant Tinsley, PhD", ["Grant Tinsley"]),
        ("Rachael Link, MS, RD", ["Rachael Link"]),
        ("By Jane Doe MPH", ["Jane Doe"]),
        ("Jack Ma", ["Jack Ma"]),
        ("Rechtsanwalt Sebastian Einbock", ["Sebastian Einbock"]),
        ("Pressemitteilung von Katja Kipping", ["Katja Kipping"]),
        ("Ryan Merkley, CEO", ["Ryan Merkley"]),
        ("Eine Kolumne von Nils Pickert", ["Nils Pickert"]),
        ("Donnerstag", []),
        ("Datum", []),
        ("Staff", []),
        # a job's word after an agency or a brand goes, after a name's one word it stays
        ("Reuters Staff", ["Reuters"]),
        ("IGN Staff", ["IGN"]),
        ("heise online", ["heise"]),
        ("Rasender Reporter", ["Rasender Reporter"]),
        ("Jörg Staff", ["Jörg Staff"]),
        ("Corresponding author: Jane Doe", ["Jane Doe"]),
        ("Corresponding author", []),
        ("publisher", []),
        ("autor: Pixabay, Twitter", []),
        ("Фото из Инстаграма Лукаша Подольски", []),
        ("anónimo", []),
        ("Kristen Falc'hon Kristen Falc'hon", ["Kristen Falc'hon"]),
        ("R. R.", ["R. R."]),
        ("so Artikel empfehlen:", ["so"]),
        ("Jane Doe Share", ["Jane Doe"]),
        ("Contributors to Wikimedia projects", []),
        ("Kirche und Leben, Münster, Germany", ["Kirche und Leben"]),
        ("GIROMATCH, Frankfurt a. M., Germany", ["GIROMATCH"]),
        ("Jane Doe and John Roe, London, UK", ["Jane Doe", "John Roe"]),
        ("Jane Doe, Germany", ["Jane Doe"]),
        (
            "Bundesministerium für Wirtschaft und Klimaschutz",
            ["Bundesministerium für Wirtschaft und Klimaschutz"],
        ),
        (
            "Eidgenössisches Departement für Wirtschaft, Bildung und Forschung WBF",
            ["Eidgenössisches Departement für Wirtschaft, Bildung und Forschung WBF"],
        ),
        ("Jane Doe for CNN and John Roe", ["Jane Doe", "John Roe"]),
        ("dpa und AFP", ["dpa", "AFP"]),
        ("The Editors", []),
        ("Die Redaktion", []),
        ("Article by", []),
        ("Article by Barry Alleyne", ["Barry Alleyne"]),
        ("Web Desk", []),
        ("Posted by admin", []),
        ("Reporter", []),
        ("Von", []),
        ("Par ", []),
        ("", []),
        ("https://www.facebook.com/janedoe", []),
        ("facebook.com/janedoe", []),
        # a source's credit: an agency's is a byline, a chart's is none
        ("Quelle: dpa", ["dpa"]),
        ("Źródło: Statista.com", []),
        ("Quelle: Statistisches Bundesamt", []),
        ("Redakcja", []),  # a desk, in Polish
        # an institution's name is one organisation, its "for" no employer, its "and" no list
        ("Department for Education", ["Department for Education"]),
        ("Ministry of Health and Social Care", ["Ministry of Health and Social Care"]),
        ("Jane Doe, Institute for Fiscal Studies", ["Jane Doe"]),  # her affiliation
        ("Department for Education in England", ["Department for Education"]),
        ("Bundesamt für Strahlenschutz in Salzgitter", ["Bundesamt für Strahlenschutz"]),
    ],
)
def test_clean_authors(byline: str, names: list[str]) -> None:
    assert clean_authors(byline) == names


@pytest.mark.parametrize(
    ("byline", "outlet", "names"),
    [
        ("The Korea Herald", "Korea Herald", []),
        ("By Yonhap", "The Korea Herald", ["Yonhap"]),
        ("Die FURCHE", "furche", []),  # an article before the name
        ("El Colombiano", "elcolombiano", []),  # the host name keeps it
        ("LN", "LN - Lübecker Nachrichten", []),  # a part of the name behind a separator
        ("JF", "Junge Freiheit", []),  # the initials
        ("Jobs & Hire", "Jobs & Hire", []),  # the whole name, before it is split
        ("Courier Staff Writers", "The Millbrook Courier", []),  # the outlet's desk
        ("Redakcja Forsal.pl", "Forsal.pl", []),  # the outlet's desk, in Polish
        ("Steve Peoples, AP", "Associated Press", ["Steve Peoples"]),
        ("AP", "Korea Herald", ["AP"]),
        ("Jane Doe", "Jane Doe Weekly", ["Jane Doe"]),  # a blog named after its author
        ("Anna Frei", "Allgemeine Frankfurter", ["Anna Frei"]),
        ("Deutsche Welle (www.dw.com)", "dw", []),  # the outlet with its own address
        ("Jane Doe (janedoe.example.org)", "dw", ["Jane Doe"]),  # someone else's
    ],
)
def test_outlet_names_are_excluded_on_request(byline: str, outlet: str, names: list[str]) -> None:
    assert clean_authors(byline, exclude=(outlet,)) == names


@pytest.mark.parametrize(
    ("byline", "credits"),
    [
        ("Web Commerce GmbH www.w-commerce.de", True),
        ("Babilon Inc., http://www.babilon-inc.com", True),
        ("symple.ch", True),
        ("www.parish-news.de", False),  # the outlet's own
        ("Parish News (https://parish-news.de/)", False),
        ("Lüder Hoppe info@roe.de", False),  # an e-mail address names a person's mailbox
        ("cipha[at]cipha.net", False),
        ("Jane Doe", False),
    ],
)
def test_a_byline_giving_another_sites_address_credits_that_site(
    byline: str, credits: bool
) -> None:
    assert credits_another_site(byline, ("Parish News", "parish-news")) is credits


@pytest.mark.parametrize(
    ("name", "site"),
    [
        ("mdr.de", True),
        ("LAOLA1.at", True),
        ("jungefreiheit.de", True),
        ("MesOpinions.com", True),
        ("Jane Doe", False),
        ("J. R. R. Tolkien", False),
        ("Greentech.LIVE", False),
        ("Perry Bacon Jr.", False),
    ],
)
def test_a_site_address_is_told_from_a_name(name: str, site: bool) -> None:
    assert is_site_address(name) is site


def test_a_user_name_is_spelled_as_another_source_spells_it() -> None:
    others = ["Edilson La Rosa", "Jane Doe", "Gàbor Muniér"]
    assert spelled_out(
        ["edilson.la.rosa", "John Roe", "jroe", "jane_doe", "gabor_munier"], others
    ) == [
        "Edilson La Rosa",
        "John Roe",
        "jroe",
        "Jane Doe",
        "Gàbor Muniér",
    ]


def test_a_first_name_alone_is_the_one_full_name_another_source_starts_with_it() -> None:
    assert spelled_out(["Nils", "Nils"], ["Nils Pickert"]) == ["Nils Pickert", "Nils Pickert"]
    assert spelled_out(["Nils"], ["Nils Pickert", "Nils Roe"]) == ["Nils"]  # which one?
    assert spelled_out(["nils"], ["Nils Pickert"]) == ["nils"]  # a user name, other letters


def test_people_are_names_not_sites_nor_names_with_a_description() -> None:
    bylines = [
        "Amelie Nishizawa",
        "Amelie Nishizawa Tokyo-based French writer",
        "hessenschau.de, Frankfurt, Germany",
        "John Roe",
    ]
    assert people(bylines) == ["Amelie Nishizawa", "John Roe"]


def test_a_desks_name_beside_a_persons_is_no_author_and_alone_it_is_kept() -> None:
    assert people(["Marianne1, KB_Redaktion"]) == ["Marianne1"]
    assert people(["Jane Doe", "PETA-Team"]) == ["Jane Doe"]
    assert people(["PETA-Team"]) == ["PETA-Team"]
