"""The questions of a FAQ that the page states in JSON-LD, put back above their answers.

SEO plugins (Yoast's and Rank Math's FAQ blocks, a theme's accordion) print each question as
a heading over its answer and state both as a JSON-LD ``FAQPage``. trafilatura's precision mode
can keep the answers and drop the headings (``<h3 class="entry-title">`` in an
``<article class="faq">``: named like a teaser's title): the reader then gets answers to
questions nobody asked. A stated question the body lacks goes back before the paragraph that
opens its answer, unless a heading already stands there. Measured on ../shared/corpus: 13
questions on 2 of the 5 pages that state a FAQ (12 on financescout24.de's credit guide, +1
annotated snippet); the other 3 bodies already hold theirs.
"""

from __future__ import annotations

from worker.extraction.body import Block
from worker.extraction.textkeys import loose_key

# The answer's opening that must begin a paragraph: long enough to be that answer's alone.
_ANSWER_KEY_CHARS = 60
_MIN_ANSWER_KEY_CHARS = 20


def with_questions(blocks: list[Block], faq: list[str]) -> list[Block]:
    """``blocks`` with the questions of ``faq`` (each "question\\nanswer", as jsonld states
    them) that they lack put back as headings."""
    if not faq:
        return blocks
    keys = [loose_key(block.text) for block in blocks]
    present = set(keys)
    questions: dict[int, str] = {}
    for entry in faq:
        question, _, answer = entry.partition("\n")
        opening = loose_key(answer)[:_ANSWER_KEY_CHARS]
        if loose_key(question) in present or len(opening) < _MIN_ANSWER_KEY_CHARS:
            continue
        index = next((i for i, key in enumerate(keys) if key.startswith(opening)), None)
        if index is None or index in questions or (index and blocks[index - 1].kind == "head"):
            continue
        questions[index] = question
    if not questions:
        return blocks
    result: list[Block] = []
    for index, block in enumerate(blocks):
        if index in questions:
            result.append(Block(questions[index], "head"))
        result.append(block)
    return result
