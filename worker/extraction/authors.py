"""Turning bylines as pages print them into a clean list of names.

"By Jane Doe and John Roe, Staff Writers | Updated Apr 6" must become ["Jane Doe", "John Roe"].
The rules are generic: strip the "By" lead-in, cut at the first date or label, split on
and/&/commas, drop e-mail addresses, handles and job titles, de-duplicate keeping order.
A news agency is a name like any other: "By Yonhap" gives ["Yonhap"].
"""

from __future__ import annotations

import re
import unicodedata

from worker.extraction.datelines import AGENCIES
from worker.extraction.textkeys import loose_key
from worker.extraction.urls import host_label

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 6
# An organisation's name, taken whole, is longer ("Eidgenössisches Departement für Wirtschaft,
# Bildung und Forschung WBF")
_MAX_ORGANISATION_CHARS = 100
_MAX_ORGANISATION_WORDS = 10

# Words that introduce a byline ("View all posts by", "Post author: By", "Zeige alle Beiträge
# von", "Eingestellt von"); stripped from the start of a byline, in any order.
LEAD_IN_WORDS = frozenset(
    {
        "by", "von", "par", "por", "di", "door", "av", "of", "from", "written", "posted",
        "reported", "reporting", "words", "story", "text", "compiled", "published", "view",
        "all", "posts", "articles", "stories", "show", "more", "post", "author", "authors",
        "autor", "autorin", "autoren", "auteur", "reporter", "zeige", "alle", "beiträge",
        "artikel", "eingestellt", "erstellt", "geschrieben", "verfasst", "veröffentlicht",
        "interview", "foto", "fotos", "photo", "photos", "bild", "bilder", "and", "und", "mit",
        "with", "im", "gespräch", "bericht", "kommentar", "ein", "eine", "beitrag", "gastbeitrag",
        "blog", "gespeichert", "submitted", "publiziert", "thread", "starter", "themenstarter",
        "pressemitteilung", "pressemeldung", "presseinformation", "alles", "mehr", "kolumne",
        "article", "corresponding",
    }
)  # fmt: skip
# A German label may name both genders: "Autor/in:", "Autor*innen", "Redakteur:in".
_LEAD_WORD = re.compile(
    r"^\s*(?:[&+]\s*)?([\w\u00c0-\u024f]+)(?:[/*:_](?i:in|innen)\b)?\s*[:\-–]?\s*"
)
# Where a byline stops being names: a label, a date, a separator.
_CUT = re.compile(
    r"\s(?:\||•|·|—|–|-)\s|\b(?:published|updated|posted|last updated|modified|on|am|um"
    r"|veröffentlicht|publiziert|aktualisiert|erstellt|geändert|publié|publicado|actualizado"
    r"|pubblicato|aggiornato|alle artikel|alle beiträge|all posts|all articles|all stories"
    r"|kontakt|contact|follow|folgen|illustrations?|illustrationen|fotos?|photos?|bilder"
    r"|share|teilen|artikel empfehlen|фото)\b"
    r"|\s(?-i:le|el|il|op|den)\s+(?=\d)"  # "Par Jane Doe le 7 mai", "Por Jane Doe el 7 de mayo"
    r"|\s(?-i:under)\s"  # "Posted by Jane Doe under News": WordPress's category
    r"|\b\d{1,2}[:/.]\d{1,2}|\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)
# A byline or author field longer than this is a paragraph or a page's list of its writers
MAX_BYLINE_CHARS = 1_000
MAX_AUTHORS = 20  # names kept of one page, from its bylines and its JSON-LD alike

# "and" in English, German, French; "y" (Spanish) and "e" (Portuguese, Italian) only in lower
# case between spaces, where they cannot be an initial ("Y. Wang")
_SPLIT = re.compile(
    r"\s*(?:,|;|&|\+|\band\b|\bund\b|\bet\b|\bwith\b|/)\s*|\s+(?-i:y|e)\s+", re.IGNORECASE
)
# a web address, with a scheme, "www." or a path ("facebook.com/vegolosi": a profile's link)
_URL = re.compile(r"\S+://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\S+|\(\s*\S+@\S+\s*\)")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Trailing context that is not part of a name: "Jane Doe in Seoul", "Jane Doe for CNN".
_HANDLE_NAME = re.compile(r"[^\W\d_]{2,}[\w.-]*\d[\w.-]*")
_TRAILER = re.compile(r"\s+(?:in|for|at|from|aus|en|para)\s+.*$", re.IGNORECASE)
# "jungefreiheit.de", "LAOLA1.at": a site's address given as its byline.
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2}|com|net|org|info|news)", re.IGNORECASE)

# Words that make up job titles and desk names rather than people's names.
JOB_WORDS = frozenset(
    {
        "staff", "writer", "writers", "reporter", "reporters", "correspondent",
        "correspondents", "editor", "editors", "editorial", "senior", "chief", "deputy",
        "managing", "associate", "assistant", "contributing", "contributor", "contributors",
        "columnist", "desk", "web", "news", "newsroom", "team", "bureau", "special",
        "guest", "freelance", "political", "foreign", "national", "international",
        "business", "sports", "science", "health", "technology", "tech", "photographer",
        "online", "digital", "admin", "administrator", "redaktion", "redakteur",
        "redakteurin", "correspondant", "rédaction", "redacción", "redakcja", "redazione",
        "redactie", "redakce", "analyst", "producer",
        "intern", "wire", "wires", "agencies", "agency", "services", "service", "report",
        "reports", "author", "by", "our", "anchor", "host", "experte", "expertin",
        "korrespondentin", "kolumnist", "kolumnistin", "reporterin", "autorin",
        "rechtsanwalt", "rechtsanwältin", "fachanwalt", "fachanwältin", "anwalt", "anwältin",
        "attorney", "lawyer", "ceo", "founder", "co-founder", "gründer", "gründerin",
        "geschäftsführer", "geschäftsführerin",
    }
)  # fmt: skip
# Academic and professional letters after a name ("Grant Tinsley, PhD"): not names.
CREDENTIALS = frozenset(
    {"phd", "md", "mba", "mph", "ms", "msc", "ma", "bsc", "rd", "rdn", "rn", "dphil", "mphil",
     "llm"}
)  # fmt: skip
# Values that are placeholders, labels or days, not names ("Datum", "Donnerstag").
NON_NAMES = frozenset(
    {"anonymous", "unknown", "none", "null", "n/a", "admin", "administrator", "guest", "user",
     "no", "date", "datum", "date de publication", "fecha", "publisher", "anonym", "anonyme",
     "anónimo", "anonimo",
     # where pictures come from, in a caption's credit ("Londyn / autor: Pixabay, Twitter")
     "pixabay", "unsplash", "pexels", "shutterstock", "istock", "getty images", "adobe stock",
     "flickr", "wikimedia commons", "twitter", "instagram", "facebook", "youtube",
     # the article a desk's name leaves once its job words go ("The Editors", "Die Redaktion")
     "the", "der", "die", "das", "le", "la", "les", "el", "los", "las", "il", "lo", "het",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
     "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
     "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"}
)  # fmt: skip
# A source's credit, not a byline: "Quelle: dpa", "Źródło: Statista.com".
_SOURCE_CREDIT = re.compile(
    r"\W*(?:quelle|quellen|source|sources|źródło|fuente|fonte|fonti|bron)\s*:", re.IGNORECASE
)
# A last word whose full stop belongs to it: an initial ("S.") or a suffix ("Jr.").
_ABBREVIATION = re.compile(r"(?:[^\W\d_]|jr|sr|jun|sen)\.", re.IGNORECASE)


def clean_authors(raw: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Names in a byline string; ``exclude`` drops names equal to these (the outlet's own),
    and a byline that gives one of them as its address ("Deutsche Welle (www.dw.com)")."""
    if len(raw) > MAX_BYLINE_CHARS or (exclude and _gives_own_address(raw, exclude)):
        return []  # longer: a paragraph, not a byline (and the address patterns' cost grows
        # with the square of the length: 20,000 characters took 38 s)
    if credit := _SOURCE_CREDIT.match(raw):
        # "Quelle: dpa" is a byline; "Źródło: Statista.com" where a chart comes from
        raw = raw[credit.end() :]
        if not _names_an_agency(raw):
            return []
    text = _PARENS.sub(" ", raw)  # first: "Deutsche Welle (www.dw.com)"
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _strip_lead_in(" ".join(text.split()).lstrip(" |•·:;,-–—"))
    cut = _CUT.search(text)
    if cut is not None:
        text = text[: cut.start()]
    if any(_same(text, other) for other in exclude):
        return []  # "Jobs & Hire" is the outlet, not "Jobs" and "Hire"
    text, addressed = _without_address(text)
    parts = _SPLIT.split(text)
    persons = [part for part in parts if personal_shape(part)]
    whole = (_NAMED_INSTITUTION.match(text) is not None and not _ENTRIES.search(text)) or (
        (addressed or bool(_INSTITUTION.search(text))) and not persons
    )
    if whole:
        parts = [text]  # one organisation: "Bundesministerium für Wirtschaft und Klimaschutz"
    names: list[str] = []
    for index, part in enumerate(parts):
        # the first part's lead-in went with the whole byline's ("By Von Trier")
        part = _strip_lead_in(part) if index else part
        if not whole and persons and _NAMED_INSTITUTION.match(part):
            continue  # "Jane Doe, Institute for Fiscal Studies": her affiliation
        name = _clean_name(part, exclude, organisation=whole)
        if name and not any(_same(name, other) for other in exclude):
            names.append(name)
    return dedupe(names)


def _names_an_agency(text: str) -> bool:
    """A news agency among the words ("dpa/lno", "AFP, Reuters")."""
    return any(word in AGENCIES for word in re.findall(r"\w+", text.casefold()))


def _without_address(text: str) -> tuple[str, bool]:
    """A byline signed with a postal address ("Kirche und Leben, Münster, Germany",
    "GIROMATCH, Frankfurt a. M., Germany") without its city and country, and whether it was
    one: those are places, not authors."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2 or parts[-1].casefold().rstrip(".") not in _COUNTRIES:
        return text, False
    return ", ".join(parts[:-2] if len(parts) > 2 else parts[:-1]), True


# Countries as bylines' addresses end with them, in English and in their own languages.
_COUNTRIES = frozenset(
    {"germany", "deutschland", "austria", "österreich", "switzerland", "schweiz", "suisse",
     "svizzera", "france", "italy", "italia", "spain", "españa", "portugal", "netherlands",
     "nederland", "belgium", "belgique", "belgië", "luxembourg", "poland", "polska", "sweden",
     "sverige", "norway", "norge", "denmark", "danmark", "finland", "suomi", "ireland", "uk",
     "united kingdom", "usa", "u.s.a", "united states", "canada", "australia", "india",
     "brazil", "brasil", "mexico", "méxico", "argentina", "chile", "colombia", "japan", "china"}
)  # fmt: skip
# The preposition of an institution's name ("Ministry of Health and Social Care", "Institut
# für Umwelt und Energie"): an "and" inside it joins no names. Not "for", which names a
# person's employer as often ("Jane Doe for CNN").
_INSTITUTION = re.compile(r"\s(?:für|of|pour)\s", re.IGNORECASE)
# What separates a byline's entries, unlike the "and" inside an institution's name.
_ENTRIES = re.compile(r"[,;|]")
# A byline that starts as an institution's name does ("Department for Education", "Ministry
# of Health and Social Care", "Institute for Fiscal Studies"): one organisation, whatever
# shape its words have, its "for" no employer.
_NAMED_INSTITUTION = re.compile(
    r"(?:the\s+)?(?:ministry|department|office|institute|centre|center|council|commission"
    r"|committee|agency|authority|bureau|foundation|society|association|federation|alliance"
    r"|coalition|trust|fund|academy|museum|embassy|secretariat|directorate|administration"
    r"|organisation|organization)\s+(?:for|of|on)\s",
    re.IGNORECASE,
)


def _gives_own_address(raw: str, outlets: tuple[str, ...]) -> bool:
    """A web address in parentheses whose distinctive part is one of ``outlets``: the
    outlet's name with its address, whatever the name says."""
    keys = {loose_key(outlet) for outlet in outlets}
    return any(
        _address_key(address) in keys
        for inside in _PARENS.findall(raw)
        for address in _ADDRESS.findall(inside)
    )


_ADDRESS = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _address_key(address: str) -> str:
    """A web address's distinctive part, keyed as outlet names are ("www.dw.com" -> "dw")."""
    return loose_key(host_label(address if "://" in address else f"http://{address}"))


def credits_another_site(raw: str, outlets: tuple[str, ...]) -> bool:
    """A byline that gives the web address of a site other than the outlet's ("Web Commerce
    GmbH www.w-commerce.de", "Frank Bueltge - http://bueltge.de", "symple.ch"). In a page's
    meta author that is its web agency's or its theme developer's credit, not the article's
    author."""
    keys = {loose_key(outlet) for outlet in outlets}
    addresses = _WEB_ADDRESS.findall(raw)
    if is_site_address(raw.strip()):
        addresses.append(raw.strip())
    return any(_address_key(address) not in keys for address in addresses)


_WEB_ADDRESS = re.compile(r"\w+://[^\s,;()]+|www\.[^\s,;()]+", re.IGNORECASE)


def byline_names(raw: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """``clean_authors``, but a byline that gives the site's address gives only that: what
    follows it is the site's place ("hessenschau.de, Frankfurt, Germany"), not people."""
    names = clean_authors(raw)
    sites = [name for name in names if is_site_address(name)]
    return sites or (clean_authors(raw, exclude=exclude) if exclude else names)


def people(bylines: list[str], *, exclude: tuple[str, ...] = ()) -> list[str]:
    """The people the bylines name: no site addresses, each once, a name that goes on with
    more words beside the name alone ("Jane Doe Tokyo-based French" from an author box's
    "... writer and fan of puns") is that name, and a desk's name beside a person's goes."""
    found: list[str] = []
    for raw in bylines:
        found.extend(
            name for name in byline_names(raw, exclude=exclude) if not is_site_address(name)
        )
        if len(found) >= MAX_AUTHORS:  # a page listing thousands is no byline
            break
    names = dedupe(found)[:MAX_AUTHORS]
    words = [name.split() for name in names]
    named = [
        name
        for name, own in zip(names, words, strict=True)
        if not any(len(other) < len(own) and own[: len(other)] == other for other in words)
    ]
    persons = [name for name in named if not _is_desk(name)]
    return persons or named


def _is_desk(name: str) -> bool:
    """A desk's name ("KB_Redaktion", "PETA-Team"): beside a person's, not an author."""
    return _bare(_DESK_PARTS.split(name)[-1]) in JOB_WORDS


_DESK_PARTS = re.compile(r"[-_\s]+")


def spelled_out(names: list[str], others: list[str]) -> list[str]:
    """``names`` with each user-name form ("edilson.la.rosa", "jane_doe") replaced by the
    same name as ``others`` (another source's names) spell it for readers ("Edilson La
    Rosa"): the same letters, in words; a first name alone ("Nils") by the one full name
    that starts with it ("Nils Pickert")."""
    readable = {_letters(other): other for other in others if " " in other.strip()}
    starting: dict[str, set[str]] = {}
    for other in readable.values():
        starting.setdefault(other.split()[0].casefold(), set()).add(other)

    def spelled(name: str) -> str:
        if " " in name:
            return name
        if (full := readable.get(_letters(name))) is not None:
            return full
        fulls = starting.get(name.casefold(), set()) if name[:1].isupper() else set()
        return next(iter(fulls)) if len(fulls) == 1 else name

    return [spelled(name) for name in names]


def _letters(name: str) -> str:
    """The letters and digits of a name without accents: a user name is its ASCII spelling
    ("gabor_munier" for "Gàbor Muniér")."""
    bare = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in bare if ch.isalnum())


_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))+"
_PERSONAL_NAME = re.compile(rf"{_NAME_WORD}(?:\s{_NAME_WORD}){{1,2}}")


def personal_shape(name: str) -> bool:
    """Two or three capitalised words: the shape of a person's name, not a desk or a place."""
    return bool(_PERSONAL_NAME.fullmatch(name)) and all(
        word[0].isupper() and not word.isupper() for word in name.split()
    )


def is_site_address(name: str) -> bool:
    """A domain name ("mdr.de") where a byline goes: the site, a last resort, not a person."""
    return _DOMAIN.fullmatch(name) is not None


def _strip_lead_in(text: str) -> str:
    """Remove leading byline words ("View all posts by") but keep a name that is all that is
    left ("By" alone is not a name). The lead-in ends at its "by": what follows is the name,
    even when it starts like a lead-in word ("By Von Trier", "Text von Von der Leyen")."""
    for _ in range(8):
        match = _LEAD_WORD.match(text)
        if match is None or (word := match.group(1).lower()) not in LEAD_IN_WORDS:
            break
        rest = text[match.end() :]
        if not rest.strip():
            break
        text = rest
        if word in _BY_WORDS:
            break
    return text.lstrip(" :-–")


# The lead-in words that say "by": the name comes next.
_BY_WORDS = frozenset({"by", "von", "par", "por", "di", "door", "av", "from"})


def dedupe(names: list[str]) -> list[str]:
    """Remove repeats, comparing case- and punctuation-insensitively, first one wins."""
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        key = loose_key(name)
        if key and key not in seen:
            seen.add(key)
            result.append(name)
    return result


def _clean_name(
    part: str, outlets: tuple[str, ...] = (), *, organisation: bool = False
) -> str | None:
    # "Jane Doe for CNN", "Bundesamt für Strahlenschutz in Salzgitter": not the "for" that
    # belongs to an institution's name ("Office for National Statistics")
    institution = _NAMED_INSTITUTION.match(part) if organisation else None
    start = institution.end() if institution else 0
    part = part[:start] + _TRAILER.sub("", part[start:])
    part = part.strip(" \t,:;-–—|•·'\"“”")
    words = part.split()
    size = len(words)
    if len(words) == 1 and _bare(words[0]) in CREDENTIALS:
        return None  # the "PhD" of "Grant Tinsley, PhD"
    named = words
    while named and _bare(named[-1]) in JOB_WORDS:
        named = named[:-1]
    # "Reuters Staff", "BBC News", "heise online": the agency or brand, "Courier Staff" the
    # outlet's desk; but "Rasender Reporter", "Jörg Staff", "Support Team" are a name whose
    # last word is a job's word
    if (
        len(named) != 1
        or len(words) == 1
        or not _plain_word(named[0])
        or _outlet_words(named, outlets)
    ):
        words = named
    while len(words) > 2 and _bare(words[-1]) in CREDENTIALS:
        words.pop()  # "Jane Doe MPH", but "Jack Ma" is a name
    roles = 0
    while words and _role(words[0], before_name=len(words) > 1):
        words.pop(0)
        roles += 1
    if roles and words and words[0] in _PREPOSITIONS:
        return None  # "Contributors to Wikimedia projects": a crowd, not a name
    half = len(words) // 2
    if half >= 2 and words[:half] == words[half:]:  # not initials ("R. R.")
        words = words[:half]  # "Kristen Falc'hon Kristen Falc'hon": a screen reader's copy
    if words and words[-1].endswith(".") and not _ABBREVIATION.fullmatch(words[-1]):
        words[-1] = words[-1].rstrip(".")  # a sentence's full stop, not "Jr." or "Joe S."
        words = [word for word in words if word]
    max_words, max_chars = (
        (_MAX_ORGANISATION_WORDS, _MAX_ORGANISATION_CHARS)
        if organisation
        else (MAX_NAME_WORDS, MAX_NAME_CHARS)
    )
    if not words or len(words) > max_words:
        return None
    if len(words) == 1 and words[0].lower() in LEAD_IN_WORDS:
        return None  # "Von" with no name after it
    if len(words) < size and _outlet_words(words, outlets):
        return None  # "Courier Staff Writers": a desk of the outlet, not a person
    name = " ".join(words)
    if len(name) > max_chars or name.lower() in NON_NAMES:
        return None
    if "://" in name or "www." in name.lower():
        return None
    if any(ch.isdigit() for ch in name) and not _HANDLE_NAME.fullmatch(name):
        return None  # a date or a count, not a name; a user name like "freeman1984" is kept
    if not any(ch.isalpha() for ch in name):
        return None
    if name.isupper() and len(words) > 1:
        name = name.title()  # "JANE DOE" -> "Jane Doe"; "AFP" stays
    return name


def _plain_word(word: str) -> bool:
    """A capitalised word of letters that is no news agency ("Jörg", "Support", not
    "Reuters", "BBC", "PhillyVoice" or "heise")."""
    return (
        word[:1].isupper()
        and word[1:].islower()
        and word.isalpha()
        and word.casefold() not in AGENCIES
        and word.casefold() not in NON_NAMES
    )


_PREPOSITIONS = frozenset({"to", "of", "for", "at", "from", "zu", "für", "de", "du"})


def _role(word: str, *, before_name: bool) -> bool:
    """A job title; before a name also as a compound ("FOCUS-Online-Experte Robin Doe"), which
    alone is a desk's name ("PETA-Team")."""
    if _bare(word) in JOB_WORDS:
        return True
    return before_name and "-" in word and _bare(word.rsplit("-", 1)[1]) in JOB_WORDS


def _bare(word: str) -> str:
    return word.lower().replace(".", "").strip(",")  # "Ph.D." -> "phd"


def _outlet_words(words: list[str], outlets: tuple[str, ...]) -> bool:
    """All ``words`` occur in one of the outlet's names ("Courier" in "The Millbrook Courier")."""
    wanted = {loose_key(word) for word in words}
    return any(wanted <= {loose_key(w) for w in outlet.split()} for outlet in outlets)


def _same(name: str, outlet: str) -> bool:
    """``name`` is the outlet's: its name but for a leading article ("Die FURCHE" for
    "Furche"), a part of it behind a separator ("LN" of "LN - Lübecker Nachrichten"), or its
    initials in capitals ("JF" for "Junge Freiheit")."""
    keys = _name_keys(name)
    if not keys:
        return False
    if any(keys & _name_keys(part) for part in _OUTLET_SEPARATOR.split(outlet)):
        return True
    if not (name.isupper() and 2 <= len(name) <= 5 and name.isalpha()):
        return False
    words = _ARTICLE.sub("", outlet.strip()).split()
    return len(words) > 1 and name.casefold() == "".join(w[0] for w in words).casefold()


def _name_keys(name: str) -> set[str]:
    """The name compared loosely, with and without a leading article ("El Colombiano" is
    the site "elcolombiano")."""
    name = name.strip()
    return {key for key in (loose_key(name), loose_key(_ARTICLE.sub("", name))) if key}


# A leading article of an outlet's name: "The Times", "Die Furche", "Le Monde".
_ARTICLE = re.compile(r"^(?:the|die|der|das|le|la|les|el|los|las|il|lo)\s+", re.IGNORECASE)
_OUTLET_SEPARATOR = re.compile(r"\s+[-|–—:]\s+")
