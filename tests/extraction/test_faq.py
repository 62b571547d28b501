"""A FAQ's questions stated in JSON-LD, put back above the answers the body kept."""

from __future__ import annotations

import json

from worker.extraction import extract_article, jsonld
from worker.extraction.body import Block
from worker.extraction.faq import with_questions
from worker.extraction.parsing import parse_html

INTRO = Block("Ein Autokredit finanziert den Kauf eines Neu- oder Gebrauchtwagens in Raten.")
ANSWER = Block(
    "Ja, Sie haben das Recht, einen Ratenkredit vorzeitig zurückzuzahlen; die Bank darf "
    "dafür eine Entschädigung verlangen."
)
QUESTION = "Kann ich den Kredit jederzeit kündigen?"
FAQ = [f"{QUESTION}\n{ANSWER.text}"]


def test_a_question_the_body_lacks_goes_back_above_its_answer() -> None:
    assert with_questions([INTRO, ANSWER], FAQ) == [INTRO, Block(QUESTION, "head"), ANSWER]


def test_a_question_the_body_holds_or_a_heading_already_there_is_left_alone() -> None:
    held = [INTRO, Block(QUESTION, "p"), ANSWER]
    assert with_questions(held, FAQ) == held
    headed = [INTRO, Block("Vorzeitig kündigen", "head"), ANSWER]
    assert with_questions(headed, FAQ) == headed


def test_an_answer_too_short_to_find_or_not_in_the_body_adds_nothing() -> None:
    assert with_questions([INTRO, Block("Ja.")], [f"{QUESTION}\nJa."]) == [INTRO, Block("Ja.")]
    assert with_questions([INTRO], FAQ) == [INTRO]


def _page(kind: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "mainEntity": [
            {
                "@type": "Question",
                "name": " Kann ich den Kredit\n jederzeit kündigen? ",
                "acceptedAnswer": {"@type": "Answer", "text": f"<p>{ANSWER.text}</p>"},
            }
        ],
    }
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head></html>'
    )


def test_json_ld_states_a_faq_pages_questions_not_a_question_and_answer_sites() -> None:
    faq = jsonld.collect(parse_html(_page("FAQPage")), "https://example.com/kredit")
    assert [hint.value for hint in faq.get("faq")] == [f"{QUESTION}\n{ANSWER.text}"]
    qa = jsonld.collect(parse_html(_page("QAPage")), "https://example.com/frage")
    assert qa.get("faq") == []


def test_a_faq_accordions_questions_stay_above_their_answers() -> None:
    """An accordion whose question headings trafilatura's precision mode drops (named like a
    teaser's title, inside an <article> of their own) keeps them through the JSON-LD."""
    pairs = [
        (QUESTION, ANSWER.text),
        (
            "Wonach richtet sich die Höhe der monatlichen Rate?",
            "Die Rate hängt von Kreditbetrag, Laufzeit und Zins ab; eine längere Laufzeit senkt "
            "sie, erhöht aber die Zinskosten.",
        ),
    ]
    text = "".join(
        f"<p>Der Autokredit ist ein Ratenkredit, Absatz {n}, mit festen Raten über eine "
        "Laufzeit von zwölf bis 120 Monaten und einem festen Zins für die gesamte Zeit.</p>"
        for n in range(4)
    )
    accordion = "".join(
        f'<article class="faq"><h3 class="entry-title">{question}</h3>'
        f'<div class="faq-content"><p>{answer}</p></div></article>'
        for question, answer in pairs
    )
    stated = {
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
            for q, a in pairs
        ],
    }
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(stated)}</script></head>'
        f"<body><main><h1>Autokredit</h1>{text}<h2>Häufige Fragen</h2>{accordion}</main></body>"
        "</html>"
    )
    lines = extract_article(html, "https://kredit.example/autokredit").body.split("\n\n")
    for question, answer in pairs:
        assert lines[lines.index(question) + 1] == answer
