"""Measure the repair on whole printed lines: the labelled set ``data/repair_lines.csv``.

Each row of the set is one printed line of 000, 001 or 004 (``printed``), how it should read
(``correct``) and its kind of damage (``none``, ``fragment``, ``swap``, ``multi``; see
``data/clean/README.md``). A line *reads right* when the repaired text made from that raw line
has exactly the words of ``correct`` in the same order (spacing aside). It is *changed* when
its words differ from the printed words.

Every figure is leave one text out by construction: when a text is repaired, the word list
and the character model are learnt from the other four texts only
(:func:`arabtexts.repair.order.model_without`).

>>> rows = load_lines()
>>> len(rows) >= 120 and {r["article_id"] for r in rows} == {"000", "001", "004"}
True
"""
from __future__ import annotations

import csv
from collections import defaultdict

from ..paths import data_dir

KINDS = ("none", "fragment", "swap", "multi")


def load_lines() -> list[dict]:
    """The labelled lines, as dicts of strings."""
    with open(data_dir() / "repair_lines.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def line_reading(rep, start: int, end: int) -> str:
    """The repaired text made from the raw span ``[start, end)`` (one printed line).

    >>> from arabtexts.repair import repair_text
    >>> rep = repair_text("يارات عديدة شهدتها العاصمة بغداد. وز")
    >>> line_reading(rep, 0, len(rep.source))
    'وزيارات عديدة شهدتها العاصمة بغداد.'
    """
    idx = [i for i, o in enumerate(rep.offsets[:-1]) if start <= o < end]
    return rep.text[min(idx): max(idx) + 1].strip() if idx else ""


def judge(order_lines: bool = True) -> list[dict]:
    """One row per labelled line: the labels plus ``output``, ``right`` and ``changed``."""
    from ..corpus import get_article
    from . import repair_text

    rows = load_lines()
    out = []
    cache = {}
    for r in rows:
        aid = r["article_id"]
        if aid not in cache:
            cache[aid] = repair_text(get_article(aid).text, order_lines=order_lines)
        s = int(r["raw_offset"])
        got = line_reading(cache[aid], s, s + len(r["printed"]))
        out.append(dict(r, output=got, right=got.split() == r["correct"].split(),
                        changed=got.split() != r["printed"].split()))
    return out


def scores(judged: list[dict]) -> list[dict]:
    """Per text and per kind (and ``all``): lines, read right, recall; for damaged kinds the
    precision of the lines the repairer changed; for ``none`` how many were changed."""
    groups = defaultdict(list)
    for r in judged:
        for aid in (r["article_id"], "all"):
            groups[(aid, r["kind"])].append(r)
            if r["kind"] != "none":
                groups[(aid, "damaged")].append(r)
    out = []
    for aid in ("001", "000", "004", "all"):
        for kind in KINDS + ("damaged",):
            g = groups.get((aid, kind), [])
            if not g:
                continue
            right = sum(r["right"] for r in g)
            changed = [r for r in g if r["changed"]]
            out.append(dict(article_id=aid, kind=kind, lines=len(g), right=right,
                            recall=round(right / len(g), 3), changed=len(changed),
                            precision=round(sum(r["right"] for r in changed) / len(changed), 3)
                            if changed and kind != "none" else None))
    return out
