"""Tokens with their raw spans, an Arabic stop-word list and light clitic splitting.

>>> [t.text for t in tokenize("قال: «العراق دولة ذات سيادة»، وأضاف…")]
['قال', 'العراق', 'دولة', 'ذات', 'سيادة', 'وأضاف']
>>> words("الســياسة الخارجيــة")          # normalised by default
['السياسة', 'الخارجية']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import normalize

#: Arabic and Latin punctuation that separates tokens
ARABIC_PUNCTUATION = "،؛؟«»“”‘’…٪٫٬"
#: a word: Arabic letters (with tatweel and diacritics), Latin letters, or digits with
#: internal separators (2,500 · 3.5 · 2021)
WORD_RE = re.compile(
    r"[\u0621-\u065F\u0670-\u06D3\u06D5-\u06ED\u06FA-\u06FF\uFB50-\uFDFF\uFE70-\uFEFC]+"
    r"|[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)?"
    r"|[0-9\u0660-\u0669\u06F0-\u06F9]+(?:[.,٫٬][0-9\u0660-\u0669\u06F0-\u06F9]+)*"
)


@dataclass(frozen=True)
class Token:
    """A token of the raw text: its text as printed and its ``[start, end)`` span."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens; punctuation («» ، ؛ ؟ “ ” …) is dropped.

    Spans refer to the text given, so ``text[t.start:t.end] == t.text``.

    >>> tokenize("عام 2021، أي")[1]
    Token(text='2021', start=4, end=8)
    """
    return [Token(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def words(text: str, *, normalized: bool = True, drop_stopwords: bool = False, **options) -> list[str]:
    """The words of a text, normalised (see :func:`arabtexts.normalize.normalize`) by default.

    >>> words("إلى العـراق في عام", drop_stopwords=True)
    ['العراق', 'عام']
    """
    toks = [t.text for t in tokenize(text)]
    if normalized:
        toks = [normalize(t, **options) for t in toks]
    if drop_stopwords:
        stops = stopwords()
        toks = [t for t in toks if normalize(t) not in stops]
    return [t for t in toks if t]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The course's Arabic stop-word list, normalised (tatweel, diacritics, alef folded).

    The list is ``arabic_stopwords.txt`` beside this module: function words (prepositions,
    conjunctions, pronouns, demonstratives, relative pronouns, auxiliaries, particles) compiled
    by hand for this course from standard Arabic grammar. It is deliberately small (about 200
    words) and contains no content words, so «الولايات» or «العراق» are never dropped.

    >>> "في" in stopwords() and "الذي" in stopwords() and "العراق" not in stopwords()
    True
    """
    path = Path(__file__).with_name("arabic_stopwords.txt")
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(normalize(line))
    return frozenset(out)


PROCLITICS = ("و", "ف", "ب", "ل", "ك")


def split_clitics(word: str, *, min_stem: int = 2) -> list[str]:
    """Light, approximate splitting of common proclitics: و ف ب ل ك and the article ال.

    It is a heuristic, not a morphological analyser: it peels at most one conjunction
    (و/ف), one preposition (ب/ل/ك) and the article, and only when at least ``min_stem``
    letters remain. Words such as «ولاية» or «بلد» are over-split; use it for counting, not
    for grammar. «لل» (ل + ال) is handled.

    >>> split_clitics("والولايات")
    ['و', 'ال', 'ولايات']
    >>> split_clitics("للعراق")
    ['ل', 'ال', 'عراق']
    >>> split_clitics("بغداد")
    ['ب', 'غداد']
    """
    w = normalize(word)
    parts: list[str] = []
    if len(w) > min_stem + 1 and w[0] in "وف":
        parts.append(w[0])
        w = w[1:]
    if len(w) > min_stem + 2 and w.startswith("لل"):
        return parts + ["ل", "ال", w[2:]]
    if len(w) > min_stem + 1 and w[0] in "بلك" and not w.startswith("ال"):
        parts.append(w[0])
        w = w[1:]
    if len(w) > min_stem + 2 and w.startswith("ال"):
        parts.append("ال")
        w = w[2:]
    return parts + [w]


#: frequent words of the course's texts that carry no topic (time words, «also», «which» …)
#: besides the stop-word list; used by :func:`is_function_word`
FUNCTION_WORDS_EXTRA = frozenset(normalize(w) for w in (
    "عام", "العام", "عاما", "اعوام", "مما", "ممن", "فيما", "كما", "ايضا", "حيث", "اذ", "والتي",
    "التي", "الذي", "الذين", "هذه", "هذا", "تلك", "ذلك", "وهو", "وهي", "هناك", "خلال", "بين",
    "عبر", "لدى", "سواء", "اي", "كل", "بعض", "غير", "الى", "على", "قبل", "بعد", "منذ", "يتم",
    "تم", "كان", "كانت", "يكون", "تكون", "سوف", "قد", "لقد",
))


def is_function_word(word: str, *, min_length: int = 3) -> bool:
    """True for a word that carries no topic: a stop word, also behind a proclitic («والتي»,
    «فيما», «مما» = من + ما), one of :data:`FUNCTION_WORDS_EXTRA`, or a fragment shorter than
    ``min_length`` letters (a piece left by a PDF line break).

    >>> [w for w in ["والتي", "مما", "عام", "الانسحاب", "يا", "بغداد"] if not is_function_word(w)]
    ['الانسحاب', 'بغداد']
    """
    stops = stopwords() | FUNCTION_WORDS_EXTRA
    w = normalize(word)
    if len(w) < min_length or w in stops:
        return True
    for pre in ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك"):
        if w.startswith(pre) and w[len(pre):] in stops:
            return True
    return w.startswith("م") and w[1:] in stops
