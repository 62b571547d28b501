"""Headlines without the outlet's name.

<title> and og:title usually carry the site as a suffix or prefix ("Headline - The Korea Herald",
"Muslim Times | Headline"). A segment is removed only when it matches a name the page or the
configuration gives for the outlet, or the host name, so that a headline which merely contains a
dash or a pipe is left intact.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from worker.extraction.textkeys import loose_key

MAX_TITLE_CHARS = 400

_SEPARATOR = re.compile(r"\s+[-|–—·•»›:/]{1,2}\s+|\s*[|│]\s*")
# A separator left at either end when a template's site-name slot is empty: "Headline -"
# (not a closing guillemet: "« Quote »" is a headline)
_DANGLING = re.compile(r"^(?:[-|–—·•»›/]{1,2}\s+)+|(?:\s+[-|–—·•/]{1,2})+$")
# After a label: "Label: Headline", "Label - Headline", "Label | Headline"
_LABEL_SEPARATOR = re.compile(r"\s*[-|–—·•»›:/]{1,2}\s+")
_LABEL_ENDS = tuple("-|–—·•»›:/")
# A short parenthesis after a headline, before the site's segment: an id, an issue number
_ASIDE = re.compile(r"^\s*\([^()]{1,30}\)(?=\s)")
# "Kicker: Headline": a label before the headline, joined by a colon
_KICKER_COLON = re.compile(r"\S:\s+$")


@functools.lru_cache(maxsize=4096)  # a page compares the same few names again and again
def normalise_name(name: str) -> str:
    """Compare outlet names loosely: case, accents (a host name has none: "Nestlé Marktplatz"
    is nestle-marktplatz), punctuation, a leading "The", a ".com" ending."""
    key = unicodedata.normalize("NFKD", name.casefold().strip())
    key = "".join(ch for ch in key if not unicodedata.combining(ch))
    key = re.sub(r"^the\s+", "", key)
    key = re.sub(r"\.(com|net|org|co\.uk|de|fr|info|io|news)$", "", key)
    return re.sub(r"\W+", "", key)


def names_an_outlet(text: str, names: list[str]) -> bool:
    """``text`` is one of the outlet's ``names``, compared as ``normalise_name`` does: a
    section or description that only names the site."""
    return _is_outlet(text, names, loosely=False)


def _is_outlet(segment: str, names: list[str], *, loosely: bool = True) -> bool:
    key = normalise_name(segment)
    if not key:
        return False
    for name in names:
        other = normalise_name(name)
        if not other:
            continue
        if key == other:
            return True
        # "Korea Herald" vs host "koreaherald"; "Reuters.com" vs "Reuters"
        if loosely and len(other) >= 4 and len(key) >= 4 and (key in other or other in key):
            shorter, longer = sorted((key, other), key=len)
            if len(shorter) >= 0.6 * len(longer):
                return True
            # the name and what it is: "sheego ♥ Magazin", "Teufel Blog"
            if key.startswith(other) and key[len(other) :] in _PUBLICATION_WORDS:
                return True
    return False


_PUBLICATION_WORDS = frozenset(
    {"magazin", "magazine", "mag", "blog", "news", "online", "zeitung", "journal", "tv",
     "radio", "podcast", "newsletter", "revue", "review", "wiki", "forum", "shop"}
)  # fmt: skip


def strip_outlet(title: str, names: list[str]) -> str:
    """The title without leading or trailing segments that name the outlet, and without the
    slogan after an outlet's name in the last but one segment ("Headline | Site | Jetzt
    entdecken!").

    A name with a separator of its own ("AOC media - Analyse Opinion Critique") is removed
    whole first: segment by segment, only its last part would match."""
    title = _DANGLING.sub("", " ".join(title.split()))
    title = _without_glued_copy(title)
    title = _without_whole_name(title, names)
    for _ in range(3):
        parts = _SEPARATOR.split(title)
        if len(parts) < 2:
            break
        cut = _outlet_segment(title, parts, names, loosely=False)
        if cut is None:  # an exact name first: "energieverbraucher.de | Gaspreise", "Preise"
            cut = _outlet_segment(title, parts, names, loosely=True)
        if cut is None:
            break
        title = cut
    return title


def name_without_tagline(site_name: str, host: str) -> str:
    """A site name without the slogan or description stated beside it ("Katzen Forum - Das
    große Katzenforum", "News zu VR, AR und KI | MIXED.de"): of its segments, the one that
    names the page's ``host`` (``host_label``), when exactly one does; else the name whole
    ("DHB - Deutscher Handball Bund" on dhb.de keeps both: both name it)."""
    parts = [part.strip() for part in _SEPARATOR.split(site_name)]
    if len(parts) < 2 or not host:
        return site_name
    named = [part for part in parts if _is_outlet(part, [host])]
    return named[0] if len(named) == 1 else site_name


def _outlet_segment(title: str, parts: list[str], names: list[str], *, loosely: bool) -> str | None:
    """``title`` without its last, first or last but one segment, the first of these that
    names the outlet; None when none does."""
    separators = list(_SEPARATOR.finditer(title))
    if _is_outlet(parts[-1], names, loosely=loosely):
        return title[: separators[-1].start()].strip()
    if _is_outlet(parts[0], names, loosely=loosely):
        return title[separators[0].end() :].strip()
    if len(parts) > 2 and _is_outlet(parts[-2], names, loosely=loosely):
        return title[: separators[-2].start()].strip()
    return None


def _without_glued_copy(title: str) -> str:
    """ "HeadlineSite name | Site name" -> "Headline | Site name": a broken template runs the
    site's name into the headline with no space; the last segment shows what to cut."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2 or len(name := parts[-1]) < 8:
        return title
    first = parts[0]
    glued = len(first) > len(name) and first.endswith(name) and first[-len(name) - 1].isalnum()
    return title.replace(first, first[: -len(name)], 1) if glued else title


def _without_whole_name(title: str, names: list[str]) -> str:
    for name in names:
        name = " ".join(name.split())
        if not _SEPARATOR.search(name) or len(name) >= len(title):
            continue
        key = name.casefold()
        if title[-len(name) :].casefold() == key:
            rest = title[: -len(name)]
            if (cut := _separator_at_end(rest)) is not None:
                return rest[:cut].strip()
        if title[: len(name)].casefold() == key:
            rest = title[len(name) :]
            if (match := _SEPARATOR.match(rest)) is not None:
                return rest[match.end() :].strip()
    return title


def _separator_at_end(text: str) -> int | None:
    """Where a separator ending ``text`` starts, or None."""
    return next((m.start() for m in _SEPARATOR.finditer(text) if m.end() == len(text)), None)


def has_extra_segment(title: str, headline: str) -> bool:
    """``title`` is ``headline`` with a leading or trailing segment behind a separator."""
    title, headline = " ".join(title.split()), " ".join(headline.split())
    if len(headline) < 10 or headline == title:
        return False
    if title.startswith(headline):
        rest = _ASIDE.sub("", title[len(headline) :], count=1)  # "Headline (4022) - Site"
        return _SEPARATOR.match(rest) is not None
    if title.endswith(headline):
        rest = title[: -len(headline)]
        if _KICKER_COLON.search(rest):
            return True
        return _separator_at_end(rest) is not None
    return False


def shown_segment(title: str, headings: list[str]) -> str | None:
    """The one segment of ``title`` that the page shows as a heading of its own (or states
    whole as its description), when the title as a whole is none: "Blog name | Headline" over
    a page whose <h2> is "Headline".
    The other segments name the site or the section. None when no segment, or more than one,
    stands as a heading (a headline with a dash in it stands whole)."""
    parts = [part.strip() for part in _SEPARATOR.split(" ".join(title.split()))]
    if len(parts) < 2:
        return None
    shown = {loose_key(heading) for heading in headings}
    if loose_key(title) in shown:
        return None
    found = [part for part in parts if len(part) >= 8 and loose_key(part) in shown]
    if len(found) != 1:
        return None
    key = loose_key(found[0])
    others = [loose_key(part) for part in parts if part is not found[0]]
    # a segment repeated inside another is the site's name that a broken template ran into
    # the headline ("HeadlineSite name | Site name")
    return None if any(key in other for other in others) else found[0]


def headline_beside(
    best: str, titles: list[str], headings: list[str], outlets: list[str]
) -> str | None:
    """The segment of a title that the page shows as a heading, when ``best`` (the page's
    <h1>) is another of its segments and none names the outlet otherwise: a blog theme's
    <h1> is the blog's name, which <title> repeats beside the post's headline, an <h2> ("Four
    Years Remaining » Blog Archive » Interning of Small Integers in Python"). Only a segment
    longer than ``best``: a section's label beside a headline is the shorter one; and not
    where the outlet has a segment of its own ("Headline - Subtitle : literaturkritik.de")."""
    key = loose_key(best)
    shown = {loose_key(heading) for heading in headings}
    outlet_keys = {outlet_key for outlet in outlets if (outlet_key := loose_key(outlet))}
    for title in titles:
        parts = [part.strip() for part in _SEPARATOR.split(" ".join(title.split()))]
        keys = [loose_key(part) for part in parts]
        if len(parts) < 2 or key not in keys:
            continue
        if any(outlet in other for other in keys if other != key for outlet in outlet_keys):
            continue
        found = [
            part
            for part, part_key in zip(parts, keys, strict=True)
            if part_key != key and part_key in shown and len(part) > max(len(best), 8)
        ]
        if len(found) == 1:
            return found[0]
    return None


def headline_under_label(best: str, titles: list[str], headings: list[str]) -> str | None:
    """The segment of a <title> that the page shows as a heading, three words or more, when
    ``best`` (the page's <h1>) is a short label that no title repeats: a theme's <h1> naming
    the section ("Neuigkeiten") over the post's <h2> ("Das Ministerium für Club-Kultur
    informiert…"), which <title> gives beside the site's name."""
    key = loose_key(best)
    if _long_enough(best) or not key:
        return None
    shown = {loose_key(heading) for heading in headings}
    for title in titles:
        if loose_key(title) == key:
            continue  # the <h1> itself
        if key in loose_key(title):
            return None
        parts = [part.strip() for part in _SEPARATOR.split(" ".join(title.split()))]
        found = [part for part in parts if _long_enough(part) and loose_key(part) in shown]
        if len(parts) >= 2 and len(found) == 1:
            return found[0]
    return None


def headline_within(title: str, headings: list[str], headlines: list[str]) -> str | None:
    """The page's one <h1> (``headlines``, ``_long_enough``) that ``title`` holds with
    words added, when the title itself is no heading: "Receita de Sequilho com Chocolate
    Amargo" over the <h1> "Sequilho com Chocolate Amargo". Meta tags' titles are written for
    search engines; the headline readers see is the <h1>."""
    title = " ".join(title.split())
    if loose_key(title) in {loose_key(heading) for heading in headings}:
        return None
    found = {
        shown
        for headline in headlines
        if _long_enough(shown := " ".join(headline.split())) and shown in title and shown != title
    }
    return found.pop() if len(found) == 1 else None


def _long_enough(headline: str) -> bool:
    """Three words or more, or one long compound ("Mandarinen-Schmand-Kuchen"): a headline,
    not a section's name ("News", "Rezepte")."""
    return len(headline.split()) >= 3 or len(headline) >= 20


def without_kicker(title: str, kicker: str, *, separated: bool = False) -> str | None:
    """``title`` without ``kicker`` (the label a headline element shows above the headline)
    and the separator after it; None when the title does not start with it. ``separated``:
    only a punctuation separator counts, not a space ("Breaking news" keeps "Breaking")."""
    title, kicker = " ".join(title.split()), " ".join(kicker.split())
    if not kicker or not title.casefold().startswith(kicker.casefold()):
        return None
    rest = title[len(kicker) :]
    # the label's own separator ("<span>Medienmitteilung der Direktion :</span>Impfen ...")
    if separated and not (kicker.endswith(_LABEL_ENDS) or _LABEL_SEPARATOR.match(rest)):
        return None
    headline = rest.lstrip(" :|-–—·•»›/")
    if len(headline) < 10 or headline == rest:
        return None  # no separator: "Klimaschutz" in "Klimaschutzpaket beschlossen" is no kicker
    return headline


def clean_title(raw: str, names: list[str]) -> str | None:
    """A usable headline or None when the candidate is empty or implausibly long."""
    title = strip_outlet(raw, names)
    if not title or len(title) > MAX_TITLE_CHARS or not any(ch.isalnum() for ch in title):
        return None
    if any(normalise_name(title) == normalise_name(name) for name in names):
        return None  # the outlet's name alone is not a headline
    return title
