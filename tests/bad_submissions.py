"""Builders of student submissions, good and bad, for the nbgrader workflow tests.

Every builder takes the released (student) notebook and the source notebook (with solutions)
as ``nbformat`` nodes and returns a new notebook node, or ``str`` for a file that is not a
notebook. Nothing is modified in place.
"""
from __future__ import annotations

import copy
import re

import nbformat


def _ng(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell) -> str | None:
    return _ng(cell).get("grade_id")


def cell_by_id(nb, gid: str):
    for c in nb.cells:
        if grade_id(c) == gid:
            return c
    raise KeyError(gid)


def answer_ids(nb) -> list[str]:
    return [grade_id(c) for c in nb.cells if _ng(c).get("solution") and c.cell_type == "code"]


def autograded_test_ids(nb) -> list[str]:
    return [grade_id(c) for c in nb.cells if _ng(c).get("grade") and not _ng(c).get("solution")]


def solved(release, source):
    """The release with every code answer cell filled in from the source's solution (a good student)."""
    nb = copy.deepcopy(release)
    for c in nb.cells:
        m = _ng(c)
        if m.get("solution") and c.cell_type == "code":
            c.source = cell_by_id(source, m["grade_id"]).source
        elif m.get("solution") and c.cell_type == "markdown":
            c.source = "The author thinks Iraq needs security guarantees. · يرى الكاتب أن العراق يحتاج إلى ضمانات."
    return nb


def blank(release, source):
    """The release, unchanged (a student who submits without answering)."""
    return copy.deepcopy(release)


def with_answer(release, source, gid: str, code: str):
    """A good student except for one answer cell, replaced by ``code``."""
    nb = solved(release, source)
    cell_by_id(nb, gid).source = code
    return nb


# ------------------------------------------------------------------ bad submissions


def invalid_json(release, source) -> str:
    """A notebook file cut in the middle (e.g. an interrupted download): not valid JSON."""
    text = nbformat.writes(solved(release, source))
    return text[: len(text) // 2]


def missing_cells(release, source, *, drop: tuple[str, ...] = ()):
    """A good student who deleted some cells: a question's text and the last answer cell by default."""
    nb = solved(release, source)
    answers = answer_ids(nb)
    drop = drop or ("q1-text", answers[-1])
    nb.cells = [c for c in nb.cells if grade_id(c) not in drop and c.get("id") not in drop]
    return nb


def infinite_loop(release, source, *, gid: str | None = None):
    """A good student whose second answer cell starts with an endless loop."""
    nb = solved(release, source)
    gid = gid or answer_ids(nb)[1]
    c = cell_by_id(nb, gid)
    c.source = "while True:\n    pass\n" + c.source
    return nb


def raising(release, source, *, gid: str | None = None):
    """A good student whose third answer cell raises, plus a cell of their own that raises."""
    nb = solved(release, source)
    gid = gid or answer_ids(nb)[2]
    c = cell_by_id(nb, gid)
    c.source = "raise ValueError('I gave up here')\n" + c.source
    nb.cells.append(nbformat.v4.new_code_cell("1 / 0  # my own experiment"))
    return nb


def edited_test(release, source, *, test_gid: str | None = None, answer_gid: str | None = None):
    """A wrong first answer whose test cell was edited to pass; the other answers are right."""
    nb = solved(release, source)
    answers = answer_ids(nb)
    answer_gid = answer_gid or answers[0]
    test_gid = test_gid or autograded_test_ids(nb)[0]
    a = cell_by_id(nb, answer_gid)
    # keep the definitions but make them wrong: every `return` returns None
    a.source = re.sub(r"return .*", "return None", a.source)
    cell_by_id(nb, test_gid).source = "# tests removed by the student\nassert True"
    return nb


def deleted_test(release, source, *, test_gid: str | None = None):
    """A good student who deleted a test cell."""
    nb = solved(release, source)
    test_gid = test_gid or autograded_test_ids(nb)[3 % len(autograded_test_ids(nb))]
    nb.cells = [c for c in nb.cells if grade_id(c) != test_gid]
    return nb


def stripped_metadata(release, source, *, test_gid: str | None = None):
    """A good student whose answer and test cells of one question lost their nbgrader metadata
    (e.g. pasted from another notebook, or saved by an editor that drops metadata); the test
    cell also got a new cell id, so only its content identifies it."""
    nb = solved(release, source)
    tests = autograded_test_ids(nb)
    test_gid = test_gid or tests[4 % len(tests)]
    idx = next(i for i, c in enumerate(nb.cells) if grade_id(c) == test_gid)
    nb.cells[idx].metadata.pop("nbgrader", None)
    nb.cells[idx]["id"] = "pasted-test-cell"
    # and the answer cell right before it
    for j in range(idx - 1, -1, -1):
        if _ng(nb.cells[j]).get("solution"):
            nb.cells[j].metadata.pop("nbgrader", None)
            break
    return nb


#: name → (builder, what the test expects: "full" autograded points, "zero", or points lost)
BAD = {
    "bad-json": invalid_json,
    "bad-missing": missing_cells,
    "bad-loop": infinite_loop,
    "bad-raise": raising,
    "bad-edited": edited_test,
    "bad-deleted": deleted_test,
    "bad-stripped": stripped_metadata,
}
