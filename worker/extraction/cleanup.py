"""Second pass over trafilatura's blocks: keep the article's paragraphs, drop the chrome that
slips through.

Every rule is generic (no site or URL is named anywhere): bylines and datelines as CMSs print
them, photo captions and credits, breadcrumbs, share bars, "Read more"/"Related" teasers,
newsletter plugs, copyright lines, and whole trailing sections that follow an "About <outlet>",
"Comments" or "Related articles" heading. Lines that repeat the headline, the section label or
the outlet's name are dropped too. Rules that could also match a real sentence are limited to
short lines, lines without sentence punctuation, or the edges of the body.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from worker.extraction.authors import clean_authors
from worker.extraction.body import Block
from worker.extraction.dates import parse_date
from worker.extraction.textkeys import loose_key
from worker.extraction.textual import BYLINE, PUBLISHED_LABEL, UPDATED_LABEL


@dataclass(frozen=True)
class Context:
    """What the page says about itself, to recognise lines that only repeat it."""

    titles: list[str] = field(default_factory=list)
    outlet_names: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)

    # Their loose keys, worked out once: every body line of the page is compared with them.
    @functools.cached_property
    def title_keys(self) -> frozenset[str]:
        return frozenset(map(loose_key, self.titles))

    @functools.cached_property
    def label_keys(self) -> frozenset[str]:
        return frozenset(map(loose_key, self.outlet_names + self.sections))

    @functools.cached_property
    def author_keys(self) -> frozenset[str]:
        return frozenset(map(loose_key, self.authors))

    @functools.cached_property
    def longest_key_line(self) -> int:
        """The longest line that may repeat a title or label: twice the longest key (a line's
        spaces and punctuation, which its key drops, never double it), at least 300."""
        keys = self.title_keys | self.label_keys | self.author_keys
        return max(300, 2 * max(map(len, keys), default=0))


# A trailing section starting at one of these headings is not part of the article; it is cut
# when it sits in the last TAIL_SHARE of the text.
TAIL_SHARE = 0.4
# Blocks this close to the start or end of the body are where bylines/datelines/labels sit.
EDGE_BLOCKS = 3

_SENTENCE_END = re.compile(r"[.!?…\"”’»)。！？」』]\s*$")
_PHRASES = (
    r"read more|read also|also read|read next|more reading|see also|see more|related"
    r"|related (?:articles?|stories|story|posts?|content|news|coverage|topics|links|reading)"
    r"|more (?:on this(?: story)?|from [\w .&'-]+|stories|news|articles|in [\w .&'-]+)"
    r"|check also|you (?:may|might) also like|recommended(?: for you| stories| articles)?"
    r"|most (?:popular|read|viewed|shared)|trending(?: now| stories)?|don'?t miss|top stories"
    r"|latest (?:news|stories|articles)|editor'?s picks?|in case you missed it"
    r"|advertisement|advertising|sponsored(?: content)?|continue reading(?: below)?"
    r"|advertisement[ -]+continue reading below|story continues below(?: advertisement)?"
    r"|click here|subscribe(?: now)?|newsletter|sign up|back to top|scroll to top|to top"
    r"|leave a (?:comment|reply)|comments?|\d+ comments?|post a comment|add a comment"
    r"|share(?: this)?(?: article| story| post| page)?|share on \w+|follow us|tags?|filed under"
    r"|topics|print|e-?mail|skip to (?:main )?content|loading|photo gallery|gallery"
    r"|next article|previous article|next|previous|prev|watch|listen|video|audio"
    r"|weiterlesen|mehr zum thema|lesen sie auch(?: die folgenden (?:beiträge|artikel))?"
    r"|auch interessant|(?:das(?: thema)?|diese (?:artikel|beiträge|themen)) könnten?"
    r" (?:sie|dich|euch) (?:auch|ebenfalls) interessieren|top-themen(?: (?:bei|von) [\w .&'-]+)?"
    r"|anzeige|werbung|teilen|kommentare|lire aussi|à lire aussi|publicité|partager"
    r"|leer más|lea también|publicidad|comentarios|compartir|leggi anche|pubblicità"
    r"|no comments|keine kommentare|teilen (?:mit|auf)|wird geladen|bewerten|schon gelesen"
    r"|weitere (?:aktuelle )?themen(?: (?:aus|zu|bei|von) [\w .&'-]+)?|inhaltsverzeichnis"
    r"|table of contents|czytaj (?:też|także)"
    r"|auch lesen|zum weiterlesen|(?:le|te) puede interesar|vea también|ver también"
    r"|zobacz (?:też|także)|dowiedz się więcej"
)
# Lines that are chrome but, unlike _PHRASES, announce no teasers: what follows them stays
# ("Newsletter abonnieren" mid-page, then a court ruling's heading lines).
_PLUGS = (
    r"(?:zum )?newsletter (?:anmelden|abonnieren)"
    # an advertising disclosure: "Anzeige, enthält Affiliate Links", "Enthält Affiliate-Links"
    r"|(?:(?:anzeige|werbung)\W+)?(?:enthält |contains )?affiliate[ -]?links?"
    # a feedback widget's question: "Was this article helpful?", "Gefällt dir dieser Beitrag?"
    r"|was this (?:article|post|page) (?:helpful|useful)|did you find this (?:article|post)"
    r" (?:helpful|useful)|(?:war|ist) (?:dieser|der) (?:artikel|beitrag) hilfreich"
    r"|fand(?:est du|en sie|et ihr) (?:den|diesen) (?:artikel|beitrag) hilfreich"
    r"|gefällt (?:dir|ihnen|euch) (?:dieser|der) (?:artikel|beitrag)"
    # a newsletter box's title and pitch: "PC Gamer Newsletter", "Sign up for the X newsletter"
    r"|(?-i:[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*){0,3} Newsletter)"
    r"|sign up (?:for|to) (?:the |our )?(?:[\w.&'’-]+ ){0,4}newsletter"
    r"|kommentare lesen und schreiben(?:\W+hier klicken)?"
)
BOILERPLATE_LINE = re.compile(rf"^\W*(?:{_PHRASES}|{_PLUGS})\W*$", re.IGNORECASE)
TEASER_PREFIX = re.compile(
    r"^\W*(?:read more|read also|also read|related|see also|see more|more|watch|listen"
    r"|recommended|don'?t miss|lesen sie auch|mehr zum thema|lire aussi|à lire aussi"
    r"|lea también|leggi anche|auch lesen|(?:le|te) puede interesar|le[ae] (?:aquí|también)"
    r"|vea también|ver también|czytaj (?:też|także)|zobacz (?:też|także))\s*[:»>|-]",
    re.IGNORECASE,
)
TRAILER_HEADING = re.compile(
    # case-insensitive phrases, except that "About <Name>" needs a capitalised name
    r"^\W*(?:(?i:about) (?:the )?[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){0,4}"
    r"|(?i:about (?:the )?authors?|about us|comments?|\d+ comments?|leave a (?:comment|reply)"
    r"|post a comment|related (?:articles?|stories|posts?|content|news|coverage|links)"
    r"|check also|more stories|you (?:may|might) also like|recommended(?: for you)?"
    r"|most (?:popular|read|viewed)|more from [\w .&'-]+|trending(?: now)?"
    r"|über (?:den|die) autor(?:in)?|zum autor|à propos de l'auteur|sobre el autor))\W*$",
)
TEASER_MARKER = re.compile(rf"^\W*(?:{_PHRASES}|check also|read more|related)\W*$", re.IGNORECASE)
_CREDIT_START = re.compile(
    r"^\W*(?:photos?|images?|pictures?|fotos?|bild(?:er)?|credits?|photograph|illustration"
    r"|graphic|source|quelle|file photo|video"
    # German compounds: the cover, post or symbol picture, picture credits and sources
    r"|(?:titel|beitrags|aufmacher|header|symbol|vorschau|artikel|teaser)bild|symbol(?:foto|grafik)"
    r"|bildnachweise?|bildquellen?|bildrechte|fotonachweise?|(?:foto|photo|bild) ?credits?)"
    r"(?:\s+(?:credit|by|courtesy))?\s*(?:[:/©|]|via\b)",
    re.IGNORECASE,
)
_CREDIT_END = re.compile(
    r"(?:\((?:[^()]{0,40}\b(?:photos?|images?|pictures?|credit|file|foto|courtesy|getty"
    r"|shutterstock|handout)\b[^()]{0,60})\)|(?:getty images|shutterstock|ap photo[^.]{0,40}"
    r"|reuters/[\w .-]{2,40}|afp(?: via getty images)?/[\w .-]{2,40}|/ ?afp|/ ?ap|/ ?reuters"
    r"|\(?photo(?:graph)?s?:? [\w .,/-]{2,60}\)?))\s*\.?$",
    re.IGNORECASE,
)
# Wire-style captions: "This AP file photo shows ... (Yonhap)", "In this photo provided by ...".
# "This image of the economy shows ..." is prose: a caption also names a file photo, a provider
# or a credit in parentheses.
_CAPTION_PHRASE = re.compile(
    r"^(?:in\s+)?this\s+(?:[\w.'-]+\s+){0,3}?(?:file\s+)?(?:photo|image|picture|screenshot"
    r"|handout|graphic|combination)s?\b[^.]{0,120}?\b(?:shows?|taken|provided|released"
    r"|captured|dated|made available)\b",
    re.IGNORECASE,
)
_CAPTION_EVIDENCE = re.compile(
    r"\bfile\b|\b(?:provided|released|taken|captured|made available)\b|\)\s*$", re.IGNORECASE
)
_PARENTHESISED = re.compile(r"^\s*[(\[][^()\[\]]{1,80}[)\]]\s*$")
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|all rights reserved", re.IGNORECASE)
_BREADCRUMB = re.compile(
    r"^\s*(?:home|homepage|start|startseite|accueil|inicio|portada)\s*(?:/|»|>|›|→|\|)",
    re.IGNORECASE,
)
_TRAIL_SEPARATORS = re.compile(r"\s(?:»|›|>|→)\s")
_PLUG = re.compile(
    r"\b(?:subscribe|subscribing|newsletters?|inbox|download (?:our|the)(?: [\w.-]+){0,2} apps?"
    r"|abonnieren|abonniere|abonnez|anmelden)\b",
    re.IGNORECASE,
)
_PLUG_ADDRESS = re.compile(
    r"\b(?:our|your|you|free|now|today|here|the latest|unsere?n?|ihr|jetzt|kostenlos\w*"
    r"|vous|notre)\b",
    re.I,
)
_FOLLOW = re.compile(
    r"\bfollow (?:us|him|her|them|[\w.]+(?: [\w.]+){0,3}) on (?:twitter|facebook|instagram"
    r"|linkedin|x)\b"
    r"|\blike us on facebook\b"
    # German, French, Spanish: "Folgen Sie uns auf Twitter", "Liken Sie uns auf Facebook"
    r"|\b(?:folg(?:en sie|e|t) uns|liken? sie uns|suivez-nous|síguenos) (?:auf|sur|en)"
    r" (?:twitter|facebook|instagram|linkedin|x)\b",
    re.IGNORECASE,
)
_BRACKET_TAG = re.compile(r"\[(?:[A-Z][A-Z ]{2,20})\]\s*\|?\s*$")
_SOCIAL_WORDS = frozenset(
    {
        "share", "shares", "facebook", "twitter", "email", "e-mail", "mail", "print",
        "whatsapp", "linkedin", "pinterest", "reddit", "tweet", "copy", "link", "messenger",
        "telegram", "tumblr", "flipboard", "comments", "comment", "on", "this", "article",
        "story", "via", "x", "google", "sms", "save", "pocket", "line", "kakaotalk", "kakao",
        "naver", "band", "vk", "weibo", "wechat", "threads", "bluesky", "url", "copied",
    }
)  # fmt: skip
_COUNTER = re.compile(
    r"^\W*(?:image|photo|slide|bild|foto)?\s*\d+\s*(?:/|of|von|de|sur)\s*\d+\W*$", re.I
)
# A reading-time label ("Lesezeit: 2 Minuten", "Estimated reading time: 6 minutes", "5 min
# read") and a count of the page's ratings or views ("330 Bewertungen").
_READING_TIME = re.compile(
    r"^\W*(?:(?:(?:estimated )?reading time|read time|lesezeit|lesedauer|temps de lecture"
    r"|tiempo de lectura|tempo de leitura|tempo di lettura|czas czytania|leestijd)\W*"
    r"(?:ca\.?\s*)?\d+(?:\s*[-–]\s*\d+)?\s*min\w*|\d+\s*min\w*\.?\s+(?:read|lesezeit|lesen"
    r"|de lecture|de lectura|de leitura|di lettura))\W*$",
    re.IGNORECASE,
)
_REACTIONS = re.compile(
    r"^\W*\d[\d.,]*\s+(?:bewertungen|ratings|reviews|votes|stimmen|aufrufe|views|likes)\W*$",
    re.IGNORECASE,
)
# A weekday and a clock time alone ("Di, 10:19 Uhr"): a dateline that names no date.
_WEEKDAY_TIME = re.compile(
    r"^(?:mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+\d{1,2}[:.]\d{2}"
    r"(?:\s*(?:uhr|h|am|pm))?$",
    re.IGNORECASE,
)
# The longest text _CREDIT_END can match: 40 + a credit word + 60 characters in parentheses,
# and a line's closing full stop; and the words one of its matches always holds.
_CREDIT_END_SPAN = 130
_CREDIT_END_WORDS = (
    "photo", "image", "picture", "credit", "file", "foto", "courtesy", "getty", "shutterstock",
    "handout", "reuters", "afp", "/ap", "/ ap",
)  # fmt: skip
_END_MARKS = re.compile(r"^\W*(?:-?30-|###|\*\*\*|end|ends|fin|ende|\(end\))\W*$", re.IGNORECASE)
_SELF_DESCRIPTION = re.compile(
    r"^(?:about\s+)?(?:the\s+)?([\w&.' -]{2,40}?)(?:\s*\([^)]*\))?\s+(?:is|ist|est|es)\s+"
    r"(?:a|an|the|one|ein|eine|der|die|das|un|une|el|la|le)\b",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_WORD = re.compile(r"\w")


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """``loose_key``, cached: each line is compared many times."""
    return loose_key(text)


def clean_blocks(blocks: list[Block], context: Context) -> list[Block]:
    """The article's own paragraphs, in order."""
    blocks = _without_shortcodes(blocks)
    blocks = _cut_trailer(blocks, context.outlet_names)
    blocks = _drop_marked_teasers(blocks)
    count = len(blocks)
    kept = [
        block
        for index, block in enumerate(blocks)
        if not is_chrome_line(
            block, context, edge=index < EDGE_BLOCKS or index >= count - EDGE_BLOCKS
        )
    ]
    kept = _dedupe(kept)
    return _trim_edges(kept)


def _without_shortcodes(blocks: list[Block]) -> list[Block]:
    """The blocks without the WordPress shortcodes a disabled plugin leaves printed as text
    ('[button link="/subscribe" type="big"]', '[sourcecode language="bash"]' ... '[/sourcecode]'):
    an opening one with attributes, and the closing ones of the names so opened; the text
    between them stays. A block left empty goes."""
    names = {name for block in blocks for name in _SHORTCODE.findall(block.text)}
    if not names:
        return blocks
    closing = re.compile(r"\[/(?:" + "|".join(map(re.escape, sorted(names))) + r")\]")
    kept = []
    for block in blocks:
        text = closing.sub("", _SHORTCODE.sub("", block.text)).strip()
        if text:
            kept.append(block if text == block.text else Block(text, block.kind))
    return kept


# An opening shortcode: a lower-case name and at least one attribute in any quotes, which
# editors' word processors curl
_SHORTCODE = re.compile(
    r"\[([a-z][a-z0-9_-]*)(?:\s+[a-z_-]+=[\"'\u201c\u201d\u201e\u2032\u2033][^\]\n]*)+\]"
)


def is_chrome_line(block: Block, context: Context, *, edge: bool = False) -> bool:
    """True when one line is boilerplate rather than article text."""
    text = block.text
    size = len(text)
    if size <= 80 and BOILERPLATE_LINE.match(text):
        return True
    if size <= 250 and (TEASER_PREFIX.match(text) or _BRACKET_TAG.search(text)):
        return True
    if is_byline(text) or _is_dateline(text, edge=edge):
        return True
    if _is_caption(text):
        return True
    if size <= 200 and (_COPYRIGHT.search(text) or _BREADCRUMB.match(text)):
        return True
    if size <= 150 and len(_TRAIL_SEPARATORS.findall(text)) >= 2:
        return True
    words = text.split(None, 12)  # 13 pieces: more words than a share bar has
    if len(words) <= 12 and all(w.strip("|·•:()[]").lower() in _SOCIAL_WORDS for w in words):
        return True
    if size <= 250 and _is_plug(text):
        return True
    if _COUNTER.match(text) or _END_MARKS.match(text):
        return True
    if size <= 60 and (_READING_TIME.match(text) or _REACTIONS.match(text)):
        return True
    return _repeats_page_metadata(text, context, edge=edge)


def _is_plug(text: str) -> bool:
    """A "follow us" line or a newsletter or app plug addressing the reader; the patterns are
    tried only on lines that hold one of their words (searching them everywhere cost a sixth
    of the clean-up's time)."""
    lowered = text.lower()
    if any(word in lowered for word in _FOLLOW_WORDS) and _FOLLOW.search(text):
        return True
    return (
        any(word in lowered for word in _PLUG_WORDS)
        and _PLUG.search(text) is not None
        and _PLUG_ADDRESS.search(text) is not None
    )


# Words every match of _FOLLOW, and of _PLUG, holds.
_FOLLOW_WORDS = ("follow", "like", "folg", "suivez", "síguenos")
_PLUG_WORDS = ("subscrib", "newsletter", "inbox", "download", "abonn", "anmelden")


def is_byline(text: str) -> bool:
    """A line of its own that credits the text's author ("By Jane Doe", "von Klaus Stanjek")."""
    byline = BYLINE.match(text)
    if len(text) > 100 or byline is None:
        return False
    rest = text[byline.end() - 1 :]
    if ":" not in byline[0] and rest[0].islower() and len(rest.split()) > 1:
        # "By teaching the class ...", "Von dieser Pflicht gibt es ...": a sentence opens so;
        # a user name or a site's address is one word ("Erstellt von kidogo")
        return False
    if _SENTENCE_END.search(text) and not re.search(r"\b[A-Z]\.$|\)$", text):
        return False  # "By Monday, the talks had stalled." is a sentence
    return bool(clean_authors(text))


def _is_dateline(text: str, *, edge: bool) -> bool:
    if len(text) > 120:
        return False
    labelled = PUBLISHED_LABEL.match(text) or UPDATED_LABEL.match(text)
    if labelled and (_TIME.search(text) or parse_date(text) is not None):
        return True
    if edge and len(text.split()) <= 8 and not text.rstrip().endswith("."):
        return parse_date(text) is not None or bool(_WEEKDAY_TIME.match(text.strip()))
    return False


def _is_caption(text: str) -> bool:
    if _PARENTHESISED.match(text) and not _SENTENCE_END.search(text.strip("()[] ")):
        return True
    if len(text) <= 150 and _CREDIT_START.match(text):
        return True
    if len(text) <= 300 and _CAPTION_PHRASE.match(text) and _CAPTION_EVIDENCE.search(text):
        return True
    return len(text) <= 300 and _ends_with_credit(text)


def _ends_with_credit(text: str) -> bool:
    """``_CREDIT_END``, tried only where the line's end names a credit's word, and only over
    that end: trying the pattern at every position of every line was a fifth of the clean-up's
    time."""
    end = text[-_CREDIT_END_SPAN:]
    lowered = end.lower()
    if not any(word in lowered for word in _CREDIT_END_WORDS):
        return False
    return _CREDIT_END.search(end) is not None


def _repeats_page_metadata(text: str, context: Context, *, edge: bool) -> bool:
    if len(text) > context.longest_key_line:
        # a paragraph this long cannot repeat a title or a label: not keyed (keying every
        # line was a third of the clean-up's time); still chrome if it holds no word
        return _WORD.search(text) is None
    key = _key(text)
    if not key:
        return True
    if key in context.title_keys:
        return True
    return len(text) <= 60 and (key in context.label_keys or (edge and key in context.author_keys))


def _cut_trailer(blocks: list[Block], outlets: list[str]) -> list[Block]:
    """Drop everything from an "About <outlet>"/"Comments"/"Related" heading near the end, or
    from the outlet's boilerplate self-description ("Acme is a global provider of ...")."""
    total = sum(len(block.text) for block in blocks) or 1
    seen = 0
    for index, block in enumerate(blocks):
        in_tail = seen >= (1 - TAIL_SHARE) * total
        if in_tail and len(block.text) <= 60 and TRAILER_HEADING.match(block.text):
            return blocks[:index]
        if in_tail and _describes_outlet(block.text, outlets):
            return blocks[:index]
        seen += len(block.text)
    return blocks


def _describes_outlet(text: str, outlets: list[str]) -> bool:
    match = _SELF_DESCRIPTION.match(text)
    if match is None:
        return False
    subject = _key(match.group(1))
    return any(subject and subject == _key(re.sub(r"^the\s+", "", o, flags=re.I)) for o in outlets)


def _looks_like_teaser(block: Block) -> bool:
    text = block.text
    if text.endswith(("...", "…", "[…]", "[...]")):
        return True
    if block.kind in ("item", "head"):
        return True
    return len(text) <= 150 and not _SENTENCE_END.search(text)


def _drop_marked_teasers(blocks: list[Block]) -> list[Block]:
    """After a "Read more"/"Related"/"Check also" line, drop the teasers that follow it."""
    kept: list[Block] = []
    skipping = False
    for block in blocks:
        if len(block.text) <= 60 and TEASER_MARKER.match(block.text):
            skipping = True
            continue
        if skipping and _looks_like_teaser(block):
            continue
        skipping = False
        kept.append(block)
    return kept


def _dedupe(blocks: list[Block]) -> list[Block]:
    """Drop a line that repeats the one before it (doubled captions, headings, widgets).

    Only consecutive repeats: recipes, schedules and meal plans legitimately repeat lines
    further apart (measured on zyte-dev).
    """
    kept: list[Block] = []
    for block in blocks:
        if kept and _key(kept[-1].text) == _key(block.text):
            continue
        kept.append(block)
    return kept


def _is_fragment(block: Block) -> bool:
    """A label rather than text: short, few words, no digits, no sentence punctuation."""
    text = block.text
    if len(text) > 30 or len(text.split()) > 4 or any(ch.isdigit() for ch in text):
        return False
    return not _SENTENCE_END.search(text)


def _trim_edges(blocks: list[Block]) -> list[Block]:
    """Drop label-like fragments and dangling headings at the start and the end, but not the
    writer's farewell that closes the text (``SIGN_OFF``)."""
    start, end = 0, len(blocks)
    while start < end and _is_fragment(blocks[start]) and blocks[start].kind != "item":
        start += 1
    while end > start and (blocks[end - 1].kind == "head" or _is_fragment(blocks[end - 1])):
        if blocks[end - 1].kind == "item" or SIGN_OFF.match(blocks[end - 1].text):
            break
        end -= 1
    return blocks[start:end]


# A blogger's farewell, short like a label: kisses before a name ("x Franzi", "XX, Die
# Redaktion", "xoxo Jane"; a single capital X is a name's: "X Factor"), or a greeting with its
# comma ("Love, Jane", "Liebe Grüße, Anna"). Not a possessive ("Eure Anna"): "Deine Meinung"
# and "Dein Warenkorb" are chrome's labels.
SIGN_OFF = re.compile(
    r"^(?:(?:(?-i:x)|x{2,3}|xo(?:xo)?)\b,?|(?:love|cheers|hugs|bises|besos|abrazos|saludos|baci"
    r"|liebe grüße|viele grüße|lg),)\s*[^\W\d_]",
    re.IGNORECASE,
)
