"""Unicode-aware normalisation of Arabic text that keeps a map back to the raw text.

Every step works character by character, so each character of the normalised text knows the
index of the raw character it came from. A match found in clean text can therefore be shown,
quoted and cited at its exact place in the raw file.

>>> n = normalize("الســياسة الخارجيــة", with_map=True)
>>> n.text
'السياسة الخارجية'
>>> n.raw_span(0, 7)           # «السياسة» in the normalised text ...
(0, 9)
>>> n.source[0:9]              # ... is «الســياسة» in the raw text
'الســياسة'

Inputs are never mutated (Python strings are immutable, and nothing else is accepted);
empty and non-Arabic text pass through unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TATWEEL = "\u0640"
#: harakat, tanwin, shadda, sukun (U+064B–U+0652), dagger alef (U+0670), Quranic marks
DIACRITICS = frozenset(
    [chr(c) for c in range(0x064B, 0x0653)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + ["\u06E7", "\u06E8"]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
ALEF_VARIANTS = {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
ALEF_MAQSURA = {"\u0649": "\u064A"}  # ى → ي
TAA_MARBUTA = {"\u0629": "\u0647"}  # ة → ه
DIGITS = {chr(0x0660 + i): str(i) for i in range(10)}  # Arabic-Indic ٠١٢٣٤٥٦٧٨٩
DIGITS.update({chr(0x06F0 + i): str(i) for i in range(10)})  # Eastern (Persian/Urdu) ۰۱۲…
DIGITS.update({"\u066B": ".", "\u066C": ","})  # Arabic decimal and thousands separators


def _is_presentation_form(ch: str) -> bool:
    o = ord(ch)
    return 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFC


@dataclass(frozen=True)
class Normalized:
    """A normalised text together with its map back to the source.

    ``offsets[i]`` is the index in ``source`` of the character that produced ``text[i]``;
    ``offsets[len(text)] == len(source)``.
    """

    text: str
    source: str
    offsets: tuple[int, ...]

    def __str__(self) -> str:
        return self.text

    def __len__(self) -> int:
        return len(self.text)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span ``[start, end)`` of the normalised text to the raw text.

        >>> n = normalize("قـال: «العـراق»", with_map=True)
        >>> s, e = n.raw_span(n.text.index("العراق"), n.text.index("العراق") + 6)
        >>> n.source[s:e]
        'العـراق'
        >>> n = normalize("الأكثر اتساقاً مع", with_map=True)
        >>> n.raw_slice(n.text.index("اتساقا"), n.text.index("اتساقا") + 6)
        'اتساقاً'
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside 0..{len(self.text)}")
        if start == end:
            pos = self.offsets[start]
            return pos, pos
        # the marks normalisation dropped after the last letter belong to it: «اتساقاً» keeps
        # its tanwin in the span (a concordance would start the right context with «ً» otherwise)
        e, limit = self.offsets[end - 1] + 1, self.offsets[end]
        while e < limit and unicodedata.combining(self.source[e]):
            e += 1
        return self.offsets[start], e

    def raw_slice(self, start: int, end: int) -> str:
        """The raw text behind ``text[start:end]``."""
        s, e = self.raw_span(start, end)
        return self.source[s:e]

    def finditer(self, pattern, flags: int = 0):
        """Yield ``(match, raw_start, raw_end)`` for a regex searched in the normalised text."""
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        for m in rx.finditer(self.text):
            s, e = self.raw_span(m.start(), m.end())
            yield m, s, e


def _table(tatweel, diacritics, alef, alef_maqsura, taa_marbuta, digits) -> dict[str, str]:
    table: dict[str, str] = {}
    if tatweel:
        table[TATWEEL] = ""
    if diacritics:
        table.update(dict.fromkeys(DIACRITICS, ""))
    if alef:
        table.update(ALEF_VARIANTS)
    if alef_maqsura:
        table.update(ALEF_MAQSURA)
    if taa_marbuta:
        table.update(TAA_MARBUTA)
    if digits:
        table.update(DIGITS)
    return table


def normalize(
    text: str,
    *,
    tatweel: bool = True,
    diacritics: bool = True,
    alef: bool = True,
    alef_maqsura: bool = False,
    taa_marbuta: bool = False,
    digits: bool = True,
    presentation_forms: bool = True,
    with_map: bool = False,
):
    """Normalise Arabic text; optionally return a :class:`Normalized` with an offset map.

    Steps (each can be switched off):

    - ``tatweel``: remove kashida U+0640 («الســياسة» → «السياسة»)
    - ``diacritics``: remove harakat, tanwin, shadda, sukun, dagger alef («الحاليّ» → «الحالي»)
    - ``alef``: fold أ إ آ ٱ → ا («أمريكا» → «امريكا»)
    - ``alef_maqsura`` (off by default): ى → ي («على» → «علي»)
    - ``taa_marbuta`` (off by default): ة → ه («الحكومة» → «الحكومه»)
    - ``digits``: Arabic-Indic and Eastern digits → Western («٢٠٢١» → «2021», «۲۰۲۴» → «2024»)
    - ``presentation_forms``: PDF ligatures and positional forms (U+FB50–U+FEFC) → letters

    >>> normalize("أعلنَ السودانيّ في ١٥ كانون الثاني")
    'اعلن السوداني في 15 كانون الثاني'
    >>> normalize("Iraq 2024")
    'Iraq 2024'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects a str, not {type(text).__name__}")
    table = _table(tatweel, diacritics, alef, alef_maqsura, taa_marbuta, digits)
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if presentation_forms and _is_presentation_form(ch):
            pieces = unicodedata.normalize("NFKC", ch)
            # a decomposed form may carry a diacritic or need further folding
            pieces = "".join(table.get(p, p) for p in pieces)
        else:
            pieces = table.get(ch, ch)
        for p in pieces:
            out.append(p)
            offsets.append(i)
    result = "".join(out)
    if not with_map:
        return result
    offsets.append(len(text))
    return Normalized(text=result, source=text, offsets=tuple(offsets))


def remove_tatweel(text: str) -> str:
    """Remove kashida elongation: «شكـل العـراق» → «شكل العراق»."""
    return text.replace(TATWEEL, "")


def remove_diacritics(text: str) -> str:
    """Remove harakat, tanwin, shadda, sukun and dagger alef: «خصوصًا» → «خصوصا»."""
    return "".join(ch for ch in text if ch not in DIACRITICS)


def fold_alef(text: str) -> str:
    """Fold hamzated and madda alef forms to bare alef: «إيران» → «ايران»."""
    return text.translate(str.maketrans(ALEF_VARIANTS))


def to_western_digits(text: str) -> str:
    """Arabic-Indic and Eastern digits to Western: «٣٠ تموز ٢٠٢١» → «30 تموز 2021»."""
    return text.translate(str.maketrans(DIGITS))


def fold(text: str) -> str:
    """The strongest folding, for comparing answers and counting words.

    Everything :func:`normalize` does, plus ى→ي and ة→ه, lower-case Latin and collapsed
    white space: «الولايـات المتحدة الأمريكيّة» and «الولايات المتحده الامريكية» fold alike.

    >>> fold("  الولايـات  المتحدة ") == fold("الولايات المتحده")
    True
    """
    t = normalize(text, alef_maqsura=True, taa_marbuta=True)
    return " ".join(t.lower().split())


def find_normalized(source: str, query: str, **options) -> list[tuple[int, int]]:
    """Raw spans where ``query`` occurs in ``source`` once both are normalised the same way.

    >>> raw = "شهــدت الســياسة الخارجيــة العراقيــة"
    >>> [raw[s:e] for s, e in find_normalized(raw, "السياسة")]
    ['الســياسة']
    """
    n = normalize(source, with_map=True, **options)
    q = normalize(query, **options)
    if not q:
        return []
    return [(s, e) for _, s, e in n.finditer(re.escape(q))]
