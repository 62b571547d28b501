"""Same story or not: fingerprints, MinHash candidates and verification on realistic copies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.localweb.sites import article_paragraphs, require_seeds
from tests.localweb.wire import BUDGET, PMI, local_story, market_report
from tests.localweb.wire import DRILLS as WIRE
from worker.dedup.content import content_hash
from worker.dedup.fingerprint import (
    STORY_FINGERPRINT_VERSION,
    Fingerprint,
    fingerprint,
    shingle_hashes,
    story_paragraphs,
)
from worker.dedup.minhash import (
    _A,
    _B,
    band_keys,
    estimated_jaccard,
    from_bytes,
    signature,
    to_bytes,
)
from worker.dedup.verify import compare, may_be_related

WIRE_BODY = "\n\n".join(WIRE)


def _same(a: str, b: str) -> bool:
    return compare(fingerprint(a), fingerprint(b)).same


def test_a_copy_with_its_own_byline_credit_and_copyright_is_the_same_text() -> None:
    copy = "\n\n".join(
        ["By Yonhap", "(AFP-Yonhap)", *[p.replace(" (Yonhap)", "") for p in WIRE],
         "© 2024 The Daily Herald. All rights reserved."]
    )  # fmt: skip
    verdict = compare(fingerprint(WIRE_BODY), fingerprint(copy))
    assert (verdict.same, verdict.why) == (True, "exact")


def test_typography_dashes_and_quotes_do_not_matter() -> None:
    typeset = WIRE_BODY.replace(" -- ", " \u2014 ").replace("allies'", "allies\u2019")
    typeset = typeset.replace("1950-53", "1950\u201353")
    assert compare(fingerprint(WIRE_BODY), fingerprint(typeset)).why == "exact"


def test_a_copy_its_outlet_hyphenates_with_soft_hyphens_is_the_same_text() -> None:
    """German outlets print long words with soft hyphens ("Ita\xadli\xadens") for the browser to
    break lines at: the words, and so every shingle, must stay those of the other copies."""
    hyphenated = re.sub(r"\b(\w{4})(\w{4,})", "\\1\xad\\2", WIRE_BODY).replace(", ", ",\u200b ")
    assert hyphenated.count("\xad") > 40
    verdict = compare(fingerprint(WIRE_BODY), fingerprint(hyphenated))
    assert (verdict.same, verdict.why) == (True, "exact")
    assert content_hash(hyphenated) == content_hash(WIRE_BODY)


def test_a_copy_cut_after_its_fourth_paragraph_is_the_same_story() -> None:
    trimmed = "\n\n".join(WIRE[:4])
    verdict = compare(fingerprint(WIRE_BODY), fingerprint(trimmed))
    assert verdict.same and verdict.why == "trimmed", verdict


def test_a_copy_with_an_editors_note_and_a_rewritten_sentence_is_the_same_story() -> None:
    edited = list(WIRE)
    edited[1] = edited[1].replace("told reporters", "said at a briefing")
    edited.insert(0, "Editor's note: this story has been updated with the number of troops.")
    assert _same(WIRE_BODY, "\n\n".join(edited))


def test_a_rolling_update_with_a_new_lede_is_the_same_story() -> None:
    updated = [
        "SEOUL, March 4 (Yonhap) -- The United States and South Korea began final preparations "
        "on Friday for their springtime exercise, a day after North Korea fired a missile.",
        *WIRE[1:],
    ]
    assert _same(WIRE_BODY, "\n\n".join(updated))


def test_a_follow_up_quoting_two_sentences_is_another_story() -> None:
    follow_up = "\n\n".join(
        [
            "North Korea on Saturday warned of 'overwhelming' countermeasures after Seoul and "
            "Washington announced their largest field drills in years.",
            WIRE[1],
            "A spokesperson for the North's defense ministry said in a statement carried by the "
            "state news agency that the drills were an open declaration of hostility.",
            WIRE[3],
            "Analysts in Seoul said the North could test a solid-fuel missile or conduct a "
            "satellite launch in the coming weeks to show its displeasure with the exercise.",
            "Pyongyang has launched more than 20 missiles since January, according to Seoul's "
            "military, and has vowed to expand its nuclear arsenal exponentially this year.",
        ]
    )
    verdict = compare(fingerprint(WIRE_BODY), fingerprint(follow_up))
    assert not verdict.same, verdict


def _market_report(day: str, kospi: str, change: str, won: str, foreign: str) -> str:
    return "\n\n".join(market_report(day, kospi, change, won, foreign))


def test_templated_market_reports_with_other_figures_stay_apart() -> None:
    monday = _market_report("May 6", "2,676.63", "up 12.40", "1,361.00", "210.5")
    tuesday = _market_report("May 7", "2,734.36", "up 57.73", "1,358.90", "95.3")
    verdict = compare(
        fingerprint(monday), fingerprint(tuesday),
        datetime(2024, 5, 6, 7, tzinfo=UTC), datetime(2024, 5, 7, 7, tzinfo=UTC),
    )  # fmt: skip
    assert (verdict.same, verdict.why) == (False, "numbers_differ")
    assert _same(monday, monday.replace("Seoul shares", "South Korean stocks"))
    # A trimmed copy of Monday's report keeps only two of its figures: still not Tuesday's.
    monday_lead = "\n\n".join(monday.split("\n\n")[:2])
    assert compare(fingerprint(monday_lead), fingerprint(tuesday)).why == "numbers_differ"
    assert compare(fingerprint(monday_lead), fingerprint(monday)).same


def test_a_round_up_quoting_three_stories_is_none_of_them() -> None:
    other_a, other_b = BUDGET, PMI
    round_up = "\n\n".join(["News in brief", *WIRE[:2], *other_a[:2], *other_b[:2]])
    for story in (WIRE, other_a, other_b):
        verdict = compare(fingerprint("\n\n".join(story)), fingerprint(round_up))
        assert not verdict.same, verdict


def test_the_two_seed_stories_on_one_subject_are_not_merged() -> None:
    require_seeds()
    muslim_times = "\n\n".join(article_paragraphs("000"))
    herald = "\n\n".join(article_paragraphs("003"))
    verdict = compare(fingerprint(muslim_times), fingerprint(herald))
    assert not verdict.same, verdict
    assert verdict.jaccard < 0.05


def test_copies_far_apart_in_time_are_not_merged() -> None:
    day = datetime(2024, 3, 3, tzinfo=UTC)
    a, b = fingerprint(WIRE_BODY), fingerprint(WIRE_BODY)
    assert compare(a, b, day, day + timedelta(days=2)).same
    assert compare(a, b, day, day + timedelta(days=30)).why == "outside_window"


def test_korean_text_is_shingled_by_characters() -> None:
    korean = (
        "정부는 내년 예산안을 확정하고 국방비와 사회보장비를 크게 늘리기로 했다고 밝혔다.\n\n"
        "기획재정부 관계자는 경기 둔화에 대응하기 위해 재정 지출을 확대할 필요가 있다고 말했다."
    )
    edited = korean.replace("밝혔다", "전했다")
    verdict = compare(fingerprint(korean), fingerprint(edited))
    assert verdict.same and verdict.why == "near", verdict


def test_dateline_and_trailing_agency_tag_are_removed_from_the_fingerprint() -> None:
    paragraphs = story_paragraphs("WASHINGTON (AP) \u2014 Lawmakers met.\n\nThey agreed. (Yonhap)")
    assert paragraphs == ["lawmakers met.", "they agreed."]
    noted = story_paragraphs("Editor's note: updated.\n\nSEOUL, March 3 (Yonhap) -- Troops met.")
    assert noted == ["editor's note: updated.", "troops met."], "after an editor's note too"


def test_minhash_estimates_jaccard_and_copies_share_a_band_key() -> None:
    original = fingerprint(WIRE_BODY)
    edited = fingerprint(WIRE_BODY.replace("told reporters", "said at a briefing"))
    unrelated = fingerprint(_market_report("May 6", "2,676.63", "up 12.40", "1,361.00", "210.5"))
    true = len(original.shingles & edited.shingles) / len(original.shingles | edited.shingles)
    estimate = estimated_jaccard(signature(original.shingles), signature(edited.shingles))
    assert abs(estimate - true) < 0.1
    keys = set(band_keys(signature(original.shingles)))
    assert keys & set(band_keys(signature(edited.shingles)))
    assert not keys & set(band_keys(signature(unrelated.shingles)))
    assert band_keys(signature(original.shingles)) == band_keys(signature(original.shingles))


def test_a_long_texts_signature_takes_the_minimum_over_every_shingle() -> None:
    # hashed in chunks (a 6 MB body's whole hash matrix took 1 GB): the last chunk counts too
    shingles = [(n * 2_654_435_761) % 2**32 for n in range(1, 20_001)]
    expected = [
        min(((int(a) * h + int(b)) % 2**64) >> 32 for h in shingles)
        for a, b in zip(_A[:4], _B[:4], strict=True)
    ]
    assert [int(value) for value in signature(shingles)[:4]] == expected


_BAND_KEYS_OF_WIRE = (
    "from tests.localweb.wire import DRILLS\n"
    "from worker.dedup.fingerprint import fingerprint\n"
    "from worker.dedup.minhash import band_keys, signature\n"
    "print(band_keys(signature(fingerprint(chr(10).join(DRILLS)).shingles)))\n"
)


def test_band_keys_are_the_same_in_every_process_and_change_only_with_the_version() -> None:
    """Stored keys are looked up by other processes and releases: no per-process hash seed,
    and a change of hashing must come with a new STORY_FINGERPRINT_VERSION (and a reindex)."""
    keys = band_keys(signature(fingerprint("\n".join(WIRE)).shingles))
    for seed in ("1", "2"):
        other = subprocess.run(
            [sys.executable, "-c", _BAND_KEYS_OF_WIRE], capture_output=True, text=True,
            check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert other.stdout.strip() == str(keys)
    pinned = [-4311185288106397706, 2095222930220930315, -422016411661538451]
    assert (STORY_FINGERPRINT_VERSION, keys[:3]) == (5, pinned), "hashing changed: bump it"


def _fares(price: str, lead: str = "From") -> str:
    return "\n\n".join([
        "The city council voted on Tuesday to raise public transport fares for the first time "
        "in six years, citing higher fuel and staff costs across the network.",
        f"{lead} Monday, a single bus ride will cost {price} won.",
        "Civic groups criticised the decision, saying that low-income commuters who rely on "
        "buses and subways every day would bear the brunt of the increase.",
    ])  # fmt: skip


def test_a_sentence_that_opens_like_a_byline_but_holds_a_figure_is_story_text() -> None:
    # dropped as a byline, it took the one figure two reports differ by: "exact" copies
    assert len(story_paragraphs(_fares("1,500"))) == 3
    assert not compare(fingerprint(_fares("1,500")), fingerprint(_fares("2,100"))).same
    assert story_paragraphs("By Jane Roe and John Doe, Reuters\n\n" + _fares("1,500")) == (
        story_paragraphs(_fares("1,500"))
    ), "a byline still goes"


def test_word_order_makes_other_shingles() -> None:
    text = "the ministry said the talks would resume next week in seoul"
    backwards = " ".join(reversed(text.split()))
    assert not set(shingle_hashes(text).tolist()) & set(shingle_hashes(backwards).tolist())
    assert len(shingle_hashes("too short")) == 1, "a text shorter than a shingle is one"


def _related_by_signature(a: Fingerprint, b: Fingerprint) -> bool:
    stored = from_bytes(to_bytes(signature(b.shingles)))  # as read back from the index
    return may_be_related(signature(a.shingles), a.size, stored, b.size)


def test_reports_sharing_only_stock_phrases_are_different_stories_figures_or_not() -> None:
    # Built from one stock of phrases, two local reports share a tenth of their shingles and
    # none of their figures: unrelated texts, not a contradiction that keeps stories apart.
    first, second = (fingerprint("\n\n".join(local_story(seed))) for seed in (1, 2))
    verdict = compare(first, second)
    assert (verdict.why, verdict.containment > 0.05) == ("different", True), verdict
    assert not _related_by_signature(first, second)


def test_a_stored_signature_never_rules_out_a_copy_or_a_contradicting_report() -> None:
    original = fingerprint(WIRE_BODY)
    words = WIRE_BODY.split(" ")
    copies = [
        *("\n\n".join(WIRE[:n]) for n in range(2, len(WIRE))),
        *(" ".join(words[: len(words) * share // 100]) for share in (40, 50, 60, 75, 90)),
        "\n\n".join([*WIRE, *BUDGET[:2]]),  # extended
        WIRE_BODY.replace("told reporters", "said at a briefing"),
    ]
    same = [fingerprint(copy) for copy in copies if compare(original, fingerprint(copy)).same]
    assert len(same) >= 8
    assert all(_related_by_signature(original, copy) for copy in same)
    assert all(_related_by_signature(copy, original) for copy in same)
    monday = fingerprint(_market_report("May 6", "2,676.63", "up 12.40", "1,361.00", "210.5"))
    tuesday = fingerprint(_market_report("May 7", "2,734.36", "up 57.73", "1,358.90", "95.3"))
    assert compare(monday, tuesday).why == "numbers_differ"
    assert _related_by_signature(monday, tuesday)


@pytest.mark.parametrize("order", [0, 1])
def test_the_verdict_is_symmetric(order: int) -> None:
    pair = [fingerprint(WIRE_BODY), fingerprint("\n\n".join(WIRE[:5]))]
    first, second = pair[order], pair[1 - order]
    assert compare(first, second) == compare(second, first)
