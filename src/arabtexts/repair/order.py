"""Chunk order of a printed line, chosen by how well it reads (the ``order`` step).

The extractor cut each printed line into chunks and wrote them in reverse order. When a cut
falls inside a word the line shows it (a fragment at the end, a piece that starts with
tatweel), but the cut *between* the chunks' words does not show: the earlier steps rejoin the
word and move only the fragment, so 004's first body line came out as «مزيــد مــن التعقيــد، إذ
تؤكــد تتجــه العلاقــة … إلى» for «تتجــه العلاقــة … إلى مزيــد مــن التعقيــد، إذ تؤكــد».

For a line that shows a cut, this step tries every chunking with the cuts the line shows plus
one it does not show (:data:`FREE_CUTS`), reverses the chunks, rejoins the fragments that must
meet, and scores each reading together with its edges: the last words of the previous line
(or a sentence end, at the start of a paragraph) and the first words of the next line (or
«$», the end of a paragraph). The score (:class:`Model`) adds three statistics learnt from the **other**
texts of the corpus, never from the text being repaired (:func:`model_without`): a character
6-gram model, word pairs, and a trigram model of crude word classes (:func:`shape`). The two
web texts 002 and 003 teach paragraph starts and ends; the PDF texts teach only the inside of
their printed lines.

The reading the earlier steps made is kept unless another reads better by :data:`MARGIN`;
a line that shows no cut at all keeps its printed order. Every decision comes with a note.

>>> m = model_without("")                     # learnt from all five texts
>>> a = m.logp("^", norm("في العــراق والولايات المتحدة") + "$")
>>> b = m.logp("^", norm("والولايات المتحدة في العــراق") + "$")
>>> a > b
True
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from ..paths import data_dir

TATWEEL = "\u0640"
BOS, EOS = "^", "$"
#: what a paragraph's first line is read after: a sentence end, which every text teaches
#: (only the two web texts mark paragraph starts with «^»)
START = ". "
#: the n of the character n-gram model
ORDER = 6
#: cuts that the line does not show, tried besides those it shows
FREE_CUTS = 1
#: log-probability (nats) by which another reading must beat the one the earlier steps made
MARGIN = 1.0
#: penalty (nats) per chunk beyond those the earlier steps found
CUT_COST = 6.0
#: penalty (nats) per lone letter left unglued
LONE_COST = 6.0
#: weights of the three statistics in :meth:`Model.logp`
CHAR_WEIGHT = 1.0
WORD_WEIGHT = 1.0
SHAPE_WEIGHT = 1.0
#: how many words of the previous and the next line are read with a line
EDGE_WORDS = 2
#: passes over a paragraph (each reads the neighbours as the pass before ordered them)
PASSES = 2
#: learn from the labelled readings of the other PDF texts (``data/repair_lines.csv``)
USE_LABELS = True
#: texts left out of the statistics besides the one being repaired (the nested check of
#: :mod:`arabtexts.repair.tune` sets it; empty in use)
HELD_OUT: tuple[str, ...] = ()
#: keep the earlier steps' reading of every line whose only visible damage is one word cut
#: across its two ends (the old repair's «fragment» reading). Off: such a line looks exactly
#: like two swapped chunks with a cut inside a word, which are seven times as common in the
#: labelled set; measured both ways in ``docs/extractor-report.md``
KEEP_FRAGMENT_READING = False

_DIAC = re.compile("[\u064B-\u0652\u0670]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
_DROP = re.compile(r"[^\u0621-\u064A0 .،؟!:؛]")


def norm(text: str) -> str:
    """The form the model reads: no tatweel or diacritics, alef forms and «ى» folded (taa
    marbuta kept: it marks a noun's end), digits as
    «0», only letters, spaces and sentence punctuation.

    >>> norm("الولايــات المتحــدة، في 2021!")
    'الولايات المتحدة، في 0!'
    """
    t = _DIAC.sub("", text.replace(TATWEEL, "")).translate(_FOLD)
    t = re.sub(r"[0-9٠-٩]+", "0", t)
    t = _DROP.sub("", t)
    return re.sub(r" +", " ", t).strip()


class CharModel:
    """An interpolated Witten-Bell character n-gram model.

    >>> m = CharModel(["^في العراق$", "^في بغداد$"], order=3)
    >>> m.logp("^", "في") > m.logp("^", "يف")
    True
    """

    def __init__(self, strings, order: int = ORDER):
        self.order = order
        grams: Counter = Counter()
        for s in strings:
            for n in range(1, order + 1):
                for i in range(len(s) - n + 1):
                    grams[s[i : i + n]] += 1
        self.grams = grams
        self.total: Counter = Counter()
        self.types: Counter = Counter()
        for g, c in grams.items():
            self.total[g[:-1]] += c
            self.types[g[:-1]] += 1
        self.vocab = self.types[""] + 1
        self._cache: dict = {}

    def prob(self, hist: str, ch: str) -> float:
        key = (hist, ch)
        p = self._cache.get(key)
        if p is None:
            lower = self.prob(hist[1:], ch) if hist else 1 / self.vocab
            t = self.total.get(hist, 0)
            if t:
                ty = self.types[hist]
                p = (self.grams.get(hist + ch, 0) + ty * lower) / (t + ty)
            else:
                p = lower
            self._cache[key] = p
        return p

    def logp(self, context: str, s: str) -> float:
        """Log-probability (nats) of ``s`` following ``context``."""
        k = self.order - 1
        hist = context[-k:]
        total = 0.0
        for ch in s:
            total += math.log(self.prob(hist, ch))
            hist = (hist + ch)[-k:]
        return total


_WORD = re.compile(r"[\u0621-\u064A0]+|[.،؟!:؛]|\^|\$")


def word_units(s: str) -> list[str]:
    """Words and punctuation marks of a normalised string, in order.

    >>> word_units("^في العراق، اليوم$")
    ['^', 'في', 'العراق', '،', 'اليوم', '$']
    """
    return _WORD.findall(s)


class WordModel:
    """Word pairs with Witten-Bell back-off: P(y | x) backs off to P(y | class of x)
    (the word itself when it is common, else its last two letters), then to P(y).

    >>> m = WordModel(["^في العراق$", "^في بغداد$", "^من العراق$"])
    >>> m.logp("في", "العراق") > m.logp("العراق", "في")
    True
    """

    COMMON = 15

    def __init__(self, strings):
        self.uni: Counter = Counter()
        self.pair: Counter = Counter()
        self.cls_pair: Counter = Counter()
        seqs = [word_units(s) for s in strings]
        for seq in seqs:
            self.uni.update(seq)
        self.n = sum(self.uni.values())
        self.v = len(self.uni) + 1
        self.ctx: Counter = Counter()
        self.ctx_types: Counter = Counter()
        self.cctx: Counter = Counter()
        self.cctx_types: Counter = Counter()
        for seq in seqs:
            for x, y in zip(seq, seq[1:]):
                self.pair[x, y] += 1
                self.cls_pair[self.cls(x), y] += 1
        for (x, y), c in self.pair.items():
            self.ctx[x] += c
            self.ctx_types[x] += 1
        for (x, y), c in self.cls_pair.items():
            self.cctx[x] += c
            self.cctx_types[x] += 1

    def cls(self, x: str) -> str:
        return x if self.uni[x] >= self.COMMON or len(x) < 3 else "~" + x[-2:]

    def logp(self, x: str, y: str) -> float:
        p = (self.uni[y] + 0.5) / (self.n + 0.5 * self.v)
        c = self.cls(x)
        t = self.cctx[c]
        if t:
            p = (self.cls_pair[c, y] + self.cctx_types[c] * p) / (t + self.cctx_types[c])
        t = self.ctx[x]
        if t and c != x:
            p = (self.pair[x, y] + self.ctx_types[x] * p) / (t + self.ctx_types[x])
        return math.log(p)

    def score(self, s: str) -> float:
        seq = word_units(s)
        return sum(self.logp(x, y) for x, y in zip(seq, seq[1:]))


_PRE = ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال", "و", "ف", "ب", "ل")
_SUF = ("هما", "هم", "ها", "ات", "ين", "ون", "ية", "ة", "ه", "ي", "ا", "ن")


def shape(word: str, common: frozenset = frozenset()) -> str:
    """A crude word class: common words stand for themselves, punctuation too; other
    words are known by their prefix and ending (a stand-in for part of speech).

    >>> shape("والولايات"), shape("تتجه"), shape("في", frozenset({"في"}))
    ('وال+ات', 'V+ه', 'في')
    """
    if word in common or not word[0].isalpha() or word == "0":
        return word
    pre = next((p for p in _PRE if word.startswith(p) and len(word) - len(p) >= 2), "")
    if not pre and word[0] in "يتن" and len(word) >= 4:
        pre = "V"
    suf = next((x for x in _SUF if word.endswith(x) and len(word) - len(x) >= 2), "")
    return pre + "+" + suf


class ShapeModel:
    """A trigram model of word classes (:func:`shape`) with Witten-Bell back-off.

    >>> m = ShapeModel(["^في العراق$", "^في بغداد$"])
    >>> m.score("^في الموصل$") > m.score("^الموصل في$")
    True
    """

    COMMON = 40

    def __init__(self, strings):
        uni = Counter(w for s in strings for w in word_units(s))
        self.common = frozenset(w for w, c in uni.items() if c >= self.COMMON)
        self.grams: Counter = Counter()
        for s in strings:
            seq = [shape(w, self.common) for w in word_units(s)]
            for n in (1, 2, 3):
                for i in range(len(seq) - n + 1):
                    self.grams[tuple(seq[i : i + n])] += 1
        self.total: Counter = Counter()
        self.types: Counter = Counter()
        for g, c in self.grams.items():
            self.total[g[:-1]] += c
            self.types[g[:-1]] += 1
        self.v = self.types[()] + 1

    def prob(self, hist: tuple, y: str) -> float:
        lower = self.prob(hist[1:], y) if hist else 1 / self.v
        t = self.total.get(hist, 0)
        if not t:
            return lower
        ty = self.types[hist]
        return (self.grams.get(hist + (y,), 0) + ty * lower) / (t + ty)

    def score(self, s: str) -> float:
        seq = [shape(w, self.common) for w in word_units(s)]
        return sum(math.log(self.prob(tuple(seq[max(0, i - 2) : i]), seq[i])) for i in range(1, len(seq)))


def training_strings(raw: str) -> list[str]:
    """What one text teaches the model. A web text (one paragraph per line) gives each
    paragraph with its start «^» and end «$». A PDF text gives only the inside of each printed
    line (its first and last word may be fragments, and no line edge is known to be true).

    >>> training_strings("فقرة في العراق " * 20 + "\\n")[0][:20]
    '^فقرة في العراق فقرة'
    >>> training_strings("يارة الكاظمي لواشنطن اليوم ز\\n" * 10)[0]   # a PDF text: line insides only
    'الكاظمي لواشنطن اليوم'
    """
    from . import looks_hard_wrapped

    out = []
    if not looks_hard_wrapped(raw):
        for line in raw.split("\n"):
            t = norm(line)
            if t:
                out.append(BOS + t + EOS)
        return out
    for line in raw.split("\n"):
        toks = line.split()
        if len(toks) >= 4:
            t = norm(" ".join(toks[1:-1]))
            if t:
                out.append(t)
    return out


@lru_cache(maxsize=4)
def _texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted((data_dir() / "raw").glob("*.txt")))


def labelled_strings(raw: str) -> list[str]:
    """A PDF text as the labelled set reads it (``data/repair_lines.csv``): each printed line
    replaced by its correct reading, the readings joined across line and page breaks and cut
    after each line that ends a sentence, each piece between «^» and «$». Empty when the text
    has no labels. Only ever used to learn about the *other* texts.

    >>> labelled_strings("نص بلا تسمية\\n")
    []
    """
    path = data_dir() / "repair_lines.csv"
    if not path.exists():
        return []
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        rows = {(int(r["raw_offset"]), r["printed"]): r["correct"] for r in csv.DictReader(f)}
    out, para, pos = [], [], 0
    for line in raw.split("\n"):
        correct = rows.get((pos, line))
        pos += len(line) + 1
        if correct is None:
            continue
        if para and para[-1].rstrip()[-1:] in ".؟!:":
            out.append(BOS + norm(" ".join(para)) + EOS)  # a paragraph ends with a sentence end
            para = []
        para.append(correct)
    if para:
        out.append(BOS + norm(" ".join(para)) + EOS)
    return [s for s in out if len(s) > 2]


@lru_cache(maxsize=12)
def model_without(raw: str, also: tuple[str, ...] = ()) -> "Model":
    """The models learnt from the corpus texts other than ``raw`` (all five when ``raw`` is
    not one of them) and the texts in ``also``. A PDF text teaches through its labelled lines
    when :data:`USE_LABELS` is on, else through the inside of its printed lines."""
    strings = []
    for text in _texts():
        if text != raw and text not in also:
            lab = labelled_strings(text) if USE_LABELS else []
            strings.extend(lab or training_strings(text))
    return Model(CharModel(strings, ORDER), WordModel(strings), ShapeModel(strings))


@dataclass
class Model:
    """The character model and the word-pair model together."""

    chars: CharModel
    words: WordModel
    shapes: ShapeModel

    def logp(self, prefix: str, s: str) -> float:
        """The character model, word pairs and word classes together (``s`` is what
        follows ``prefix``; both are :func:`norm` text)."""
        whole = prefix + s
        return (CHAR_WEIGHT * self.chars.logp(prefix, s) + WORD_WEIGHT * self.words.score(whole)
                + SHAPE_WEIGHT * self.shapes.score(whole))


# ------------------------------------------------------------------ one line


def needs_predecessor(tok: str) -> bool:
    """A piece that cannot start a word: it begins with tatweel, or it is the ending «ية».

    >>> needs_predecessor("ــارة"), needs_predecessor("زيارة")
    (True, False)
    """
    from . import _bare

    return tok.startswith(TATWEEL) or _bare(tok) == "يه"


def _lone(tok: str) -> bool:
    from . import _bare

    b = _bare(tok)
    return len(b) == 1 and b != "و"


@dataclass(frozen=True)
class Reading:
    """One way to read a printed line: ``order`` lists printed token indices in reading
    order, ``glue[p]`` says that the token at reading position ``p`` continues the word
    before it; ``chunks`` counts the chunks.

    >>> Reading((1, 0), (False, True), 2).words(["ز", "يارة"][::-1])
    ['زيارة']
    """

    order: tuple[int, ...]
    glue: tuple[bool, ...]
    chunks: int

    def words(self, toks: list[str]) -> list[str]:
        out: list[str] = []
        for p, i in enumerate(self.order):
            if p and self.glue[p]:
                out[-1] += toks[i]
            else:
                out.append(toks[i])
        return out


def readings(toks: list[str], lex, free: int = FREE_CUTS):
    """Every chunking of the printed tokens with the cuts the line shows plus at most
    ``free`` others, read with the chunks reversed.

    >>> from arabtexts.repair import _default_lexicon
    >>> toks = "يارة الكاظمي لواشنطن من ز".split()
    >>> any(r.words(toks) == ["زيارة", "الكاظمي", "لواشنطن", "من"] for r in readings(toks, _default_lexicon()))
    True
    """
    from . import _glue_strength

    n = len(toks)
    # a lone letter that opens the printed line ends a word whose start is elsewhere
    pred = [needs_predecessor(t) or (i == 0 and _lone(t)) for i, t in enumerate(toks)]
    shown = [i for i in range(1, n) if pred[i]]
    hidden = [i for i in range(1, n) if i not in shown]
    seen = set()
    for k in range(free + 1):
        for extra in combinations(hidden, k):
            cuts = sorted(set(shown) | set(extra))
            b = [0] + cuts + [n]
            chunks = [range(b[j], b[j + 1]) for j in range(len(b) - 1)]
            read = chunks[::-1]
            if pred[read[0][0]]:
                continue  # the reading would start inside a word
            glue = [False] * n
            pos = 0
            ok = True
            for a, c in zip(read, read[1:]):
                pos += len(a)
                left, right = toks[a[-1]], toks[c[0]]
                strength = _glue_strength(lex, left, right)
                if pred[c[0]] and not strength:
                    ok = False  # the piece cannot continue this word
                    break
                glue[pos] = strength >= 1 or pred[c[0]]
            if not ok:
                continue
            r = Reading(tuple(i for c in read for i in c), tuple(glue), len(chunks))
            key = (r.order, r.glue)
            if key not in seen:
                seen.add(key)
                yield r


def score(model: "Model", toks: list[str], r: Reading, prefix: str, suffix: str,
          base_chunks: int = 1) -> float:
    """How well a reading reads between its edges (higher is better): the model's
    log-probability, less :data:`LONE_COST` per lone letter left unglued and
    :data:`CUT_COST` per chunk beyond ``base_chunks`` (the chunks the earlier steps found)."""
    body = " ".join(w for w in (norm(x) for x in r.words(toks)) if w)
    s = model.logp(prefix, body + suffix)
    n = len(r.order)
    for p, i in enumerate(r.order):
        if _lone(toks[i]) and not ((p and r.glue[p]) or (p + 1 < n and r.glue[p + 1])):
            s -= LONE_COST
    return s - CUT_COST * max(0, r.chunks - base_chunks)


def edges(prev_words: list[str] | None, next_words: list[str] | None) -> tuple[str, str]:
    """The text before and after a line for scoring: the previous line's last words, or a
    sentence end («. ») at the start of a paragraph; the next line's first words, or «$» at
    the end of a paragraph.

    >>> edges(None, None)
    ('. ', '$')
    >>> edges(["في", "العــراق"], ["مــن", "جهة"])
    ('في العراق ', ' من جهة ')
    """
    prefix = START if not prev_words else norm(" ".join(prev_words[-EDGE_WORDS:])) + " "
    suffix = EOS if not next_words else " " + norm(" ".join(next_words[:EDGE_WORDS])) + " "
    return prefix, suffix


def choose(toks: list[str], kept: Reading, lex, model: "Model", prefix: str, suffix: str,
           moved: bool = False):
    """Return ``(reading, note)``: the best reading if it beats ``kept`` by the margin,
    else ``kept``; ``note`` says what was decided and by how much.

    A line is considered only if it shows a cut: the earlier steps moved a fragment or
    punctuation (``moved``), or a piece on it cannot start a word. A line that shows none
    keeps its printed order, however another order might read."""
    shows_cut = kept.order != tuple(range(len(toks))) or any(needs_predecessor(t) for t in toks[1:])
    if not (shows_cut or moved):
        return kept, "kept: nothing on the line shows a cut"
    if KEEP_FRAGMENT_READING and not moved and kept.chunks == 2 and kept.order[0] == len(toks) - 1:
        return kept, "kept: only a cut word shows (KEEP_FRAGMENT_READING)"
    best, best_s = kept, score(model, toks, kept, prefix, suffix, kept.chunks)
    kept_s = best_s
    for r in readings(toks, lex):
        s = score(model, toks, r, prefix, suffix, kept.chunks)
        if s > best_s:
            best, best_s = r, s
    gain = best_s - kept_s
    if best is kept or (best.order, best.glue) == (kept.order, kept.glue):
        return kept, "kept: no order reads better"
    if gain < MARGIN:
        return kept, f"kept: another order reads only {gain:.1f} better (needs {MARGIN:g})"
    return best, f"reordered: reads {gain:.1f} better"
