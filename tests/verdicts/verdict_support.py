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


def test_cells(nb) -> list[str]:
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
