"""Repair of PDF-extraction damage: the ``data/clean/`` and ``data/clean/annotated/`` layers.

Three texts of the corpus (000, 001, 004) were extracted from PDFs. The extractor cut each
printed line into *chunks* and wrote the chunks of a line in reverse order, separated by a
space. A cut can fall inside a word, so the first letter(s) of a word end up at the END of the
line: the printed line «وزيارات عديدة شهدتها العاصمة بغداد.» came out as
«يارات عديدة شهدتها العاصمة بغداد. وز». With three chunks the order is fully reversed:
«زيـارة …» came out as «ــارة … في ي ز» (chunks «ز», «ي», «ــارة …»).

What this module does, line by line, deterministically:

1. **Word fragments are rejoined** (``kind="join"``). A chunk boundary inside a word is
   recognised when a token starts with tatweel (no Arabic word does), or when the fragment at
   the end of the line glued to the piece at the start gives a word that the corpus uses and
   the pieces on their own are not words the corpus uses (counts from the interior of lines
   of all five texts, so line edges never vouch for themselves). A line ending in a real
   one-letter word such as «و» is not glued when both halves are words on their own.
2. **Segment order** (``kind="reorder"``): chunks are put back in reading order. Where only
   the fragment is known to be rotated, only the fragment moves (the word is right, the rest
   of the line keeps its printed order). A longer rotated segment is moved only when the line
   shows a reliable rotation point: sentence-final punctuation (``.`` ``؟`` ``!``) or a run of
   two or more spaces in the middle of a line that ends a paragraph, or chunks delimited by
   tatweel-initial tokens. A leading «.»/«،» (punctuation that belonged to a lost number at
   the end of the line) is moved to the end and a trailing dash bullet «–» to the start.
3. **Chunk order by how well it reads** (:mod:`arabtexts.repair.order`): for a line of
   running text that shows a cut, every chunking with one cut the line does not show is
   scored between its neighbouring lines by statistics learnt from the *other* texts of the
   corpus (leave one text out), and the best reading replaces the one of step 2 when it
   reads clearly better (``kind="reorder"``, with a ``note``). ``order_lines=False`` skips
   this step. Measured on the whole-line labelled set ``data/repair_lines.csv`` by
   :mod:`arabtexts.repair.measure`.
4. **Hard-wrapped lines are joined into paragraphs**; headings (short lines after a
   paragraph end) become their own paragraphs; runs of blank lines (page breaks) are dropped
   (``kind="noise"``). The PDF template separates the last line of each paragraph by a blank
   line, so a single blank line is bridged when the paragraph had not ended and the next line
   is itself a paragraph's last line, or when the line before it fills the measure with no
   sentence end anywhere in it (:func:`_runs_on`: a page break inside a sentence).

Nothing else changes: tatweel, diacritics, punctuation and the spaces left by lost digits
(«خلال عام ،», «في  مارس») stay as printed, because normalisation is a separate layer and
lost numbers are *marked*, never filled (:func:`annotate_lost_digits`).

Texts that are not hard-wrapped (002 and 003, one paragraph per line) are returned
unchanged.

>>> r = repair_text("يارات عديدة شهدتها العاصمة بغداد. وز")
>>> r.text
'وزيارات عديدة شهدتها العاصمة بغداد.'
>>> r.raw_slice(0, 7)            # «وزيارات» comes from two places of the raw line
'يارات عديدة شهدتها العاصمة بغداد. وز'
>>> [(f.kind, f.word) for f in r.fixes]
[('join', 'وزيارات')]

Run ``python -m arabtexts.repair`` to rebuild ``data/clean/`` and ``data/clean/annotated/``.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..paths import data_dir

TATWEEL = "\u0640"
#: the visible marker inserted by :func:`annotate_lost_digits` where a number was lost
MARKER = "⟦؟رقم⟧"
#: sentence-final punctuation
TERMINAL = ".؟!"
_DIACRITICS = re.compile("[\u064B-\u0652\u0670]")
_NONLETTER_EDGES = re.compile(r"^[^\u0621-\u064A]+|[^\u0621-\u064A]+$")
#: letters that never join the following letter: a PDF chunk may be cut right after them
_NON_JOINING = set("اأإآدذرزوؤةى")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_SUFFIXES = ("هما", "هم", "ها", "ه", "نا", "ي")
_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "و", "ف", "ب", "ل", "ك")


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Repair:
    """One fix made by the repairer.

    ``kind`` is ``"join"`` (a word rejoined from fragments), ``"reorder"`` (a rotated
    segment or punctuation moved back), ``"noise"`` (page-break blank lines dropped) or, in
    :attr:`Repaired.kept` only, ``"kept"`` (a line left in its order although another order
    read a little better). ``note`` says why the order step decided as it did.
    ``start``/``end`` is the raw span of the printed line (or blank run) the fix touches,
    ``before`` is that raw text, ``after`` what the line became; ``word`` is the rejoined word
    for joins; ``line_no`` counts raw lines from 0.
    """

    kind: str
    start: int
    end: int
    before: str
    after: str
    line_no: int
    word: str = ""
    note: str = ""


@dataclass(frozen=True)
class Repaired:
    """A repaired text with its map back to the raw text.

    ``offsets[i]`` is the raw index of ``text[i]`` (a space inserted to join two lines maps to
    the raw line break it replaces); ``offsets[len(text)] == len(source)``.
    """

    text: str
    source: str
    offsets: tuple[int, ...]
    fixes: tuple[Repair, ...] = field(default=(), repr=False)
    #: lines left in their order although another order read a little better (kind "kept")
    kept: tuple[Repair, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return self.text

    def __len__(self) -> int:
        return len(self.text)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` of the repaired text to the smallest raw span covering it.

        Rejoined words come from two places of a raw line, so the raw span can be wider than
        the word: it covers every raw character that produced the slice.

        >>> r = repair_text("كثر من مرة أ")
        >>> r.text
        'أكثر من مرة'
        >>> r.raw_span(5, 7)          # «من»
        (4, 6)
        >>> r.source[4:6]
        'من'
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside 0..{len(self.text)}")
        if start == end:
            pos = self.offsets[start]
            return pos, pos
        idx = self.offsets[start:end]
        return min(idx), max(idx) + 1

    def raw_slice(self, start: int, end: int) -> str:
        """The raw text behind ``text[start:end]`` (see :meth:`raw_span`).

        >>> repair_text("يارة الكاظمي ز").raw_slice(0, 5)
        'يارة الكاظمي ز'
        """
        s, e = self.raw_span(start, end)
        return self.source[s:e]


# --------------------------------------------------------------------------------------------
# word knowledge


def _bare(token: str) -> str:
    """Letters only, tatweel and diacritics removed, alef/yaa/taa folded (for look-ups)."""
    t = _DIACRITICS.sub("", token.replace(TATWEEL, ""))
    t = _NONLETTER_EDGES.sub("", t)
    return t.translate(_FOLD)


def looks_hard_wrapped(raw: str) -> bool:
    """True for a text laid out as printed lines (a PDF extraction), False for a web text
    with one paragraph per line. Only hard-wrapped texts are repaired.

    >>> looks_hard_wrapped("سطر قصير\\n" * 10)
    True
    >>> looks_hard_wrapped("فقرة " * 100 + "\\n" + "فقرة أخرى " * 80)
    False
    """
    lines = [ln for ln in raw.split("\n") if ln.strip()]
    if len(lines) < 5:
        return False
    long = sum(1 for ln in lines if len(ln) > 140)
    return long / len(lines) < 0.05


#: a few common words and names of the region that a small corpus may lack
EXTRA_WORDS = (
    "الرياض طهران دمشق عمان القاهرة سوريا لبنان اليمن تركيا إيران أكتوبر أكثر زيارة زيارات "
    "تقرير مزيد الأمريكي الأمريكية"
).split()


@lru_cache(maxsize=1)
def _corpus_counts() -> Counter:
    """Word counts from the five raw texts, taken only from line interiors of PDF texts,
    plus :data:`EXTRA_WORDS` (counted once each)."""
    counts: Counter = Counter(_bare(w) for w in EXTRA_WORDS)
    folder = data_dir() / "raw"
    for path in sorted(folder.glob("*.txt")):
        counts.update(_interior_words(path.read_text(encoding="utf-8")))
    return counts


def _interior_words(raw: str) -> list[str]:
    out = []
    wrapped = looks_hard_wrapped(raw)
    for line in raw.split("\n"):
        toks = line.split()
        for i, tok in enumerate(toks):
            if wrapped:
                if i == 0 or i == len(toks) - 1:
                    continue  # line edges may be fragments
                if tok.startswith(TATWEEL) or toks[i + 1].startswith(TATWEEL):
                    continue
            b = _bare(tok)
            if len(b) >= (3 if wrapped else 2):
                out.append(b)
    return out


def _stems(b: str) -> set[str]:
    """The bare word and its forms without one proclitic and/or one pronoun suffix."""
    stems = {b}
    for p in _PREFIXES:
        if b.startswith(p) and len(b) - len(p) >= 3:
            stems.add(b[len(p):])
    for st in list(stems):
        for suf in _SUFFIXES:
            rest = st[: -len(suf)]
            if st.endswith(suf) and len(rest) >= 3:
                stems.add(rest)
                if rest.endswith("ت"):
                    stems.add(rest[:-1] + "ه")  # زيارته → زياره (folded زيارة)
    return stems


class _Lexicon:
    """Word counts; a query and the corpus words meet on their stems (see :func:`_stems`)."""

    def __init__(self, counts: Counter):
        self.words = counts
        self.counts = Counter()
        for w, c in counts.items():
            for st in _stems(w):
                self.counts[st] += c

    def count(self, token: str) -> int:
        b = _bare(token)
        if len(b) < 2:
            return 0
        return max(self.counts.get(st, 0) for st in _stems(b))

    def exact(self, token: str) -> int:
        """Occurrences of the word itself, or of the word without one proclitic."""
        b = _bare(token)
        n = self.words.get(b, 0)
        for p in _PREFIXES:
            if b.startswith(p) and len(b) - len(p) >= 3:
                n += self.words.get(b[len(p):], 0)
        return n


@lru_cache(maxsize=8)
def _lexicon_for(raw: str) -> _Lexicon:
    """The corpus lexicon; when ``raw`` is one of the corpus texts its own words are left
    out, so a damaged token never vouches for itself (leave-one-out)."""
    counts = Counter(_corpus_counts())
    folder = data_dir() / "raw"
    if any(p.read_text(encoding="utf-8") == raw for p in folder.glob("*.txt")):
        counts.subtract(_interior_words(raw))
        counts = +counts
    return _Lexicon(counts)


def _default_lexicon() -> _Lexicon:
    return _lexicon_for("")


# --------------------------------------------------------------------------------------------
# one printed line


@dataclass
class _Tok:
    text: str
    start: int  # raw index
    end: int


def _is_single_letter(tok: str) -> bool:
    return len(_bare(tok)) == 1


def _letters_end(tok: str) -> str:
    """The last character of a token if it is an Arabic letter, else ''."""
    t = _DIACRITICS.sub("", tok)
    return t[-1] if t and "\u0621" <= t[-1] <= "\u064A" else ""


def _glue_strength(lex: _Lexicon, left: str, right: str) -> int:
    """How sure we are that ``left`` (a word start) + ``right`` is one word: 0, 1 or 2.

    2: the joined word is used in the corpus (or the cut is certain); 1: the cut is
    possible in print but the joined word is unknown; 0: no.
    """
    if not _bare(left) or not _bare(right) or left.startswith(TATWEEL):
        return 0
    end = _letters_end(left)
    if not end or end in "ةى":
        return 0  # a fragment carries no punctuation and no word-final letter
    if any(ch in "(«“" for ch in right):
        return 0
    if right.startswith(TATWEEL):
        if end in _NON_JOINING:
            return 0  # kashida only follows a letter that joins forward
        return 2 if lex.count(left + right) else 1
    if _bare(right) == "يه":
        # «ية» ends words, it is no word; the cut falls after a letter that does not join
        if len(_bare(left)) < 2 or _bare(left)[-1] not in _NON_JOINING:
            return 0
        return 2 if lex.count(left + right) else 1
    joined = lex.count(left + right)
    c_left, c_right = lex.count(left), lex.count(right)
    single = _is_single_letter(left) and _bare(left) != "و"
    if joined == 0 and c_left == 0 and c_right == 0 and len(_bare(left)) >= 2 \
            and _bare(left)[-1] in _NON_JOINING and (_bare(right)[0] == "ي" or _letters_end(left) in "أإآ"):
        return 1  # «تحر» + «ير»: neither half is a word and the cut fits the print
    if single and _is_single_letter(right) and _bare(right) not in "واأإآ":
        return 1  # «ز» + «ي» (+ «ــارة»): a chain of cut letters
    if joined == 0:
        # a lone letter before an unknown word: «ز» + «يـــارته»
        return 1 if single and c_right == 0 and len(_bare(right)) >= 2 else 0
    if single:
        return 2
    cut_fits = _bare(left)[-1] in _NON_JOINING.union({"ه"})  # ه: folded ة
    if c_left == 0 and c_right == 0:
        return 2 if lex.exact(left + right) else 1
    if c_left == 0 or c_right == 0:
        return 2 if (cut_fits or joined >= 2) else 0
    # both halves are words: glue only if the whole is clearly the commoner reading
    return 2 if cut_fits and joined > max(c_left, c_right) else 0


def _glue_ok(lex: _Lexicon, left: str, right: str) -> bool:
    return _glue_strength(lex, left, right) > 0


def _continuation(lex: _Lexicon, tok: str) -> bool:
    """A token that cannot start a word: tatweel-initial, «ية», or a lone non-word letter."""
    if tok.startswith(TATWEEL) or _bare(tok) == "يه":
        return True
    b = _bare(tok)
    return len(b) == 1 and b != "و" and not re.match(r"^[^\u0621-\u064A]", tok)


def _repair_line(line: str, base: int, lex: _Lexicon, para_end: bool):
    """Return (pieces, joins, reordered): pieces = [(tok, glue_before)] in reading order.

    ``glue_before`` is None for a token that keeps its printed left neighbour (the printed
    spacing is kept), else the string to put before it ("" inside a word, " " or "  ").
    """
    toks = [_Tok(m.group(), base + m.start(), base + m.end()) for m in re.finditer(r"\S+", line)]
    n = len(toks)
    if n == 0:
        return [], [], False
    moved_front: list[_Tok] = []
    moved_back: list[_Tok] = []
    # punctuation that belonged to a lost number at the line end: «. كانون الثاني»
    if n >= 2 and toks[0].text in (".", "،"):
        moved_back.append(toks.pop(0))
        n -= 1
    if n >= 2 and toks[-1].text in ("–", "-", "—"):
        moved_front.append(toks.pop())
        n -= 1

    interior: set[int] = set()

    def needs_pred(i: int) -> bool:
        return toks[i].text.startswith(TATWEEL) or _bare(toks[i].text) == "يه" or i in interior

    edge = _glue_strength(lex, toks[-1].text, toks[0].text) if n >= 2 else 0
    rotated = n >= 2 and (
        _continuation(lex, toks[0].text)
        or edge == 2
        or (edge == 1 and (_is_single_letter(toks[-1].text) or not lex.count(toks[-1].text)))
    )
    if not rotated and n >= 3 and not lex.count(toks[0].text) and len(_bare(toks[0].text)) <= 4:
        # «يــكي الســابق … الأمر …»: an unknown line start completed by an interior word end
        rotated = any(
            _glue_strength(lex, toks[j].text, toks[0].text) == 2
            and _bare(toks[j].text)[-1] in _NON_JOINING
            for j in range(1, n - 1)
        )
    starts = [i for i in range(1, n) if needs_pred(i)]
    # an interior word end that a later fragment completes: «… يو الانسحاب … سينار»
    for i in range(1, n - 1):
        if i in starts or lex.count(toks[i].text) or len(_bare(toks[i].text)) > 3:
            continue
        if _letters_end(toks[i - 1].text) == "" and toks[i - 1].text[-1] in TERMINAL:
            continue
        if any(
            _glue_strength(lex, toks[j].text, toks[i].text) == 2
            and _bare(toks[j].text)[-1] in _NON_JOINING
            for j in range(i + 1, n)
        ):
            starts.append(i)
            interior.add(i)
    starts.sort()
    if not starts and not rotated:
        pieces = [(t, None) for t in toks]
        return _with_moved(pieces, moved_front, moved_back), [], bool(moved_front or moved_back)

    bounds = [0] + starts + [n]
    chunks = [list(range(bounds[k], bounds[k + 1])) for k in range(len(bounds) - 1)]
    if not rotated and chunks[0]:
        # the line starts with a whole word: its first chunk stays in place only if no
        # chunk start was found; otherwise the reversed-chunk model applies as usual
        pass
    k = 0
    while k < len(chunks):
        head_i = chunks[k][0]
        head = toks[head_i].text
        needs = (k == 0 and rotated) or (k > 0 and needs_pred(head_i))
        if needs:
            if k + 1 < len(chunks):
                nxt = chunks[k + 1]
                reserve = 1 if (k + 1 == len(chunks) - 1 and needs_pred(nxt[0]) and len(nxt) > 1) else 0
                cand = nxt[: len(nxt) - reserve]
                st = [_glue_strength(lex, toks[ti].text, head) for ti in cand]
                j = None
                if st and st[-1] == 2:
                    j = len(cand) - 1
                elif 2 in st:
                    j = st.index(2)
                elif st and st[-1] == 1:
                    j = len(cand) - 1
                elif 1 in st:
                    j = st.index(1)
                if j is None:
                    j = len(cand) - 1
                if j < len(nxt) - 1:
                    chunks[k + 1 : k + 2] = [nxt[: j + 1], nxt[j + 1 :]]
            else:
                last = chunks[k]
                tail = _tail(lex, toks, last, para_end, head)
                if tail and sum(len(c) for c in tail) < len(last):
                    cut = len(last) - sum(len(c) for c in tail)
                    chunks[k : k + 1] = [last[:cut]] + tail
        k += 1
    pieces = []
    joins = []
    for pos, ch in enumerate(reversed(chunks)):
        raw_k = len(chunks) - 1 - pos  # index of this chunk in raw order
        for j, ti in enumerate(ch):
            t = toks[ti]
            glue = None
            if j == 0 and pos > 0:
                prev_last = toks[chunks[raw_k + 1][-1]]
                forced = len(chunks[raw_k + 1]) == 1 and _continuation(lex, t.text) and not lex.count(prev_last.text)
                if _glue_strength(lex, prev_last.text, t.text) or forced:
                    glue = ""
                else:
                    # a wide printed gap at this cut held a lost number: keep it wide
                    nxt_first = toks[chunks[raw_k + 1][0]]
                    glue = "  " if nxt_first.start - toks[ch[-1]].end >= 2 else " "
            pieces.append((t, glue))
    # the rejoined words: runs of pieces glued with ""
    run: list[_Tok] = []
    for t, glue in pieces + [(None, None)]:
        if glue == "":
            run.append(t)
            continue
        if len(run) > 1:
            joins.append(run)
        run = [t] if t is not None else []
    moved_words = len(chunks) > 2 or any(len(c) > 1 for c in chunks[1:])
    return _with_moved(pieces, moved_front, moved_back), joins, moved_words or bool(moved_back or moved_front)


def _tail(lex, toks, idx: list[int], para_end: bool, head: str) -> list[list[int]]:
    """The trailing chunk(s) that begin the printed line (reading order reversed)."""
    n = len(idx)
    if n < 2:
        return []
    # single-letter fragments at the end: «… في ي ز» is «ز» + «ي» + «ــارة»
    tail = [[idx[-1]]]
    j = n - 2
    while j >= 1 and _is_single_letter(toks[idx[j]].text) and _bare(toks[idx[j]].text) != "و" \
            and _is_single_letter(toks[idx[j + 1]].text):
        tail.insert(0, [idx[j]])
        j -= 1
    if len(tail) > 1:
        return tail
    if not _glue_strength(lex, toks[idx[-1]].text, head):
        # the last token does not complete the line start: find the one that does
        for j in range(n - 2, 0, -1):
            if _glue_strength(lex, toks[idx[j]].text, head) == 2:
                return [[idx[j]], idx[j + 1 :]]
        if _continuation(lex, head):
            # the nearest word end the corpus does not know: «… أن تؤس» + «س …»
            for j in range(n - 1, 0, -1):
                t = toks[idx[j]].text
                if _letters_end(t) and not lex.count(t) and not _is_single_letter(t):
                    return [[idx[j]], idx[j + 1 :]] if j < n - 1 else [[idx[j]]]
        return []
    # a reliable rotation point: sentence end or a wide gap inside a paragraph-final line
    for j in range(n - 2, 0, -1):
        a, b = toks[idx[j - 1]], toks[idx[j]]
        gap = b.start - a.end
        if (para_end and a.text[-1] in TERMINAL) or gap >= 3:
            return [idx[j:]]
    return tail


def _with_moved(pieces, front, back):
    out = [(t, " " if pieces or i else None) for i, t in enumerate(front)]
    if out and pieces:
        first, _ = pieces[0]
        pieces = [(first, " ")] + pieces[1:]
        out[0] = (out[0][0], None)
    out.extend(pieces)
    for t in back:
        out.append((t, " "))
    if out:
        out[0] = (out[0][0], None)
    return out


# --------------------------------------------------------------------------------------------
# the whole text


_HEADING_MAX = 50


def _visible_len(line: str) -> int:
    return len(line.replace(TATWEEL, "").strip())


def repair_text(raw: str, *, lexicon: _Lexicon | None = None, order_lines: bool = True) -> Repaired:
    """Repair the PDF damage of a raw text; return a :class:`Repaired` with its offset map.

    ``order_lines=False`` stops after the fragment joins and the rule-based reorders (no
    order step, see :mod:`arabtexts.repair.order`); ``lexicon`` replaces the corpus word list.

    >>> r = repair_text("كثر من مرة بأن الولايات المتحدة أخطأت في الحرب، أعلن أ")
    >>> r.text
    'أكثر من مرة بأن الولايات المتحدة أخطأت في الحرب، أعلن'
    >>> repair_text("").text
    ''

    A text that is not hard-wrapped (a web text) comes back unchanged:

    >>> repair_text("وقع الرئيس الأمريكي جو بايدن اتفاقاً.").text
    'وقع الرئيس الأمريكي جو بايدن اتفاقاً.'
    """
    if not isinstance(raw, str):
        raise TypeError(f"repair_text() expects a str, not {type(raw).__name__}")
    lex = lexicon or _lexicon_for(raw)
    lines = raw.split("\n")
    if not _needs_repair(raw, lines):
        return Repaired(raw, raw, tuple(range(len(raw) + 1)), ())
    starts = []
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    blank = [not ln.strip() for ln in lines]
    text_idx = [i for i, b in enumerate(blank) if not b]

    def gap_after(i):
        g = 0
        j = i + 1
        while j < len(lines) and blank[j]:
            g += 1
            j += 1
        return g, (j if j < len(lines) else None)

    # paragraph structure
    fixes: list[Repair] = []
    kept: list[Repair] = []
    paras: list[list[int]] = []
    heads: list[bool] = []  # paragraph is a heading (a title or a section heading)
    cur: list[int] = []
    heading = False
    prev_ends = True  # previous paragraph ended (start of text counts as an end)
    for pos_i, i in enumerate(text_idx):
        if cur:
            p = cur[-1]
            g, _ = gap_after(p)
            ended = _ends_paragraph(lines[p])
            short_i = _visible_len(lines[i]) <= _HEADING_MAX
            if heading:
                join = g == 0 and short_i and not ended
            elif ended and not (g == 0 and lines[p].rstrip().endswith(":")):
                join = False
            elif g == 0:
                join = True
            elif g == 1:
                g2, nxt = gap_after(i)
                join = g2 > 0 or nxt is None or _ends_paragraph(lines[i]) or (
                    nxt is not None and _is_heading(lines, blank, nxt)
                ) or _runs_on(lines[p])
            else:
                join = True  # page break inside a paragraph
            if not join:
                paras.append(cur)
                heads.append(heading)
                cur = []
                prev_ends = True
        if not cur:
            before_blank = i == 0 or blank[i - 1]
            heading = (
                _visible_len(lines[i]) <= _HEADING_MAX
                and not _ends_paragraph(lines[i]) or _is_heading(lines, blank, i)
            ) and (prev_ends or before_blank)
        cur.append(i)
    if cur:
        paras.append(cur)
        heads.append(heading)

    # page-break noise: runs of two or more blank lines
    i = 0
    while i < len(lines):
        if blank[i]:
            j = i
            while j < len(lines) and blank[j]:
                j += 1
            if j - i >= 2 or (j == len(lines) and lines[i]):
                s, e = starts[i], min(starts[j - 1] + len(lines[j - 1]), len(raw))
                fixes.append(Repair("noise", s, e, raw[s:e], "", i))
            i = j
        else:
            i += 1

    out_chars: list[str] = []
    out_offs: list[int] = []

    def emit(s: str, raw_i: int):
        for ch in s:
            out_chars.append(ch)
            out_offs.append(raw_i)

    def emit_raw(s: int, e: int):
        for k in range(s, e):
            out_chars.append(raw[k])
            out_offs.append(k)

    results = {}
    for para in paras:
        for ln_k, i in enumerate(para):
            results[i] = _repair_line(lines[i], starts[i], lex, ln_k == len(para) - 1)
    notes: dict[int, str] = {}
    if order_lines and len(text_idx) >= 5:
        # headings are not running text, and a lone line has no neighbours to read against
        prose = [p for p, h in zip(paras, heads) if not h]
        results, notes = _order_lines(raw, lines, starts, prose, results, lex)

    for pn, para in enumerate(paras):
        if pn:
            emit("\n\n", starts[para[0]] - 1)
        for ln_k, i in enumerate(para):
            pieces, joins, reordered = results[i]
            if ln_k:
                emit(" ", starts[i] - 1)
            line_start = len(out_chars)
            prev = None
            for t, glue in pieces:
                if glue is None and prev is not None:
                    # kept in printed order: keep the printed spacing (lost digits leave gaps)
                    emit_raw(prev.end, t.start)
                elif glue:
                    emit(glue, t.start - 1 if raw[t.start - 1 : t.start].isspace() else t.start)
                emit_raw(t.start, t.end)
                prev = t
            after = "".join(out_chars[line_start:])
            s, e = starts[i], starts[i] + len(lines[i])
            for run in joins:
                word = "".join(t.text for t in run)
                fixes.append(Repair("join", s, e, raw[s:e], after, i, word))
            if reordered and after.split() != lines[i].split():
                fixes.append(Repair("reorder", s, e, raw[s:e], after, i, note=notes.get(i, "")))
            elif notes.get(i, "").startswith("kept: another"):
                kept.append(Repair("kept", s, e, raw[s:e], after, i, note=notes[i]))
    if paras and "\n" in raw.strip():
        emit("\n", len(raw) - 1 if raw.endswith("\n") else len(raw))
    text = "".join(out_chars)
    out_offs.append(len(raw))
    fixes.sort(key=lambda f: (f.start, f.kind != "join"))
    return Repaired(text, raw, tuple(out_offs), tuple(fixes), tuple(kept))


def _order_lines(raw, lines, starts, paras, results, lex):
    """The order step (:mod:`arabtexts.repair.order`): each line of a paragraph gets the
    chunk order that reads best between its neighbours. Two passes: the first reads the
    neighbours as the earlier steps left them, the second as the first pass ordered them."""
    from . import order as O

    model = O.model_without(raw, O.HELD_OUT)
    base = results
    notes: dict[int, str] = {}
    for _ in range(O.PASSES):
        new = dict(base)
        for para in paras:
            for k, i in enumerate(para):
                prev = _piece_words(results[para[k - 1]][0]) if k else None
                nxt = _piece_words(results[para[k + 1]][0]) if k + 1 < len(para) else None
                prefix, suffix = O.edges(prev, nxt)
                new[i], notes[i] = _order_one(lines[i], starts[i], base[i], lex, model, prefix, suffix)
        results = new
    return results, notes


def _piece_words(pieces) -> list[str]:
    out: list[str] = []
    for t, glue in pieces:
        if glue == "" and out:
            out[-1] += t.text
        else:
            out.append(t.text)
    return out


def _order_one(line, base, result, lex, model, prefix, suffix):
    from . import order as O

    pieces, joins, reordered = result
    toks = [_Tok(m.group(), base + m.start(), base + m.end()) for m in re.finditer(r"\S+", line)]
    lo, hi = 0, len(toks)
    front, back = [], []
    if hi >= 2 and toks[0].text in (".", "،"):
        back, lo = [toks[0]], 1
    if hi - lo >= 2 and toks[-1].text in ("–", "-", "—"):
        front, hi = [toks[-1]], hi - 1
    mid = toks[lo:hi]
    if len(mid) < 2:
        return result, ""
    index = {t.start: k for k, t in enumerate(mid)}
    order, glue = [], []
    for t, g in pieces:
        if t.start in index:
            order.append(index[t.start])
            glue.append(g == "" and bool(order[:-1]))
    chunks = 1 + sum(1 for p in range(1, len(order)) if order[p] != order[p - 1] + 1)
    kept = O.Reading(tuple(order), tuple(glue), chunks)
    texts = [t.text for t in mid]
    r, note = O.choose(texts, kept, lex, model, prefix, suffix, moved=bool(front or back))
    if r is kept:
        return result, note
    new = []
    for p, k in enumerate(r.order):
        t = mid[k]
        if p == 0:
            g = None
        elif r.glue[p]:
            g = ""
        elif r.order[p - 1] == k - 1:
            g = None
        else:
            before = mid[r.order[p - 1]]
            wide = (k and t.start - mid[k - 1].end >= 2) or (
                r.order[p - 1] + 1 < len(mid) and mid[r.order[p - 1] + 1].start - before.end >= 2)
            g = "  " if wide else " "
        new.append((t, g))
    new_joins, run = [], []
    for t, g in new + [(None, None)]:
        if g == "":
            run.append(t)
            continue
        if len(run) > 1:
            new_joins.append(run)
        run = [t] if t is not None else []
    return (_with_moved(new, front, back), new_joins, True), note


def _needs_repair(raw: str, lines: list[str]) -> bool:
    if len([ln for ln in lines if ln.strip()]) < 5:
        return "\n" not in raw.strip() and bool(raw.strip()) and _single_line_damaged(raw)
    return looks_hard_wrapped(raw)


def _single_line_damaged(raw: str) -> bool:
    """A lone line (doctest-sized input) is treated as a printed line if it shows damage."""
    toks = raw.split()
    if len(toks) < 2:
        return False
    lex = _default_lexicon()
    return _continuation(lex, toks[0]) or _glue_ok(lex, toks[-1], toks[0]) or toks[0] in ".،"


#: visible length of a line that fills the printed measure (body lines run 80–118 characters)
_FULL_LINE = 80


def _runs_on(line: str) -> bool:
    """A line that fills the measure and has no sentence end anywhere (not even one rotated
    inside it) cannot close a paragraph: a single blank line after it is a page break inside
    the sentence, as after 000's «… وتنمية القدرات في مجال البيانات» (the sentence goes on
    «المتعلقة بالمرأة …» after the blank line).

    >>> _runs_on("وتنمية القدرات في مجال البيانات " * 3)
    True
    >>> _runs_on("يارات عديدة شهدتها العاصمة بغداد. وز " * 3)
    False
    """
    return _visible_len(line) >= _FULL_LINE and not any(c in TERMINAL for c in line)


def _ends_paragraph(line: str) -> bool:
    s = line.rstrip()
    return bool(s) and (s[-1] in TERMINAL or s.endswith(":") or s.endswith("..")) and not s.startswith(".")


def _is_heading(lines, blank, i) -> bool:
    """A short line directly followed by text (a section heading)."""
    if _visible_len(lines[i]) > _HEADING_MAX or _ends_paragraph(lines[i]) and not lines[i].rstrip().endswith(".."):
        return False
    return i + 1 < len(lines) and not blank[i + 1] and _visible_len(lines[i + 1]) > _HEADING_MAX


def repairs(raw: str) -> list[Repair]:
    """The individual fixes the repairer makes to ``raw`` (joins, reorders, noise).

    >>> [f.word for f in repairs("يارة الكاظمي لواشنطن.. ماذا ينتظر من ز") if f.kind == "join"]
    ['زيارة']
    """
    return list(repair_text(raw).fixes)


def repair_article(article_id) -> Repaired:
    """Repair one article of the corpus by id («000» … «004»).

    >>> r = repair_article("001")
    >>> r.text.splitlines()[0]
    'زيارة الكاظمي لواشنطن.. ماذا ينتظر من الولايات المتحدة؟'
    """
    from ..corpus import get_article

    return repair_text(get_article(article_id).text)


# --------------------------------------------------------------------------------------------
# lost digits

_MONTHS = (
    "يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|كانون الأول|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|"
    "تشرين الثاني"
)


def _t(word: str) -> str:
    """A regex for a word allowing tatweel between its letters."""
    return (TATWEEL + "*").join(re.escape(c) if c != " " else r"\s+" for c in word)


_MONTH_RX = "(?:" + "|".join(_t(m) for m in _MONTHS.split("|")) + ")"
_YEAR_WORDS = "(?:" + "|".join(_t(w) for w in ("عام", "العام", "لعام", "للعام")) + ")"
_ANCHOR = "(?:" + "|".join(_t(w) for w in ("في", "من", "بين", "نحو", "على", "البالغة", "فيها")) + ")"
_LOST_RXS = [
    # a month or a year word followed by a space and punctuation: the year is gone
    re.compile(rf"(?<![\w\u0640])(?:{_MONTH_RX}|{_YEAR_WORDS})( )(?=[،,.؛|]|\s*$)", re.M),
    # a month or a year word followed by a wide gap: the year is gone
    re.compile(rf"(?<![\w\u0640])(?:{_MONTH_RX}|{_YEAR_WORDS})(  +)(?=\S)"),
    # a preposition followed by a wide gap or by punctuation: the number is gone
    re.compile(rf"(?<![\w\u0640]){_ANCHOR}(  +|\s(?=[،,]))"),
    # a wide gap before a month: the day is gone
    re.compile(rf"(  +)(?={_MONTH_RX})"),
    # a dateline starting with a comma before the month: the day is gone
    re.compile(rf"^[,،] ?()(?={_MONTH_RX})", re.M),
    # a decimal point with its digits gone: «من . مليار»
    re.compile(rf"(?<=\s)(\.)(?= (?:{_t('مليار')}|{_t('مليون')}|{_t('ألف')}))"),
    # a year word at the very end of a paragraph or before «يمكن»-like text after a gap
    re.compile(rf"(?<![\w\u0640]){_YEAR_WORDS}( ?)(?=\n|$)"),
]


def find_lost_digits(text: str) -> list[tuple[int, int, str]]:
    """Places where the extraction dropped a number: ``[(start, end, context)]``.

    ``[start, end)`` is the gap the number left (the space(s), or the empty position before
    punctuation); ``context`` is up to 25 characters either side. Works on the raw or the
    repaired layer.

    >>> [c for _, _, c in find_lost_digits("خلال عام ، تحولات مهمة")]
    ['خلال عام ، تحولات مهمة']
    >>> [(s, e) for s, e, _ in find_lost_digits("في  مارس/ آذار")]
    [(2, 4)]
    >>> find_lost_digits("في عام 2021 تحولات")
    []
    """
    spots: dict[int, tuple[int, int]] = {}
    for rx in _LOST_RXS:
        for m in rx.finditer(text):
            s, e = m.span(1)
            if any(s < e2 and s2 < max(e, s + 1) for s2, e2 in spots.values()):
                continue
            spots[s] = (s, e)
    out = []
    for s, e in sorted(spots.values()):
        cs, ce = max(0, s - 25), min(len(text), e + 25)
        out.append((s, e, text[cs:ce].replace("\n", " ")))
    return out


def annotate_lost_digits(repaired_text: str) -> str:
    """Insert the visible marker «⟦؟رقم⟧» wherever a number was lost.

    >>> annotate_lost_digits("شهدت السياسة خلال عام ، تحولات")
    'شهدت السياسة خلال عام ⟦؟رقم⟧، تحولات'
    >>> annotate_lost_digits("في  مارس/ آذار")
    'في ⟦؟رقم⟧ مارس/ آذار'
    """
    out = []
    pos = 0
    for s, e, _ in find_lost_digits(repaired_text):
        out.append(repaired_text[pos:s])
        gap = repaired_text[s:e]
        nxt = repaired_text[e : e + 1]
        if gap == ".":
            out.append(MARKER + "." + MARKER)  # «من . مليار»: both sides of the point lost
        else:
            lead = " " if s > 0 and not repaired_text[s - 1].isspace() else ""
            trail = "" if nxt in ("", "\n") or nxt in "،,.؛|" and not gap.endswith("  ") else " "
            if nxt == "|":
                trail = " "
            out.append(lead + MARKER + trail)
        pos = e
    out.append(repaired_text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# the layers on disk


def build_layers() -> dict[str, tuple[str, str]]:
    """``{file name: (clean text, annotated text)}`` for the five articles, built in memory.

    >>> layers = build_layers()
    >>> clean, annotated = layers["2020-08_kadhimi-washington.txt"]
    >>> "عام ،" in clean, "عام ⟦؟رقم⟧،" in annotated
    (True, True)
    """
    from ..corpus import ARTICLE_IDS, get_article

    out = {}
    for aid in ARTICLE_IDS:
        art = get_article(aid)
        clean = repair_text(art.text).text
        out[art.meta["file"]] = (clean, annotate_lost_digits(clean))
    return out


def write_layers(root: Path | None = None) -> list[Path]:
    """Write ``clean/<file>`` and ``clean/annotated/<file>`` under ``root`` (default
    ``data/``); return the paths written.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_layers(tmp)
    ...     text = (pathlib.Path(tmp) / "clean" / "2021-12_foreign-policy-2021.txt").read_text(encoding="utf-8")
    >>> len(paths), "وزيارات عديدة شهدتها العاصمة بغداد." in text
    (10, True)
    """
    root = Path(root) if root else data_dir()
    written = []
    for name, (clean, annotated) in build_layers().items():
        for folder, content in ((root / "clean", clean), (root / "clean" / "annotated", annotated)):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(content, encoding="utf-8", newline="\n")
            written.append(path)
    return written


def main(argv=None) -> int:
    """Command line: ``python -m arabtexts.repair [DATA_DIR]`` rebuilds the clean layers
    and prints the paths written. Afterwards ``data/clean/2021-12_foreign-policy-2021.txt``
    reads «وزيارات عديدة شهدتها العاصمة بغداد.» where the raw file has
    «يارات عديدة شهدتها العاصمة بغداد. وز».
    """
    argv = sys.argv[1:] if argv is None else argv
    for p in write_layers(argv[0] if argv else None):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
