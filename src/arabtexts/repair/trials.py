"""Ideas for the order step that were measured and dropped (issue 13, third round).

Each trial changes one thing in :mod:`arabtexts.repair.order` for the length of a ``with``
block, repairs 000, 001 and 004 leave one text out (:func:`arabtexts.repair.measure.judge`)
and reports the damaged lines read right and the undamaged lines changed. The shipped step
reads 46 of the 70 damaged lines right and changes none of the 271 undamaged ones; no trial
below does better, so none is shipped. ``docs/extractor-report.md`` quotes these figures.

What a trial decides, for example: whether 004's first body line, printed «يــد مــن التعقيــد،
إذ تؤكــد تتجــه العلاقــة … إلى مز», ends with «تؤكــد» (right: the next line goes on «الحكومة
العراقية») or with «تتجــه».

    python -m arabtexts.repair.trials          # a Markdown table on stdout (about a minute)

>>> same, total = kashida_per_chunk()    # no kashida shows where a chunk began
>>> same == total
True
"""
from __future__ import annotations

import csv
import math
import re
import sys
from contextlib import contextmanager

from . import order as O

TATWEEL = "\u0640"


@contextmanager
def patched(obj, name, value):
    """Set ``obj.name`` to ``value`` for a ``with`` block (restored after an error too).

    >>> with patched(O, "MARGIN", 9.0):
    ...     O.MARGIN
    9.0
    >>> O.MARGIN
    1.0
    """
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def tally(judged=None) -> tuple[int, int, int]:
    """(damaged lines read right, damaged lines, undamaged lines changed)."""
    from . import measure

    judged = measure.judge() if judged is None else judged
    dam = [r for r in judged if r["kind"] != "none"]
    return (sum(r["right"] for r in dam), len(dam),
            sum(r["changed"] for r in judged if r["kind"] == "none"))


# ---------------------------------------------------------------- idea 1: decode jointly


def oracle_neighbours() -> tuple[int, int, int]:
    """The upper bound of decoding a paragraph jointly: every line is read between its
    neighbours' *correct* readings (from the labels), as a perfect joint decoder would see
    them. If this does not beat the shipped step, a Viterbi or beam over the paragraph cannot."""
    from .. import repair as R
    from ..corpus import get_article
    from . import measure

    rows = measure.load_lines()
    correct = {(r["article_id"], int(r["raw_line_no"])): r["correct"] for r in rows}
    texts = {get_article(a).text: a for a in ("000", "001", "004")}

    def order_lines(raw, lines, starts, paras, results, lex):
        model = O.model_without(raw, O.HELD_OUT)
        aid = texts.get(raw)
        new, notes = dict(results), {}
        for para in paras:
            for k, i in enumerate(para):
                prev = correct[aid, para[k - 1]].split() if k else None
                nxt = correct[aid, para[k + 1]].split() if k + 1 < len(para) else None
                prefix, suffix = O.edges(prev, nxt)
                new[i], notes[i] = R._order_one(lines[i], starts[i], results[i], lex, model,
                                                prefix, suffix)
        return new, notes

    with patched(R, "_order_lines", order_lines):
        return tally()


# ---------------------------------------------------------------- idea 2: geometry


def kashida_per_chunk() -> tuple[int, int]:
    """(damaged lines whose chunks all share one kashida length, damaged lines with chunks):
    if every chunk of a line is stretched alike, tatweel cannot show where a chunk began."""
    from . import measure

    same = total = 0
    for r in measure.load_lines():
        if r["kind"] == "none" or not r["chunks"]:
            continue
        lengths = set()
        for chunk in r["chunks"].split(" ‖ "):
            runs = [len(m) for m in re.findall(TATWEEL + "+", chunk)]
            lengths.add(max(runs, default=0))
        total += 1
        same += len(lengths - {0}) <= 1
    return same, total


def spaces_at_cuts() -> dict[str, int]:
    """The printed gaps at chunk boundaries, by width (1 is the one space between any two
    words; a lost number leaves a wider gap), over the labelled lines with chunk markup.

    >>> spaces_at_cuts()[1] > 0
    True
    """
    from . import measure

    out: dict[int, int] = {}
    for r in measure.load_lines():
        if r["kind"] == "none" or not r["chunks"]:
            continue
        toks = list(re.finditer(r"\S+", r["printed"]))
        k = 0
        for chunk in r["chunks"].split(" ‖ ")[:-1]:
            k += len(chunk.split())
            if 0 < k < len(toks):
                gap = toks[k].start() - toks[k - 1].end()
                out[gap] = out.get(gap, 0) + 1
    return dict(sorted(out.items()))


def _position_prior(exclude: str) -> list[float]:
    """Log-density (10 bins) of where the printed first chunk of a two-chunk line ends, as a
    fraction of the line, from the labelled lines of the texts other than ``exclude``."""
    from . import measure

    h = [1.0] * 10
    for r in measure.load_lines():
        if r["article_id"] == exclude or r["kind"] == "none" or not r["chunks"]:
            continue
        chunks = r["chunks"].split(" ‖ ")
        if len(chunks) == 2:
            f = len(" ".join(chunks[0].split())) / max(1, len(" ".join(r["printed"].split())))
            h[min(9, int(f * 10))] += 1
    return [math.log(x / sum(h) * 10) for x in h]


@contextmanager
def position_prior(weight: float):
    """Add ``weight`` × the chunk-position prior (learnt without the repaired text) to every
    two-chunk reading."""
    from .. import repair as R
    from ..corpus import get_article

    texts = {get_article(a).text: a for a in ("000", "001", "004")}
    priors = {a: _position_prior(a) for a in texts.values()}
    current: dict = {}
    repair_text, score = R.repair_text, O.score

    def repair(raw, **kw):
        current["prior"] = priors.get(texts.get(raw, ""))
        return repair_text(raw, **kw)

    def scored(model, toks, r, prefix, suffix, base_chunks=1):
        s = score(model, toks, r, prefix, suffix, base_chunks)
        if r.chunks == 2 and current.get("prior"):
            f = len(" ".join(toks[: r.order[0]])) / max(1, len(" ".join(toks)))
            s += weight * current["prior"][min(9, int(f * 10))]
        return s

    with patched(R, "repair_text", repair), patched(O, "score", scored):
        yield


@contextmanager
def lone_tail_penalty(nats: float):
    """Penalise a reading whose last chunk is a word's tail alone («… أ» + «كثر»), which the
    labels show only once, at a paragraph's end."""
    score = O.score

    def scored(model, toks, r, prefix, suffix, base_chunks=1):
        s = score(model, toks, r, prefix, suffix, base_chunks)
        if r.chunks >= 2 and r.order[-1] == 0 and r.glue[-1] and suffix != O.EOS:
            s -= nats
        return s

    with patched(O, "score", scored):
        yield


# ---------------------------------------------------------------- the statistics themselves


@contextmanager
def char_model_inside_words():
    """The character model scores each word on its own (junctions left to the word models)."""

    def logp(self, prefix, s):
        words = [w for w in O.word_units(s) if w not in (O.BOS, O.EOS)]
        whole = prefix + s
        return (O.CHAR_WEIGHT * sum(self.chars.logp(" ", w + " ") for w in words)
                + O.WORD_WEIGHT * self.words.score(whole) + O.SHAPE_WEIGHT * self.shapes.score(whole))

    with patched(O.Model, "logp", logp):
        yield


@contextmanager
def word_backoff(kind: str):
    """Back a rare word off to another class than its last two letters."""

    def cls(self, x):
        if self.uni[x] >= self.COMMON or len(x) < 3:
            return x
        return "~" if kind == "pool" else "~" + O.shape(x)

    O.model_without.cache_clear()
    try:
        with patched(O.WordModel, "cls", cls):
            yield
    finally:
        O.model_without.cache_clear()


@contextmanager
def weights(char: float, word: float, shape: float):
    with patched(O, "CHAR_WEIGHT", char), patched(O, "WORD_WEIGHT", word), \
            patched(O, "SHAPE_WEIGHT", shape):
        yield


def _judged_with(cm) -> tuple[int, int, int]:
    with cm:
        return tally()


#: the trials run by :func:`main`, by name
TRIALS = {
    "char model inside words only": char_model_inside_words,
    "chunk position prior (weight 1)": lambda: position_prior(1.0),
    "chunk position prior (weight 3)": lambda: position_prior(3.0),
    "lone word tail as last chunk, -6 nats": lambda: lone_tail_penalty(6.0),
    "rare words back off to one pooled class": lambda: word_backoff("pool"),
    "rare words back off to their word class": lambda: word_backoff("shape"),
    "character model at half weight": lambda: weights(0.6, 1.0, 1.0),
    "no character model (word pairs 2, classes 1)": lambda: weights(0.0, 2.0, 1.0),
}


def main(argv=None) -> int:
    base = tally()
    print("| trial | damaged read right | undamaged changed |")
    print("|---|---:|---:|")
    print(f"| shipped order step | {base[0]}/{base[1]} | {base[2]} |")
    right, n, changed = oracle_neighbours()
    print(f"| neighbours read as labelled (joint decoding's ceiling) | {right}/{n} | {changed} |")
    for name, make in TRIALS.items():
        right, n, changed = _judged_with(make())
        print(f"| {name} | {right}/{n} | {changed} |")
    same, total = kashida_per_chunk()
    print(f"\nkashida: {same} of {total} damaged lines stretch every chunk alike")
    print("gaps at chunk boundaries:", spaces_at_cuts())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
