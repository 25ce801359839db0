"""Student notebooks for the verdict tests, built from the RELEASED version of an assignment.

Each ``students_NN.py`` module holds, for one assignment, a few students written by reading the
released notebook only: what they typed in each answer cell (``answers``: grade id → code; the
cells they left alone keep the released ``raise NotImplementedError()``), their written answer,
and the verdict every autograded question must get (``expect``: test-cell grade id → passed?).
Building from the release keeps them in step with the wording of the questions.

>>> sorted(load_students("01-kadhimi-washington"))[:2]
['alternative', 'half-done']
"""
from __future__ import annotations

import copy
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

#: assignment → module with its students
MODULES = {
    "01-kadhimi-washington": "students_01",
    "02-strategic-dialogue": "students_02",
    "03-foreign-policy-2021": "students_03",
    "04-expel-coalition": "students_04",
    "05-academic-paper": "students_05",
    "06-synthesis": "students_06",
}

WRITTEN = ("My answer, with a quotation from the text: «العراق». · إجابتي مع اقتباس من النص.")


def load_students(assignment: str) -> dict:
    """``{student: {"answers": {...}, "written": str | None, "expect": {...}}}`` of an assignment."""
    return importlib.import_module(MODULES[assignment]).STUDENTS


def _ng(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def answer_cells(nb) -> dict:
    """grade id → answer cell (code or written) of a released notebook."""
    return {_ng(c)["grade_id"]: c for c in nb.cells if _ng(c).get("solution")}


def autograded_ids(nb) -> list[str]:
    """Grade ids of the autograded test cells, in order."""
    return [_ng(c)["grade_id"] for c in nb.cells
            if c.cell_type == "code" and _ng(c).get("grade") and not _ng(c).get("solution")]


def build(release_nb, student: dict):
    """The released notebook with the student's answers typed in (a new notebook node)."""
    nb = copy.deepcopy(release_nb)
    cells = answer_cells(nb)
    unknown = set(student["answers"]) - set(cells)
    if unknown:
        raise KeyError(f"no answer cells {sorted(unknown)} in the release")
    for gid, code in student["answers"].items():
        cells[gid].source = code
    if student.get("written"):
        for c in cells.values():
            if c.cell_type == "markdown":
                c.source = student["written"]
    return nb


# ------------------------------------------------------------------ answers as "needles"


def leaves(value, *, keys: bool = True):
    """Every plain str and number inside a decoded value (see ``arabtexts.grading.values``);
    without ``keys``, a dict's keys are left out (they are the answer's given structure).

    >>> from arabtexts.grading.values import DictValue, SetValue
    >>> sorted(map(str, leaves(DictValue((("أ", [1, 2.5]), ("ب", SetValue(("ج",))))))))
    ['1', '2.5', 'أ', 'ب', 'ج']
    """
    from arabtexts.grading import values as v

    if value is None or isinstance(value, bool):
        return
    if isinstance(value, (str, int, float)):
        yield value
    elif isinstance(value, (list, tuple)):
        for x in value:
            yield from leaves(x, keys=keys)
    elif isinstance(value, v.SetValue):
        for x in value.items:
            yield from leaves(x, keys=keys)
    elif isinstance(value, v.DictValue):
        for k, x in value.pairs:
            if keys:
                yield from leaves(k)
            yield from leaves(x, keys=keys)
    elif isinstance(value, v.Table):
        for row in value.rows:
            yield from leaves(row, keys=keys)
        if not value.positional:
            yield from leaves(value.index, keys=keys)
    elif isinstance(value, v.SeriesValue):
        yield from leaves(value.values, keys=keys)
        if not value.positional:
            yield from leaves(value.index, keys=keys)
    elif isinstance(value, v.FigureValue):
        for ax in value.axes:
            yield from leaves(list(ax.values()), keys=keys)


def fold_text(text: str) -> str:
    from arabtexts.normalize import fold

    return fold(text)


def string_needles(values, *, min_len: int = 4, given: str = "") -> set[str]:
    """Folded answer strings worth looking for: at least ``min_len`` characters, not part of
    the ``given`` material (text every student sees anyway, folded)."""
    out = set()
    for x in leaves(values):
        if isinstance(x, str):
            f = fold_text(x).strip()
            if len(f) >= min_len and f not in given:
                out.add(f)
    return out


def number_needles(values) -> set[str]:
    """Printed forms of the non-integer answer numbers (``51.92``, ``51.9``; ``0.581``)."""
    out = set()
    for x in leaves(values):
        if isinstance(x, float) and x == x and abs(x) < 1e9 and round(x) != x:
            for d in (1, 2, 3):
                s = f"{x:.{d}f}"
                if len(s.replace("-", "").replace(".", "").lstrip("0")) >= 3:
                    out.add(s)
    return out


def contains(folded_text: str, needle: str) -> bool:
    """``needle`` in ``folded_text`` as whole words (not «طريق» inside «بالطريقتين»).

    >>> contains("بالطريقتين معا", "طريق"), contains("عن طريق البحر", "طريق")
    (False, True)
    """
    import re

    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", folded_text) is not None
