"""Were the order step's settings chosen fairly? A nested leave-one-text-out check.

The order step (:mod:`arabtexts.repair.order`) has a few settings: the weights of the word
pairs and word classes, how many words of the neighbouring lines it reads, and the margin by
which another order must read better. They were first chosen on all 70 damaged lines of the
labelled set, the measured text included. This module asks what a fair choice gives: for each
measured text T, every setting of a small grid (:data:`GRID`) is scored on the *other two* PDF
texts only, each of them repaired with statistics learnt without itself **and without T**;
the best-scoring setting (no undamaged line changed, then most damaged lines read right) is
then used on T, repaired with statistics learnt without T. Ties are broken in favour of the
settings the package ships (:data:`SHIPPED`), a rule fixed before the run; the spread of T's
figure over the tied settings is reported too.

What a setting decides, for example: whether 004's first body line, printed «يــد مــن التعقيــد،
إذ تؤكــد تتجــه العلاقــة … إلى مز», is read «تتجــه العلاقــة … إلى مزيــد مــن التعقيــد، إذ تؤكــد»
(right) or with «تتجــه» at its end (the shipped settings' reading), or left as the earlier steps
made it.

It repairs the three texts about 350 times (several minutes on one core), so no test runs it:

    python -m arabtexts.repair.tune            # a Markdown table on stdout

>>> sorted(GRID) == sorted(SHIPPED)
True
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from itertools import product

from . import order as O

#: the settings tried (names of :mod:`arabtexts.repair.order` constants)
GRID = {
    "WORD_WEIGHT": (0.5, 1.0, 2.0),
    "SHAPE_WEIGHT": (0.5, 1.0, 2.0),
    "EDGE_WORDS": (1, 2),
    "MARGIN": (1.0, 3.0),
}
#: the settings the package ships
SHIPPED = {name: getattr(O, name) for name in GRID}
TEXTS = ("000", "001", "004")


@contextmanager
def settings(**values):
    """Set order-step constants for the duration of a ``with`` block.

    >>> with settings(MARGIN=3.0):
    ...     O.MARGIN
    3.0
    >>> O.MARGIN == SHIPPED["MARGIN"]
    True
    """
    old = {k: getattr(O, k) for k in values}
    try:
        for k, v in values.items():
            setattr(O, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(O, k, v)


def tally(aid: str, also: tuple[str, ...] = ()) -> tuple[int, int]:
    """(damaged lines read right, undamaged lines changed) of one text, repaired with
    statistics learnt without it and without the texts in ``also`` (raw strings)."""
    from ..corpus import get_article
    from . import measure, repair_text

    with settings(HELD_OUT=also):
        rep = repair_text(get_article(aid).text)
    right = changed = 0
    for r in measure.load_lines():
        if r["article_id"] != aid:
            continue
        s = int(r["raw_offset"])
        got = measure.line_reading(rep, s, s + len(r["printed"])).split()
        if r["kind"] == "none":
            changed += got != r["printed"].split()
        else:
            right += got == r["correct"].split()
    return right, changed


def nested(grid: dict = GRID) -> list[dict]:
    """One row per measured text: the setting picked on the other two texts, the text's
    damaged lines read right with it, and the lowest and highest figure over tied settings."""
    from ..corpus import get_article

    raw = {a: get_article(a).text for a in TEXTS}
    combos = [dict(zip(grid, vals)) for vals in product(*grid.values())]
    inner: dict = {}   # (combo index, U, T) -> tally of U without U and T
    outer: dict = {}   # (combo index, T) -> tally of T without T
    for ci, combo in enumerate(combos):
        with settings(**combo):
            for t in TEXTS:
                outer[ci, t] = tally(t)
                for u in TEXTS:
                    if u != t:
                        inner[ci, u, t] = tally(u, (raw[t],))
    out = []
    for t in TEXTS:
        others = [u for u in TEXTS if u != t]

        def key(ci):
            return (-sum(inner[ci, u, t][1] for u in others), sum(inner[ci, u, t][0] for u in others))

        best = max(key(ci) for ci in range(len(combos)))
        tied = [ci for ci in range(len(combos)) if key(ci) == best]
        pick = next((ci for ci in tied if combos[ci] == SHIPPED), tied[0])
        figs = [outer[ci, t][0] for ci in tied]
        out.append(dict(text=t, picked=combos[pick], shipped=combos[pick] == SHIPPED,
                        ties=len(tied), right=outer[pick, t][0], changed=outer[pick, t][1],
                        right_min=min(figs), right_max=max(figs),
                        inner_right=best[1], best_possible=max(outer[ci, t][0] for ci in range(len(combos)))))
    return out


def main(argv=None) -> int:
    rows = nested()
    print("| text | picked on the other two | tied settings | read right (ties: min–max) "
          "| undamaged changed | best setting in hindsight |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        picked = ", ".join(f"{k}={v:g}" for k, v in r["picked"].items())
        print(f"| {r['text']} | {picked}{' (shipped)' if r['shipped'] else ''} | {r['ties']} | "
              f"{r['right']} ({r['right_min']}–{r['right_max']}) | {r['changed']} | {r['best_possible']} |")
    print(f"| all | | | {sum(r['right'] for r in rows)} ({sum(r['right_min'] for r in rows)}–"
          f"{sum(r['right_max'] for r in rows)}) | {sum(r['changed'] for r in rows)} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
