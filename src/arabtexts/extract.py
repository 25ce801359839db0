"""Extraction primitives: dates, numbers, quotations, enumerated items and named entities.

Every extractor takes the text *as given* (normally the raw layer), searches a normalised copy
of it (tatweel, diacritics and hamzated alef forms removed, Arabic-Indic digits made Western;
see :func:`arabtexts.normalize.normalize`) and maps each hit back, so that for every
:class:`Match` ``m`` returned for ``text``::

    text[m.start:m.end] == m.text

>>> raw = "عُقدت الجولة الثانية في 19 أغســطس 2020 بحضور 2,500 جندي"
>>> [(m.kind, m.value, m.text) for m in find_dates(raw) + find_numbers(raw)]
[('date', '2020-08-19', '19 أغســطس 2020'), ('number', 2500, '2,500 جندي')]

Conventions (documented once, used by every function):

- **Dates** have an ISO value, or a *partial ISO* value where parts are unknown: ``"2021"``
  (year), ``"2021-07"`` (month and year), ``"XXXX-12-31"`` (day and month, no year),
  ``"XXXX-08"`` (month only), ``"XXXX"`` (a year whose digits were lost). ``extra`` says what
  was printed, the precision, the month-name system and whether digits were lost.
- **Numbers**: by default only *figures* (quantities) are returned. Footnote markers such as
  ⁽¹⁾ are never numbers (superscript digits are not matched at all); «(1)» markers, page and
  issue numbers, list markers, years and the digits inside dates get a ``role`` other than
  ``"figure"`` and are returned only with ``find_numbers(text, keep_all=True)``.
- **Quotations** carry the nearest plausible speaker found before them (reporting verb + the
  name or role next to it) and a heuristic ``quote_type``: ``"speech"``, ``"term"`` (a name,
  title or term in quotation marks) or ``"title"`` (a quoted title in a reference).
- **Enumerations** are line-start items; consecutive items of one marker style form a list.
- **Entities** come from a gazetteer (columns ``id``, ``variant``, ``type``).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from .normalize import normalize

__all__ = [
    "Match",
    "find_dates",
    "find_numbers",
    "find_quotes",
    "find_enumerations",
    "find_entities",
    "matches_frame",
    "MONTHS",
    "MONTH_SYSTEMS",
]


@dataclass(frozen=True)
class Match:
    """One extracted item with its ``[start, end)`` span in the text it was found in.

    ``kind`` is ``"date"``, ``"number"``, ``"quote"``, ``"item"`` or ``"entity"``; ``value`` is
    the normalised value (ISO string, int/float, quoted words, item text, entity id);
    ``text == source[start:end]``; ``extra`` holds kind-specific details.

    >>> m = find_dates("في 7 نيسان 2021")[0]
    >>> m.kind, m.value, m.text, (m.start, m.end)
    ('date', '2021-04-07', '7 نيسان 2021', (3, 15))
    """

    kind: str
    value: object
    start: int
    end: int
    text: str
    extra: dict = field(default_factory=dict, hash=False, compare=False)


# ----------------------------------------------------------------------------- helpers

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _norm(text: str):
    """The normalised text with its offset map (alef folded, digits Western)."""
    return normalize(text, with_map=True)


def _fold(s: str) -> str:
    return normalize(s)


def _alt(words) -> str:
    """A regex alternation of normalised words, longest first, spaces as ``\\s+``."""
    forms = sorted({_fold(w) for w in words}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(p) for p in f.split()) for f in forms)


def _span(n, s: int, e: int) -> tuple[int, int]:
    """Raw span of a normalised span, with trailing diacritics and tatweel of its last word
    («عاماً» keeps its tanwin, «يــناير» its kashida)."""
    rs, re_ = n.raw_span(s, e)
    src = n.source
    if e > s:
        while re_ < len(src) and (src[re_] == "\u0640" or unicodedata.category(src[re_]) == "Mn"):
            re_ += 1
    return rs, re_


def _make(kind, value, n, s, e, extra) -> Match:
    rs, re_ = _span(n, s, e)
    return Match(kind, value, rs, re_, n.source[rs:re_], extra)


def _overlaps(s, e, spans) -> bool:
    return any(s < b and a < e for a, b in spans)


# ----------------------------------------------------------------------------- dates

#: month names as printed -> (month number, system); both spellings where both are common
MONTHS: dict[str, tuple[int, str]] = {
    "يناير": (1, "gregorian"), "فبراير": (2, "gregorian"), "مارس": (3, "gregorian"),
    "أبريل": (4, "gregorian"), "إبريل": (4, "gregorian"), "ابريل": (4, "gregorian"),
    "مايو": (5, "gregorian"), "يونيو": (6, "gregorian"), "يونيه": (6, "gregorian"),
    "يوليو": (7, "gregorian"), "يوليه": (7, "gregorian"), "أغسطس": (8, "gregorian"),
    "اغسطس": (8, "gregorian"), "سبتمبر": (9, "gregorian"), "أكتوبر": (10, "gregorian"),
    "اكتوبر": (10, "gregorian"), "نوفمبر": (11, "gregorian"), "ديسمبر": (12, "gregorian"),
    "كانون الثاني": (1, "levantine"), "كانون ثاني": (1, "levantine"),
    "شباط": (2, "levantine"), "آذار": (3, "levantine"), "نيسان": (4, "levantine"),
    "أيار": (5, "levantine"), "حزيران": (6, "levantine"), "تموز": (7, "levantine"),
    "آب": (8, "levantine"), "أيلول": (9, "levantine"),
    "تشرين الأول": (10, "levantine"), "تشرين أول": (10, "levantine"),
    "تشرين الثاني": (11, "levantine"), "تشرين ثاني": (11, "levantine"),
    "كانون الأول": (12, "levantine"), "كانون أول": (12, "levantine"),
}
#: «أكتوبر» whose first letter the PDF line-breaking moved away; accepted only when paired
#: display names of the two month-name systems (the codes of ``MONTHS`` and of
#: ``extra["system"]``). Both name the months of the same (Gregorian) calendar; the course
#: calls them by where they are used.
MONTH_SYSTEMS: dict[str, dict[str, str]] = {
    "gregorian": {"en": "Egyptian/Gulf names (يناير…)", "ar": "الأسماء المصرية/الخليجية (يناير…)"},
    "levantine": {"en": "Levantine/Iraqi names (كانون الثاني…)",
                  "ar": "الأسماء الشامية/العراقية (كانون الثاني…)"},
}
_DAMAGED_MONTHS = {"كتوبر": (10, "gregorian")}
_MONTH_LOOKUP = {re.sub(r"\s+", " ", _fold(k)): v for k, v in {**MONTHS, **_DAMAGED_MONTHS}.items()}

_ENGLISH_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

_MALT = _alt(list(MONTHS) + list(_DAMAGED_MONTHS))
_YEAR = r"(?:1[89]|20)\d\d"
_DATE_RX = re.compile(
    rf"(?:(?<![\d.,])(?P<day>\d{{1,2}})\s+)?"
    rf"(?<!\w)(?P<pre>[وب](?=\S))?(?P<m1>{_MALT})(?!\w)"
    rf"(?:[ \t]*[/\\(][ \t]*(?P<m2>{_MALT})(?!\w)(?:[ \t]*\))?)?"
    rf"(?:[ \t]*[،,]?\s*(?:(?:عام|سنه|سنة|لعام)\s+)?(?P<year>{_YEAR})(?![\d]))?"
)
_EN_RX = re.compile(
    r"(?<![\w])(?:(?P<d1>\d{1,2})\s+)?(?P<m>" + "|".join(sorted(_ENGLISH_MONTHS, key=len, reverse=True))
    + r")\.?(?![A-Za-z])(?:\s+(?P<d2>\d{1,2})(?!\d))?,?(?:\s+(?P<y>" + _YEAR + r")(?!\d))?",
    re.IGNORECASE,
)
_RELATIVE_RX = re.compile(r"[ \t]+(?P<rel>ال(?:ماضي|مقبل|جاري|حالي|قادم)(?:ه|ة)?)(?!\w)")
_RELATIVE = {"الماضي": "past", "المقبل": "next", "القادم": "next", "الجاري": "current",
             "الحالي": "current"}
_BARE_CONTEXT = {_fold(w) for w in (
    "في", "شهر", "منذ", "حتى", "خلال", "مطلع", "منتصف", "نهاية", "أواخر", "أوائل", "بداية",
    "من", "إلى", "بين", "قبل", "بعد", "بحلول", "وفي", "ففي")}
_YEAR_CONTEXT = {_fold(w) for w in (
    "عام", "العام", "عامي", "لعام", "بعام", "سنة", "السنة", "منذ", "مطلع", "نهاية", "بنهاية",
    "بداية", "منتصف", "حتى", "بعد", "قبل", "خلال", "في", "من", "إلى", "حلول", "بحلول", "أواخر",
    "أوائل", "ومنذ", "وفي", "ففي", "وحتى")}
_LOST_YEAR_RX = re.compile(r"(?<!\w)(?P<w>(?:ال|ل)?عام)[ \t]+(?=[،,])")


def _parse_reference(reference):
    if reference is None:
        return None, None
    parts = str(reference).split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return year, month


def _iso(year, month, day) -> str:
    y = f"{year:04d}" if year else "XXXX"
    if month is None:
        return y
    s = f"{y}-{month:02d}"
    return f"{s}-{day:02d}" if day else s


def _prev_word(ntext: str, pos: int) -> str:
    m = re.search(r"(\w+)[^\w\n]*$", ntext[max(0, pos - 40):pos])
    return m.group(1) if m else ""


def find_dates(text: str, *, reference=None) -> list[Match]:
    """Find dates: day/month/year in both month-name systems, paired forms and bare years.

    Month names may be Gregorian-derived (يناير … ديسمبر) or Levantine/Iraqi (كانون الثاني …
    كانون الأول), alone or paired («يناير/ كانون الثاني»), with or without day and year;
    digits may be Western or Arabic-Indic; tatweel inside names is ignored. A bare month needs
    a date context (a preposition such as «في»/«منذ», a word like «الماضي» after it, or visibly
    lost digits) so that the verb «مارس» is not taken for March. Bare years are found after
    words such as «عام», «منذ», «نهاية» and in ranges «(2014 – 2021)». English dates of
    references («July 10, 2025», «7 Feb 2012») are found too (``system="english"``).

    ``value`` is ISO or partial ISO (see the module docstring). ``extra`` has ``printed``,
    ``precision`` (``"day"``/``"month"``/``"year"``), ``system`` (``"gregorian"``,
    ``"levantine"``, ``"paired"``, ``"english"`` or ``None`` for a bare year), ``year``,
    ``month``, ``day``, ``lost_digits`` (the PDF dropped the day or year: «في  أغسطس/ آب ،»),
    ``relative`` (``"past"``/``"next"``/``"current"`` for «الماضي/المقبل/الجاري»), and for
    dates without a year ``year_guess`` (the closest explicit year before it in the text, else
    the reference year). With ``reference`` (the publication date, e.g. ``"2021-07-30"``) a
    relative date gets its year: «31 ديسمبر المقبل» → ``"2021-12-31"``.

    >>> [m.value for m in find_dates("عقدت الجولة في ١١ يونيو ٢٠٢٠ ثم في 19 آب 2020")]
    ['2020-06-11', '2020-08-19']
    >>> m = find_dates("في  أغسطس/ آب ، شاركت")[0]
    >>> m.value, m.text, m.extra["system"], m.extra["lost_digits"]
    ('XXXX-08', 'أغسطس/ آب', 'paired', True)
    >>> find_dates("بحلول 31 ديسمبر المقبل", reference="2021-07-30")[0].value
    '2021-12-31'
    >>> [m.value for m in find_dates("يمارس الضغط منذ عام 2003")]
    ['2003']
    """
    n = _norm(text)
    t = n.text
    ref_year, ref_month = _parse_reference(reference)
    found: list[tuple[int, int, dict]] = []  # normalised spans + info

    for m in _DATE_RX.finditer(t):
        m1 = re.sub(r"\s+", " ", m.group("m1"))
        m2 = re.sub(r"\s+", " ", m.group("m2")) if m.group("m2") else None
        month, sys1 = _MONTH_LOOKUP[m1]
        damaged = m1 in {_fold(k) for k in _DAMAGED_MONTHS}
        if m2 is not None:
            month2, sys2 = _MONTH_LOOKUP[m2]
            if month2 != month:  # «مارس/ نيسان» is not one date: keep the first name only
                m2 = None
        if damaged and m2 is None:
            continue
        system = "paired" if m2 is not None else sys1
        day = int(m.group("day")) if m.group("day") else None
        year = int(m.group("year")) if m.group("year") else None
        start = m.start("day") if day is not None else m.start("m1")
        if day is not None and not 1 <= day <= 31:
            day, start = None, m.start("m1")
        end = m.end()
        if year is None:
            end = m.end("m2") if m2 is not None else m.end("m1")
            if m.group("m2") and m2 is not None:
                # include a closing parenthesis of «يناير (كانون الثاني)»
                close = re.match(r"[ \t]*\)", t[end:])
                if close and "(" in t[m.end("m1"):m.start("m2")]:
                    end += close.end()
        # raw check: «آب» must be written with madda (أب is «father»)
        raw_m1 = n.raw_slice(m.start("m1"), m.end("m1"))
        if m1 == "اب" and m2 is None and not raw_m1.startswith("آ"):
            continue
        relative = None
        rel = _RELATIVE_RX.match(t, end)
        if rel and year is None:
            relative = _RELATIVE.get(rel.group("rel").rstrip("هة"))
        before = t[max(0, start - 12):start]
        after = t[end:end + 4]
        lost_day = day is None and bool(
            re.search(r"(?:في|يوم)[ \t]{2,}$", before) or re.search(r"(?:^|\n)[ \t]*[,،][ \t]*$", before)
        )
        lost_year = year is None and relative is None and bool(re.match(r"[ \t]+[،,|]", after))
        if day is None and year is None and m2 is None and not (lost_day or lost_year or relative):
            if _prev_word(t, start) not in _BARE_CONTEXT:
                continue
        extra = {
            "printed": None, "precision": "day" if day else "month", "system": system,
            "year": year, "month": month, "day": day,
            "lost_digits": lost_day or lost_year, "relative": relative,
        }
        if damaged:
            extra["damaged_name"] = True
        found.append((start, end, extra))

    spans = [(s, e) for s, e, _ in found]
    # years whose digits were lost: «خلال عام ،»
    for m in _LOST_YEAR_RX.finditer(t):
        if not _overlaps(m.start("w"), m.end("w"), spans):
            found.append((m.start("w"), m.end("w"), {
                "printed": None, "precision": "year", "system": None, "year": None,
                "month": None, "day": None, "lost_digits": True, "relative": None}))
    # English dates in references
    for m in _EN_RX.finditer(t):
        d = m.group("d1") or m.group("d2")
        y = m.group("y")
        if not (d or y) or _overlaps(m.start(), m.end(), spans):
            continue
        day = int(d) if d and 1 <= int(d) <= 31 else None
        s = m.start() if m.group("d1") else m.start("m")
        e = m.end("y") if y else (m.end("d2") if m.group("d2") else m.end("m"))
        found.append((s, e, {
            "printed": None, "precision": "day" if day else "month", "system": "english",
            "year": int(y) if y else None, "month": _ENGLISH_MONTHS[m.group("m").lower()],
            "day": day, "lost_digits": False, "relative": None}))
    # ISO dates «2025-08-12» (references)
    for m in re.finditer(rf"(?<![\d\w/-])(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d\w/-])", t):
        mo, d = int(m.group("m")), int(m.group("d"))
        if 1 <= mo <= 12 and 1 <= d <= 31 and not _overlaps(m.start(), m.end(), spans):
            found.append((m.start(), m.end(), {
                "printed": None, "precision": "day", "system": "iso", "year": int(m.group("y")),
                "month": mo, "day": d, "lost_digits": False, "relative": None}))
    spans = [(s, e) for s, e, _ in found]
    # bare years in date context
    for m in re.finditer(rf"(?<![\d.,/\w])(?P<pre>و)?(?P<y>{_YEAR})(?![\d%٪]|[.,]\d|-\d)", t):
        s, e = m.start("y"), m.end("y")
        if _overlaps(s, e, spans):
            continue
        if re.match(r"\s*(?:" + _UNIT_ALT + r"|" + _SCALE_ALT + r")(?!\w)", t[e:e + 30]):
            continue
        prev = _prev_word(t, m.start())
        lead = t[max(0, m.start() - 3):m.start()]
        if prev in _ISSUE_WORDS or prev in ("رقم", "الرقم") or re.search(r"-\w", lead):
            continue
        if not (prev in _YEAR_CONTEXT or re.search(r"[(\-–]\s*$", lead)
                or (re.fullmatch(_YEAR, prev or "") and re.search(r"(?:[-–]|و)\s*$", t[max(0, s - 4):s]))):
            continue
        found.append((s, e, {
            "printed": None, "precision": "year", "system": None, "year": int(m.group("y")),
            "month": None, "day": None, "lost_digits": False, "relative": None,
            "context": prev}))
        spans.append((s, e))

    found.sort(key=lambda x: x[0])
    out: list[Match] = []
    last_year = None
    for s, e, extra in found:
        year, month, day = extra["year"], extra["month"], extra["day"]
        if year is None and month is not None:
            guess = last_year if last_year is not None else ref_year
            extra["year_guess"] = guess
            if ref_year is not None and extra["relative"]:
                rel = extra["relative"]
                if rel == "current" or ref_month is None:
                    year = ref_year
                elif rel == "past":
                    year = ref_year if month <= ref_month else ref_year - 1
                else:
                    year = ref_year if month >= ref_month else ref_year + 1
                extra["year"] = year
                extra["year_from"] = "reference"
        value = _iso(year, month, day) if extra["month"] is not None else (
            f"{year:04d}" if year else "XXXX")
        if extra["year"] is not None and not extra.get("year_from"):
            last_year = extra["year"]
        mt = _make("date", value, n, s, e, extra)
        extra["printed"] = mt.text
        out.append(mt)
    return out


# ----------------------------------------------------------------------------- numbers

_SCALES = {
    "ألف": 1e3, "الف": 1e3, "آلاف": 1e3, "ألفاً": 1e3, "ألفا": 1e3,
    "مليون": 1e6, "ملايين": 1e6, "مليوناً": 1e6, "مليونا": 1e6,
    "مليار": 1e9, "مليارات": 1e9, "ملياراً": 1e9, "مليارا": 1e9, "بليون": 1e9,
    "تريليون": 1e12,
}
_SCALE_LOOKUP = {_fold(k): v for k, v in _SCALES.items()}
_SCALE_ALT = _alt(_SCALES)
#: unit words (as printed) -> canonical unit
_UNITS = {
    "جندي": "جندي", "جنود": "جندي", "جندياً": "جندي", "جنديا": "جندي",
    "عسكري": "عسكري", "عسكريين": "عسكري", "عسكريون": "عسكري",
    "عنصر": "عنصر", "عناصر": "عنصر", "مقاتل": "مقاتل", "مقاتلين": "مقاتل",
    "مستشار": "مستشار", "مستشارين": "مستشار", "مدرب": "مدرب", "مدربين": "مدرب",
    "دولار": "دولار", "دولاراً": "دولار", "دولارا": "دولار", "دولارات": "دولار",
    "دينار": "دينار", "يورو": "يورو",
    "برميل": "برميل", "براميل": "برميل", "طن": "طن", "أطنان": "طن",
    "كيلومتر": "كيلومتر", "كم": "كيلومتر", "ميغاواط": "ميغاواط", "ميجاوات": "ميغاواط",
    "شخص": "شخص", "أشخاص": "شخص", "قتيل": "قتيل", "قتلى": "قتيل",
    "عام": "عام", "عاماً": "عام", "عاما": "عام", "أعوام": "عام", "سنة": "سنة", "سنوات": "سنة",
    "شهر": "شهر", "أشهر": "شهر", "شهور": "شهر", "يوم": "يوم", "يوماً": "يوم", "يوما": "يوم",
    "أيام": "يوم", "ساعة": "ساعة", "ساعات": "ساعة",
    "دولة": "دولة", "دول": "دولة", "مرة": "مرة", "مرات": "مرة", "قاعدة": "قاعدة",
    "قواعد": "قاعدة", "مصرف": "مصرف", "مصارف": "مصرف", "بنك": "بنك", "بنوك": "بنك",
    "هجوم": "هجوم", "هجمات": "هجوم", "صاروخ": "صاروخ", "صواريخ": "صاروخ",
    "موظف": "موظف", "موظفين": "موظف", "فدان": "فدان", "هكتار": "هكتار",
    "كيلومتر مربع": "كيلومتر مربع", "متر": "متر", "مشروع": "مشروع", "مشاريع": "مشروع",
}
# the accusative of tamyiz («فداناً», «مصرفاً») loses its tanwin in normalisation: «فدانا»
_UNITS.update({k + "ا": v for k, v in list(_UNITS.items()) if not k.endswith(("ا", "ً"))})
_UNIT_LOOKUP = {re.sub(r"\s+", " ", _fold(k)): v for k, v in _UNITS.items()}
_UNIT_ALT = _alt(_UNITS)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?"
_NUMBER_RX = re.compile(
    rf"(?<![\d.,])(?P<num>{_NUM})(?![\d])"
    rf"(?:[ \t]*[-–][ \t]*(?P<num2>{_NUM})(?![\d]))?"
    rf"(?P<pct>[ \t]*[%٪]|[ \t]+(?:في[ \t]+ال|بال)م(?:ئ|ائ)[ةه](?!\w))?"
    rf"(?:[ \t]+(?P<scale>{_SCALE_ALT})(?!\w))?"
    rf"(?:\)?[ \t]+(?:من[ \t]+)?(?P<unit>{_UNIT_ALT})(?!\w))?"
)
_WORD_NUMBERS = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3, "أربع": 4,
    "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثماني": 8,
    "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10, "عشرون": 20, "عشرين": 20,
    "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "خمسون": 50, "خمسين": 50,
    "مئة": 100, "مائة": 100, "مئتي": 200, "ألف": 1000,
}
_WNUM_LOOKUP = {_fold(k): v for k, v in _WORD_NUMBERS.items()}
_WORD_NUMBER_RX = re.compile(
    rf"(?<!\w)(?P<pre>[وب])?(?P<w>{_alt(_WORD_NUMBERS)})(?:[ \t]+(?P<teen>عشر|عشرة))?(?!\w)"
    rf"(?:[ \t]+(?P<scale>{_SCALE_ALT})(?!\w))?"
    rf"[ \t]+(?P<noun>[^\W\d_]{{2,}})"
)
_URL_RX = re.compile(r"<?(?:https?://|www\.)[^\s>]+>?")
_PAGE_WORDS = {"ص", "صفحة", "ص.", "p", "pp", "page", "pages"}
_ISSUE_WORDS = {_fold(w) for w in ("العدد", "عدد", "المجلد", "مجلد", "volume", "issue", "no", "vol")}


def _to_number(s: str):
    if re.fullmatch(r"\d+,\d{1,2}", s):  # a decimal comma: «3,5 آلاف»
        s = s.replace(",", ".")
    s = s.replace(",", "")
    return float(s) if "." in s else int(s)


def _scale(x, factor):
    v = x * factor
    return int(v) if float(v).is_integer() else v


def find_numbers(text: str, *, keep_all: bool = False) -> list[Match]:
    """Find figures: digits with separators, scale words, percentages and units.

    «2,500 جندي» → ``2500`` (unit ``"جندي"``); «5 مليارات دولار» → ``5000000000``; «3.5%» →
    ``3.5`` (``percent=True``); «80 - 85 مليار دولار» → ``80000000000`` with
    ``extra["range"] == (80000000000, 85000000000)``; Arabic-Indic digits («٢٥٠٠») are read
    too. Common number words followed by a counted noun («أربع جولات») give
    ``extra["written"] = True`` and the noun as ``unit``.

    ``extra`` has ``unit`` (canonical, e.g. ``"جندي"`` for «جنود»), ``unit_printed``,
    ``scale`` (the printed scale word), ``percent``, ``range`` and ``role``. By default only
    ``role == "figure"`` is returned. With ``keep_all=True`` you also get numbers whose role
    is ``"year"``, ``"date"`` (the digits of a date), ``"list_marker"`` («1-» at a line
    start), ``"footnote"`` («(44)» after a sentence or at a line start), ``"page"`` («ص167»,
    «p. 19»), ``"issue"`` («العدد (52)», «Volume 37»), ``"label"`` («جدول رقم (1)») and
    ``"code"`` (digits glued to Latin letters, «RRA969»). Superscript footnote markers
    (⁽¹⁾ ⁴) are never reported; numbers inside URLs neither.

    >>> [(m.value, m.extra["unit"]) for m in find_numbers("بلغت 80 - 85 مليار دولار و٢٬٥٠٠ جندي")]
    [(80000000000, 'دولار'), (2500, 'جندي')]
    >>> m = find_numbers("ارتفعت النسبة إلى 3.5 في المئة")[0]
    >>> m.value, m.text, m.extra["percent"]
    (3.5, '3.5 في المئة', True)
    >>> [m.value for m in find_numbers("العراق⁽¹⁾ في عام 2021، ص167")]
    []
    >>> [(m.value, m.extra["role"]) for m in find_numbers("العراق⁽¹⁾ في عام 2021، ص167", keep_all=True)]
    [(2021, 'year'), (167, 'page')]
    """
    n = _norm(text)
    t = n.text
    urls = [(m.start(), m.end()) for m in _URL_RX.finditer(t)]
    date_spans = []
    year_spans = []
    for d in find_dates(text):
        # map raw spans back to normalised positions (the offsets are monotonic)
        ns = _raw_to_norm(n, d.start)
        ne = _raw_to_norm(n, d.end)
        (year_spans if d.extra["precision"] == "year" else date_spans).append((ns, ne))
    out: list[Match] = []
    taken: list[tuple[int, int]] = []
    for m in _NUMBER_RX.finditer(t):
        s, e = m.start(), m.end()
        if _overlaps(s, e, urls):
            continue
        x = _to_number(m.group("num"))
        factor = _SCALE_LOOKUP[m.group("scale")] if m.group("scale") else 1
        value = _scale(x, factor)
        rng = None
        if m.group("num2"):
            rng = (value, _scale(_to_number(m.group("num2")), factor))
        unit_printed = m.group("unit")
        role = _number_role(t, m, date_spans, year_spans)
        if role != "figure" and (m.group("pct") or m.group("scale") or unit_printed):
            role = "figure" if role in ("year", "date") and not _overlaps(s, e, date_spans) else role
        if role != "figure" and m.group("num2") and role not in ("page",):
            # a range «(2008- 2016)» of years: report the first part only
            e = m.end("num")
            rng = None
        if role in ("year", "date", "page", "issue", "label", "list_marker", "footnote", "code"):
            if not (m.group("pct") or m.group("scale") or unit_printed):
                e = m.end("num2") if (rng and role == "page") else m.end("num")
        extra = {
            "role": role,
            "unit": _UNIT_LOOKUP.get(unit_printed) if unit_printed else ("%" if m.group("pct") else None),
            "unit_printed": n.raw_slice(m.start("unit"), m.end("unit")) if unit_printed else None,
            "scale": n.raw_slice(m.start("scale"), m.end("scale")) if m.group("scale") else None,
            "percent": bool(m.group("pct")),
            "range": rng,
            "written": False,
        }
        num_end = m.end("num2") if m.group("num2") else m.end("num")
        if unit_printed and t[num_end:num_end + 1] == ")" and s > 0 and t[s - 1] == "(":
            s -= 1  # «(16,000) موظف»: keep both parentheses
        taken.append((s, e))
        if keep_all or role == "figure":
            out.append(_make("number", value, n, s, e, extra))
    for m in _WORD_NUMBER_RX.finditer(t):
        s, e = m.start("w"), m.end("noun")
        if _overlaps(s, e, taken):
            continue
        value = _WNUM_LOOKUP[m.group("w")]
        if m.group("teen") and value < 10:
            value += 10
        if m.group("scale"):
            value = _scale(value, _SCALE_LOOKUP[m.group("scale")])
        noun = m.group("noun")
        if noun in _STOP_AFTER_WORD_NUMBER:
            continue
        if m.group("w") in _AMBIGUOUS_WORD_NUMBERS and not m.group("teen") and not (
                noun in _UNIT_LOOKUP or noun.endswith(("ات", "ين", "ون"))):
            continue  # «سبع» a name, «ست» lady, «خمس» a fifth, «تسع» it holds, «عشر» a tenth
        extra = {
            "role": "figure", "unit": _UNIT_LOOKUP.get(noun, noun),
            "unit_printed": n.raw_slice(m.start("noun"), m.end("noun")),
            "scale": n.raw_slice(m.start("scale"), m.end("scale")) if m.group("scale") else None,
            "percent": False, "range": None, "written": True,
        }
        out.append(_make("number", value, n, s, e, extra))
    out.sort(key=lambda mt: mt.start)
    return out


_AMBIGUOUS_WORD_NUMBERS = {_fold(w) for w in ("سبع", "ست", "خمس", "تسع", "عشر", "ثماني")}
_STOP_AFTER_WORD_NUMBER = {_fold(w) for w in (
    "في", "من", "على", "إلى", "عن", "أو", "و", "ثم", "التي", "الذي", "مع", "هو", "هي", "لا")}


def _raw_to_norm(n, raw_pos: int) -> int:
    """The first normalised index whose raw character is at or after ``raw_pos``."""
    return bisect.bisect_left(n.offsets, raw_pos, 0, len(n.text))


def _number_role(t: str, m, date_spans, year_spans) -> str:
    s, e = m.start(), m.end("num")
    if _overlaps(s, e, date_spans):
        return "date"
    before = t[max(0, s - 20):s]
    line_start = t.rfind("\n", 0, s) + 1
    lead = t[line_start:s]
    num = m.group("num")
    if re.fullmatch(r"[ \t\-*]*\(?", lead) and re.match(r"\)?[ \t]*[-.)–]?", t[e:e + 2]) and (
            re.match(r"[ \t]*[-.)–]", t[e:e + 2]) or lead.endswith("(")):
        return "list_marker" if not lead.endswith("(") else "footnote"
    if re.match(r"[ \t]*\t", t[e:e + 1]) and not lead.strip():
        return "list_marker"  # the first cell of a table row
    if re.search(r"[A-Za-z]-?$", before) or re.match(r"[A-Za-z]", t[m.end("num"):m.end("num") + 1]):
        if not re.search(r"(?:^|\W)(?:p|pp)\.?\s*$", before, re.IGNORECASE):
            return "code"
    word = re.search(r"(\w+)\.?[ \t]*\(?[ \t]*$", before)
    wbefore = word.group(1) if word else ""
    if wbefore.lower() in _PAGE_WORDS or re.search(r"ص\.?\s*$", before):
        return "page"
    if wbefore.lower() in _ISSUE_WORDS:
        return "issue"
    if wbefore in ("رقم", "الرقم"):
        return "label"
    if before.endswith("(") and t[e:e + 1] == ")" and re.search(r"[.،,:؛][ \t]*\($", before):
        return "footnote"
    if _overlaps(s, e, year_spans) or (
            re.fullmatch(r"(?:1[89]|20)\d\d", num) and not m.group("pct") and not m.group("scale")
            and not m.group("unit")):
        return "year"
    return "figure"


# ----------------------------------------------------------------------------- quotations

_VERBS = [
    "قال", "قالت", "يقول", "تقول", "أكد", "أكدت", "يؤكد", "تؤكد", "مؤكداً", "مؤكدا", "أوضح",
    "أوضحت", "يوضح", "توضح", "أضاف", "أضافت", "يضيف", "تضيف", "مضيفاً", "مضيفا", "صرح",
    "صرحت", "يصرح", "تصريح", "تصريحه", "تصريحها", "تصريحات", "يرى", "ترى", "رأى", "يعتقد",
    "تعتقد", "يشير", "تشير", "أشار", "أشارت", "مشيراً", "مشيرا", "يستبعد", "استبعد", "ذكر",
    "ذكرت", "يذكر", "بحسب", "وفق", "وفقاً", "وفقا", "حسب", "شدد", "يشدد", "مشدداً", "مشددا",
    "أعلن", "أعلنت", "يعلن", "نفى", "نفت", "ينفي", "هدد", "يهدد", "دعا", "يدعو", "طالب",
    "يطالب", "يصف", "وصف", "اعتبر", "يعتبر", "ينوه", "نوه", "يبين", "يرجح", "رجح", "حذر",
    "يحذر", "أفاد", "يفيد", "كتب", "يكتب", "أشار", "قائلاً", "قائلا",
]
_WEAK_VERBS = {_fold(w) for w in (
    "تصريح", "تصريحه", "تصريحها", "تصريحات", "بحسب", "حسب", "وفق", "وفقاً", "وفقا")}
_VERB_RX = re.compile(rf"(?<!\w)(?P<pre>[وف]|وك|ك)?(?P<verb>{_alt(_VERBS)})(?!\w)")
_SPEAKER_STOP = {_fold(w) for w in (
    "أن", "أنّ", "إن", "بأن", "أنه", "إنه", "بأنه", "على", "إلى", "في", "خلال", "عن", "من",
    "قائلا", "قائلاً", "أمس", "اليوم", "إذ", "لـ", "ل", "مع", "بشأن", "حول", "أيضا", "أيضًا",
    "فيها", "فيه", "كما", "ذلك", "هذا", "هذه", "التي", "الذي", "وهو", "هو", "هي", "أنّ")}
_TITLE_CUES = {_fold(w) for w in (
    "الموسوم", "بعنوان", "عنوان", "كتاب", "مقال", "دراسة", "صحيفة", "موقع", "لموقع", "قناة",
    "مؤتمر", "قمة", "حركة", "عملية", "مبادرة", "مشروع", "اتفاقية", "يعرف", "يسمى", "تسمى",
    "مسمى", "شعار", "مجلة", "بـ", "لـ", "المصطلح", "مفهوم", "مركز")}
_PAIR_CLASSES = ("“”", '"')


def _paragraphs(text: str):
    pos = 0
    for m in re.finditer(r"\n[ \t]*\n", text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _quote_spans(text: str):
    """(open, close) index pairs of quotation marks in the raw text."""
    spans = []
    for m in re.finditer(r"«([^«»]{1,2000}?)»", text):
        spans.append((m.start(), m.end() - 1, "«»"))
    for ps, pe in _paragraphs(text):
        for chars in _PAIR_CLASSES:
            marks = [i for i in range(ps, pe) if text[i] in chars]
            for a, b in zip(marks[0::2], marks[1::2]):
                if not _overlaps(a, b + 1, [(s, e + 1) for s, e, _ in spans]):
                    spans.append((a, b, chars))
    spans.sort()
    return spans


def _sentence_start(t: str, pos: int, back: int = 2) -> int:
    """Start of the sentence ``back - 1`` sentences before the one containing ``pos``."""
    ends = [m.end() for m in re.finditer(r"[.!?؟]\s|\n[ \t]*\n", t[:pos])]
    if len(ends) >= back:
        return ends[-back]
    return 0


def _speaker_after(t: str, pos: int):
    """Words naming the speaker right after a reporting verb (normalised positions)."""
    words = list(re.finditer(r"[^\s،,:؛.“”\"«»]+|[،,:؛.“”\"«»]", t[pos:pos + 120]))
    picked: list[tuple[int, int]] = []
    commas = 0
    for w in words:
        tok = w.group()
        if tok in "،,":
            if not picked or commas >= 2:
                break
            commas += 1
            continue
        if tok in ":؛.“”\"«»" or _fold(tok) in _SPEAKER_STOP or tok.startswith("لـ"):
            break
        if re.match(r"(?:في|ل)?حديث", tok) or tok.startswith("تصريح"):
            break
        if len(picked) >= 8:
            break
        picked.append((pos + w.start(), pos + w.end()))
    if not picked:
        return None
    return picked[0][0], picked[-1][1]


def find_quotes(text: str) -> list[Match]:
    """Find quotations in “ ”, « » and straight "…" with the nearest plausible speaker.

    The speaker is looked for backwards in the same and the previous sentence: the closest
    reporting verb (قال، أكد، يؤكد، أوضح، أضاف، صرح، يرى، يعتقد، يشير، أشار، يستبعد، ذكر،
    بحسب، وفق …) and the name or role after it («قال متحدث البنتاغون، الجنرال باتريك
    رايدر»), or the word before it («أن بايدن أشار»). A quotation without its own speaker
    inherits the speaker of an earlier quotation in the same paragraph
    (``speaker_inherited=True``).

    ``value`` is the quoted words; ``text``/``start``/``end`` include the quotation marks.
    ``extra``: ``speaker`` (as printed, or ``None``), ``speaker_span`` (raw ``(s, e)`` or
    ``None``), ``verb`` (as printed), ``marks`` («“”», ««»» or «"»), ``quote_type``
    (``"speech"``, ``"term"`` for short names/terms such as “نون بوست”, ``"title"`` in
    reference lines), ``n_words``.

    >>> q = find_quotes('وأكد تولر أنّ "هناك جهات تريد عرقلة الانتخابات".')[0]
    >>> q.value, q.extra["speaker"], q.extra["verb"], q.extra["quote_type"]
    ('هناك جهات تريد عرقلة الانتخابات', 'تولر', 'وأكد', 'speech')
    >>> q = find_quotes("في حديثه لموقع «نون بوست»")[0]
    >>> q.value, q.extra["quote_type"]
    ('نون بوست', 'term')
    """
    n = _norm(text)
    t = n.text
    out: list[Match] = []
    last_speaker: dict[int, tuple] = {}
    for ra, rb, marks in _quote_spans(text):
        inner = text[ra + 1:rb]
        value = " ".join(inner.split())
        if not value.strip():
            continue
        na, nb = _raw_to_norm(n, ra), _raw_to_norm(n, rb)
        ctx_start = _sentence_start(t, na)
        window = t[ctx_start:na]
        verbs = list(_VERB_RX.finditer(window))
        speaker = speaker_span = verb = None
        verb_pos = -1
        if verbs:
            # a verb («قال») beats a noun or preposition of reporting («تصريحات», «بحسب»)
            proper = [v for v in verbs if v.group("verb") not in _WEAK_VERBS]
            v = (proper or verbs)[-1]
            vs, ve = ctx_start + v.start(), ctx_start + v.end()
            verb_pos = vs
            verb = n.raw_slice(vs, ve)
            sp = _speaker_after(t, ve)
            if sp is None and v.group("verb") not in {_fold(x) for x in ("بحسب", "وفق", "حسب", "وفقا")}:
                prev = re.search(r"([^\W\d_]{2,})[ \t]+$", t[max(0, vs - 30):vs])
                if prev and _fold(prev.group(1)) not in _SPEAKER_STOP:
                    ps = vs - len(t[max(0, vs - 30):vs]) + prev.start(1)
                    sp = (ps, ps + len(prev.group(1)))
            if sp is not None and sp[1] <= na:
                speaker_span = _span(n, *sp)
                speaker = text[speaker_span[0]:speaker_span[1]]
        n_words = len(value.split())
        para = text.rfind("\n\n", 0, ra)
        ls, le = text.rfind("\n", 0, ra) + 1, text.find("\n", rb)
        line = text[ls:le if le != -1 else len(text)]
        cue = _prev_word(t, na)
        if re.match(r"[ \t\-*⁽(]*[\d⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}", line) and re.search(_YEAR, line) and re.search(
                r"ص ?\d|p\. ?\d|[Aa]ccessed|تم الدخول|مجلة|[Jj]ournal|https?://|op\. cit", line):
            qtype = "title"
        elif not re.search(r"[\u0621-\u064A]", value):
            qtype = "term"
        elif n_words <= 3 and (cue in _TITLE_CUES or cue.startswith("ل") or speaker is None
                               or t[na - 2:na].endswith("ـ")):
            qtype = "term"
        elif n_words <= 2:
            qtype = "term"
        elif speaker is None and verb is None and n_words <= 4:
            qtype = "term"
        else:
            qtype = "speech"
        if qtype != "speech" and speaker is not None and (
                cue in _TITLE_CUES or cue.startswith("ل") or verb_pos < _sentence_start(t, na, 1)):
            speaker = speaker_span = None  # «لموقع “نون بوست”»: a name, not a saying
        inherited = False
        if qtype == "speech" and speaker is None and para in last_speaker:
            speaker, speaker_span = last_speaker[para]
            inherited = True
        if qtype == "speech" and speaker is not None and not inherited:
            last_speaker[para] = (speaker, speaker_span)
        extra = {
            "speaker": speaker,
            "speaker_span": speaker_span, "verb": verb, "marks": marks,
            "quote_type": qtype, "n_words": n_words, "speaker_inherited": inherited,
        }
        out.append(Match("quote", value, ra, rb + 1, text[ra:rb + 1], extra))
    return out


# ----------------------------------------------------------------------------- enumerations

_ORDINALS = ["أولاً", "ثانياً", "ثالثاً", "رابعاً", "خامساً", "سادساً", "سابعاً", "ثامناً",
             "تاسعاً", "عاشراً"]
_ORD_INDEX = {_fold(w): i + 1 for i, w in enumerate(_ORDINALS)}
_ITEM_RX = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]*)?)(?P<marker>"
    r"(?P<num>\d{1,3})[ \t]*(?P<sep>[-.)–])(?!\d)[ \t]*"
    r"|\((?P<pnum>\d{1,3})\)[ \t]*"
    r"|(?P<sup>⁽?[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾?)[ \t]*"
    rf"|(?P<ord>{_alt(_ORDINALS)})[ \t]*[:\-–][ \t]*"
    r"|(?P<bullet>[–•▪●◦*\-])[ \t]+"
    r")(?P<body>\S[^\n]*?)[ \t]*$",
    re.MULTILINE,
)


def find_enumerations(text: str) -> list[Match]:
    """Find enumerated items at line starts and group them into lists.

    Markers: «1- », «1. », «1) », «(1) », superscript footnote numbers «⁽⁵⁾», ordinals
    «أولاً:» … «عاشراً:», and bullets «– », «• », «- ». Items of one marker style whose
    numbers follow on (1, 2, 3 …) form one list even when paragraphs stand between them
    (as in 003); a «1» starts a new list. Footnotes numbered «(11)» and «⁽¹²⁾» continue each
    other (002 mixes both). Bullets form one list while they are on consecutive
    lines (blank lines allowed).

    ``value`` is the item text after the marker; ``text`` is the whole item line.
    ``extra``: ``marker`` (as printed), ``index`` (1-based; for bullets the position in the
    list), ``list_id`` (0, 1, … in order of appearance), ``style`` (``"dash"``, ``"dot"``,
    ``"paren"``, ``"footnote"``, ``"ordinal"``, ``"bullet"``) and ``title`` (the words
    before a colon at the start of the item, or ``None``).

    >>> items = find_enumerations("التحديات:\\n1- مدى استجابة إيران: نص\\n\\n2- موقف الميليشيات: نص")
    >>> [(m.extra["index"], m.extra["title"], m.extra["list_id"]) for m in items]
    [(1, 'مدى استجابة إيران', 0), (2, 'موقف الميليشيات', 0)]
    >>> [m.extra["index"] for m in find_enumerations("أولاً: إيران\\nثانياً: تركيا")]
    [1, 2]
    """
    n = _norm(text)
    t = n.text
    out: list[Match] = []
    open_lists: dict[str, tuple[int, int]] = {}  # style -> (list_id, last index)
    next_id = 0
    last_bullet_end = None  # end of the previous item if it was a bullet
    bullet_key = None
    for m in _ITEM_RX.finditer(t):
        if m.group("num"):
            idx = int(m.group("num"))
            style = {"-": "dash", "–": "dash", ".": "dot", ")": "paren"}[m.group("sep")]
        elif m.group("pnum"):
            idx, style = int(m.group("pnum")), "paren"
        elif m.group("sup"):
            idx = int(m.group("sup").strip("⁽⁾").translate(_SUPERSCRIPT))
            style = "footnote"
        elif m.group("ord"):
            idx, style = _ORD_INDEX[m.group("ord")], "ordinal"
        else:
            style = "bullet"
            idx = None
        if style == "bullet":
            between = t[last_bullet_end:m.start()] if last_bullet_end is not None else None
            contiguous = (between is not None and not re.search(r"\S", between)
                          and bullet_key == m.group("bullet"))
            if contiguous and "bullet" in open_lists:
                lid, last = open_lists["bullet"]
                idx = last + 1
            else:
                lid, idx = next_id, 1
                next_id += 1
            open_lists["bullet"] = (lid, idx)
            last_bullet_end = m.end()
            bullet_key = m.group("bullet")
        else:
            family = "notes" if style in ("paren", "footnote") else style
            if idx != 1 and family in open_lists and open_lists[family][1] + 1 == idx:
                lid = open_lists[family][0]
            else:
                lid = next_id
                next_id += 1
            open_lists[family] = (lid, idx)
            last_bullet_end = None
        ms = m.start("marker")
        body_s, body_e = m.start("body"), m.end("body")
        raw_ms, raw_e = _span(n, ms, body_e)
        raw_bs, raw_be = _span(n, body_s, body_e)
        body = text[raw_bs:raw_be]
        value = body.replace("**", "").strip()
        title = None
        colon = re.match(r"([^:：\n]{2,80}?)[ \t]*[:：]", value)
        if colon and style != "footnote":
            title = colon.group(1).strip()
        marker = text[raw_ms:raw_bs].strip()
        out.append(Match("item", value, raw_ms, raw_e, text[raw_ms:raw_e], {
            "marker": marker, "index": idx, "list_id": lid, "style": style, "title": title}))
    return out


# ----------------------------------------------------------------------------- entities

_CLITICS = r"(?:[وف]?(?:ب|ك|ل)?)"


def find_entities(text: str, gazetteer: pd.DataFrame) -> list[Match]:
    """Find gazetteer names in the text (normalised matching, longest variant first).

    ``gazetteer`` has the columns ``id`` (canonical id), ``variant`` (a spelling as it may
    be printed) and ``type`` (person, organization, place …). Matching ignores tatweel,
    diacritics, hamza forms of alef, ى/ي and ة/ه; a variant may carry the proclitics و ف ب ك
    ل («وبغداد», «للعراق» for «العراق»). The span covers the whole printed word including
    proclitics; ``extra`` has ``type``, ``variant`` (the gazetteer variant matched) and
    ``prefix`` (the proclitics as printed, ``""`` if none). Overlapping variants: the longest
    wins («الولايات المتحدة الأمريكية» before «الولايات المتحدة»).

    >>> gaz = pd.DataFrame({"id": ["iraq", "usa", "usa"],
    ...                     "variant": ["العراق", "الولايات المتحدة", "واشنطن"],
    ...                     "type": ["place", "place", "place"]})
    >>> [(m.value, m.text) for m in find_entities("زار واشنطــن وتحدث عن العراق وللعراق", gaz)]
    [('usa', 'واشنطــن'), ('iraq', 'العراق'), ('iraq', 'وللعراق')]
    """
    opts = dict(alef_maqsura=True, taa_marbuta=True)

    def key(s: str) -> str:  # lower-case, but never change the length («İ».lower() is 2 chars)
        return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)

    n = normalize(text, with_map=True, **opts)
    t = n.text
    table: dict[str, tuple] = {}
    for row in gazetteer[["id", "variant", "type"]].itertuples(index=False):
        v = normalize(str(row.variant), **opts).strip()
        v = re.sub(r"\s+", " ", v)
        if len(v) < 2:
            continue
        table.setdefault(key(v), (row.id, row.type, row.variant))
        if v.startswith("ال") and len(v) > 3:
            table.setdefault("لل" + key(v[2:]), (row.id, row.type, row.variant))  # للعراق
    if not table:
        return []
    alt = "|".join(
        r"\s+".join(re.escape(p) for p in v.split()) for v in sorted(table, key=len, reverse=True))
    rx = re.compile(rf"(?<!\w)(?P<pre>{_CLITICS})(?P<name>{alt})(?!\w)", re.IGNORECASE)
    out: list[Match] = []
    pos = 0
    while True:
        m = rx.search(t, pos)
        if m is None:
            break
        name = key(re.sub(r"\s+", " ", m.group("name")))
        if name not in table:  # the clitic group swallowed a letter of the name: retry bare
            m2 = re.compile(rf"(?<!\w)(?P<pre>)(?P<name>{alt})(?!\w)", re.IGNORECASE).match(t, m.start())
            if m2 is None:
                pos = m.start() + 1
                continue
            m = m2
            name = key(re.sub(r"\s+", " ", m.group("name")))
        ident, typ, variant = table[name]
        s, e = m.start(), m.end()
        rs, re_ = _span(n, s, e)
        prefix = n.raw_slice(m.start("pre"), m.end("pre")) if m.group("pre") else ""
        if name.startswith("لل") and not normalize(str(variant), **opts).startswith("لل"):
            prefix = prefix + "ل"  # «للعراق» is ل + العراق
        out.append(Match("entity", ident, rs, re_, text[rs:re_],
                         {"type": typ, "variant": variant, "prefix": prefix}))
        pos = e
    return out


# ----------------------------------------------------------------------------- frames

_BASE = ["kind", "value", "start", "end", "text"]


def matches_frame(matches) -> pd.DataFrame:
    """A DataFrame of matches: ``kind, value, start, end, text`` and one column per extra key.

    Extra keys that collide with a base column get the prefix ``extra_``.

    >>> df = matches_frame(find_dates("في 30 حزيران 2011 و 15 كانون الأول 2010"))
    >>> df[["value", "text", "system"]].values.tolist()
    [['2011-06-30', '30 حزيران 2011', 'levantine'], ['2010-12-15', '15 كانون الأول 2010', 'levantine']]
    """
    rows = []
    for m in matches:
        row = {"kind": m.kind, "value": m.value, "start": m.start, "end": m.end, "text": m.text}
        for k, v in m.extra.items():
            row[f"extra_{k}" if k in _BASE else k] = v
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=_BASE)
    df = pd.DataFrame(rows)
    df["value"] = df["value"].astype(object)
    return df
