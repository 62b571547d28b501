"""The clean-up rules, one line at a time and on whole bodies."""

from __future__ import annotations

import pytest

from worker.extraction.body import Block
from worker.extraction.cleanup import Context, clean_blocks, is_chrome_line

SENTENCE = (
    "The committee met on Tuesday to discuss the proposal, which would change how the city "
    "allocates money to its schools over the next five years."
)
CONTEXT = Context(
    titles=["US takes alliance commitment with S. Korea very seriously"],
    outlet_names=["The Korea Herald", "Muslim Times"],
    sections=["National"],
    authors=["Yonhap"],
)


@pytest.mark.parametrize(
    "line",
    [
        "By Yonhap",
        "By Jane Doe and John Roe, Staff Writers",
        "Erstellt von kidogo",
        "von tennisnet.com",
        "Published : Apr 6, 2021 - 09:18       Updated : Apr 6, 2021 - 09:18",
        "Updated at 1:23 p.m.",
        "(AFP-Yonhap)",
        "This AP file photo shows Pentagon Press Secretary John Kirby. (Yonhap)",
        "In this photo provided by the Defense Ministry, troops take part in a drill on Monday.",
        "(Yonhap)",
        "[Getty Images]",
        "Photo: Reuters",
        "Titelbild: Geyres Christophe/ABACA/picture-alliance",
        "Beitragsbild via Unsplash.",
        "Bildnachweis: Quelle, cc-Lizenz",
        "US President Donald Trump and Kim Jong-un in Singapore. (Photo by AFP)",
        "Demonstrators gather outside parliament. REUTERS/Jane Doe",
        "Home / International News / South Korea says alliance with US",
        "News » World » Asia",
        "Read more",
        "READ MORE: Seoul and Washington to hold talks",
        "Related Articles",
        "Check Also",
        "Schon gelesen?",
        "Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz an den Falschen",
        "LE PUEDE INTERESAR: La ficha de Juan Orlando Hernández",
        "Lea aquí: Operación Orión, una sombra de odio",
        "Czytaj też: Wyścig zbrojeń ruszył z kopyta",
        "Zum Weiterlesen:",
        "Czytaj też:",
        "Das Thema könnte dich auch interessieren:",
        "Diese Artikel könnten euch auch interessieren:",
        "Top-Themen bei FIT FOR FUN",
        "Weitere aktuelle Themen aus der Arbeitswelt",
        "Lesen Sie auch die folgenden Beiträge:",
        "Zum Newsletter anmelden",
        "Anzeige, enthält Affiliate Links",
        "Teilen auf",
        "Bildcredit: (c) yakushkina - depositphotos.com",
        "Lesezeit: 2 Minuten",
        "Estimated reading time: 6 minutes",
        "Tempo de leitura: 1 minuto",
        "5 min read",
        "330 Bewertungen",
        "Di, 10:19 Uhr",
        "Liken Sie uns auf Facebook",
        "Folge uns auf Facebook | Instagram",
        "Fandest du den Artikel hilfreich?",
        "Was this article helpful?",
        "Symbolgrafik:© Butch - stock.adobe.com",
        "Weitere Themen",
        "Inhaltsverzeichnis",
        "Keine Kommentare",
        "Teilen mit:",
        "Advertisement",
        "Share this article",
        "Facebook Twitter Email Print",
        "Copyright © 2021 Herald Corporation. All rights reserved.",
        "© Rheinblick Medien GmbH",
        "Subscribe to our newsletter",
        "Get the latest news delivered to your inbox every morning.",
        "Follow him on Twitter @janedoe.",
        "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner.",
        "For the latest stories download the Nationnews apps for iOS and Android.",
        "Abonnieren Sie jetzt den Themen-Newsletter «Wohnen».",
        "PC Gamer Newsletter",
        "Sign up for the CorkBeo newsletter",
        "Kommentare lesen und schreiben, hier klicken",
        "[Alle Updates finden Sie im kostenlosen Tagesspiegel-Newsletter. Zur Anmeldung hier.]",
        "China furious at Macron for Hong Kong protest jibe [INSIGHT]",
        "Image 3 of 12",
        "Back To Top",
        "US takes alliance commitment with S. Korea very seriously",
        "National",
        "Muslim Times",
        "###",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(Block(line), CONTEXT, edge=True)


@pytest.mark.parametrize(
    "line",
    [
        SENTENCE,
        "By Monday, the talks had stalled.",
        "by teaching its annotate feature to skip revisions. The project",
        "Von dieser Testpflicht gibt es allerdings Ausnahmen",
        "von da an wie oben",
        "The US currently has some 28,500 troops in South Korea.",
        "Pyongyang has turned a deaf ear to US overtures for engagement. (Yonhap)",
        "Muslim Times(Web Desk) -South Korea says its alliance remains robust.",
        "The ceasefire took effect on June 14, 2018.",
        "If you already have a Hulu account, visit your account page to upgrade",
        "Was sich für Autofahrer ändert",
        "Symbolbilder via Agenturen zeigen oft etwas anderes als die Nachricht.",
        "Zum Weiterlesen: Claudia Duwe, Der Zukunft wieder vertrauen, Patmos Verlag",
        "Lesen Sie dazu auch die Pressemitteilungen:",
        "Affiliate links help us pay for the site, so thank you.",
        "5 minutes later, the police arrived.",
        "Reading time matters to editors.",
        "Die Polizei bittet: Folgen Sie den Anweisungen.",
        "If you just want Disney+, you can sign up for a free 7-day trial.",
        "Über den Bewerbungslink im Newsletter gelangen Sie zum Fragebogen.",
        "Sign up for the Disney+ bundle using the same email as your Hulu account",
        "Why we started a newsletter",
        "Released in 1999, the album sold two million copies.",
        "This image of the economy shows a clear slowdown in exports, analysts said on Monday.",
    ],
)
def test_article_lines(line: str) -> None:
    assert not is_chrome_line(Block(line), CONTEXT, edge=False)


def test_trailing_about_and_teaser_sections_are_cut() -> None:
    blocks = [Block(SENTENCE), Block(SENTENCE.replace("Tuesday", "Monday"))]
    blocks += [
        Block("About Muslim Times", "head"),
        Block("Muslim Times is a news website covering the Muslim world since 2009."),
    ]
    assert clean_blocks(blocks, CONTEXT) == blocks[:2]


def test_shortcodes_a_disabled_plugin_prints_go_and_their_text_stays() -> None:
    blocks = [
        Block(SENTENCE),
        Block("[sourcecode language=\u201cbash\u201c]#!/bin/bash", "code"),
        Block("exit 0[/sourcecode]", "code"),
        Block("[button link=\u201dhttps://bikes.example/r/\u201d type=\u201dbig\u201d][/button]"),
        Block("A footnote [1] and a [sic] stay, as does [b]bold[/b] text."),
    ]
    assert [b.text for b in clean_blocks(blocks, CONTEXT)] == [
        SENTENCE,
        "#!/bin/bash",
        "exit 0",
        "A footnote [1] and a [sic] stay, as does [b]bold[/b] text.",
    ]


def test_about_box_heading_cuts_the_rest() -> None:
    blocks = [Block(SENTENCE), Block(SENTENCE.replace("Tuesday", "Monday"))]
    tail = [
        Block("ABOUT ASCOM", "head"),
        Block("A global provider of healthcare ICT with offices in 15 countries and more."),
    ]
    assert clean_blocks(blocks + tail, Context()) == blocks
    early = [Block("About 300 people attended the meeting on Tuesday evening."), *blocks]
    assert clean_blocks(early, Context()) == early


def test_teasers_after_a_marker_are_dropped_but_the_article_continues() -> None:
    blocks = [
        Block(SENTENCE),
        Block("Read also", "head"),
        Block("Seoul, Washington to hold talks on defense cost-sharing", "item"),
        Block("Nigerians hold rally in Abuja on ..."),
        Block(SENTENCE.replace("Tuesday", "Friday")),
    ]
    assert clean_blocks(blocks, CONTEXT) == [blocks[0], blocks[4]]


def test_a_newsletter_plug_goes_alone() -> None:
    """Unlike a "Read also", a plug announces no teasers: the ruling's headings after it stay."""
    blocks = [
        Block(SENTENCE),
        Block("Newsletter abonnieren"),
        Block("Urteil", "head"),
        Block("Im Namen des Volkes"),
        Block(SENTENCE.replace("Tuesday", "Friday")),
    ]
    assert clean_blocks(blocks, CONTEXT) == [blocks[0], *blocks[2:]]


def test_company_boilerplate_at_the_end_is_cut() -> None:
    context = Context(outlet_names=["Ascom"])
    blocks = [Block(SENTENCE), Block(SENTENCE.replace("Tuesday", "Friday"))]
    tail = [Block("Ascom is a global solutions provider focused on healthcare ICT.")]
    assert clean_blocks(blocks + tail, context) == blocks


def test_only_consecutive_repeats_are_dropped() -> None:
    blocks = [Block("Eat every 2–3 hours"), Block(SENTENCE), Block("Eat every 2–3 hours")]
    caption = Block("Soldiers during a joint exercise near Pyeongtaek")
    assert clean_blocks(blocks, Context()) == blocks
    assert clean_blocks([caption, caption, Block(SENTENCE)], Context()) == [
        caption,
        Block(SENTENCE),
    ]


def test_label_fragments_at_the_edges_are_trimmed() -> None:
    blocks = [Block("World"), Block(SENTENCE), Block("Tags", "head")]
    assert clean_blocks(blocks, Context()) == [Block(SENTENCE)]


@pytest.mark.parametrize(
    "farewell", ["x Franzi", "XX, Die Redaktion", "xoxo Jane", "Love, Jane", "Liebe Grüße, Anna"]
)
def test_a_bloggers_farewell_closing_the_text_stays(farewell: str) -> None:
    blocks = [Block(SENTENCE), Block(farewell)]
    assert clean_blocks(blocks, Context()) == blocks


@pytest.mark.parametrize("label", ["X Factor", "Deine Meinung", "Love Island", "Cheers"])
def test_labels_that_look_like_a_farewell_are_trimmed(label: str) -> None:
    assert clean_blocks([Block(SENTENCE), Block(label)], Context()) == [Block(SENTENCE)]
