"""The news agency a wire story's dateline credits: "Hamburg (dpa/lno) – ...".

Wire copy republished as is often prints no byline, only the dateline that opens its first
paragraph; the agency in it is the story's author ("an agency is an author when it is the
byline"). Only a known agency counts: a dateline's parentheses also hold a country ("Rostow
(Russland) - ..."), a station ("AUSTIN (KXAN) —") or a correction.
"""

from __future__ import annotations

import re

# Wire services as datelines print them; matched without regard to case.
AGENCIES = {
    name.casefold(): name
    for name in (
        "AAP", "AFP", "AFX", "ANA", "ANP", "ANSA", "AP", "APA", "ATS", "Belga", "BTA",
        "CNA", "CP", "CTK", "dapd", "ddp", "dpa", "dpa-AFX", "EFE", "epd", "IANS",
        "Jiji", "KNA", "Kyodo", "Lusa", "MTI", "NTB", "PA", "PAP", "PTI", "Reuters", "RIA",
        "Ritzau", "sda", "SID", "STT", "TASS", "TT", "UPI", "Xinhua", "Yonhap",
    )
}  # fmt: skip
# A place of up to four words, the credit in parentheses, then a dash or colon.
_DATELINE = re.compile(
    r"^\s*[^\W\d_][\w.'’-]*(?:[ /][\w.'’-]+){0,3}\s*\((?P<credit>[^()]{2,40})\)\s*[-–—:]\s"
)
# A regional desk after the agency: "dpa/lno", "dpa/lsw", "epd-ost".
_DESK = re.compile(r"[a-z]{2,4}")


def dateline_agencies(paragraph: str) -> list[str]:
    """The agencies the dateline at the start of ``paragraph`` credits, as printed with their
    desk ("dpa/lno"); none when it credits anything else."""
    match = _DATELINE.match(paragraph)
    if match is None:
        return []
    names: list[str] = []
    for part in re.split(r"\s*[/,]\s*", match["credit"].strip()):
        if part.casefold() in AGENCIES:
            names.append(part)
        elif names and _DESK.fullmatch(part):
            names[-1] += f"/{part}"
        else:
            return []
    return names
