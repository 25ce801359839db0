"""Grade exports (arabtexts.grading.export) on a real nbgrader gradebook built with nbgrader.api.

The expected numbers are computed here from the grades the test itself writes, not copied.
"""
from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest

from arabtexts.grading import export as ex

ASSIGNMENTS = {  # assignment → {cell: max points}
    "01-kadhimi-washington": {"q1-tests": 2.0, "q2-tests": 3.0, "q10-tests": 1.5},
    "02-strategic-dialogue": {"q1-tests": 4.0, "q2-written": 2.0},
}
STUDENTS = {"s_karim": ("كريم", "الجبوري", "karim@example.edu"),
            "s_noor": ("نور", "علي", "noor@example.edu"),
            "s_late": ("Sam", "Late", "late@example.edu")}
# scores written into the gradebook: (student, assignment) → {cell: points}
SCORES = {
    ("s_karim", "01-kadhimi-washington"): {"q1-tests": 2.0, "q2-tests": 0.0, "q10-tests": 1.5},
    ("s_noor", "01-kadhimi-washington"): {"q1-tests": 1.0, "q2-tests": 3.0, "q10-tests": 0.0},
    ("s_karim", "02-strategic-dialogue"): {"q1-tests": 4.0, "q2-written": 1.5},
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One gradebook for the module (the exports only read it)."""
    from nbgrader.api import Gradebook

    tmp_path = tmp_path_factory.mktemp("course")
    # a new gradebook is stamped by nbgrader running `alembic`: this Python's bin first on PATH
    mp = pytest.MonkeyPatch()
    mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        for sid, (first, last, email) in STUDENTS.items():
            gb.add_student(sid, first_name=first, last_name=last, email=email)
        for a, cells in ASSIGNMENTS.items():
            gb.add_assignment(a)
            gb.add_notebook(a, a)
            for name, pts in cells.items():
                gb.add_grade_cell(name, a, a, max_score=pts, cell_type="markdown" if "written" in name else "code")
        for (sid, a), cells in SCORES.items():
            gb.add_submission(a, sid)
            for name, pts in cells.items():
                g = gb.find_grade(name, a, a, sid)
                g.manual_score = pts
            gb.db.commit()
    mp.undo()
    return tmp_path


@pytest.fixture()
def roster(tmp_path):
    p = tmp_path / "roster.csv"
    lines = ["id,first_name,last_name,email,role",
             "s_noor,نور,علي,noor@uni.example,student",
             "s_karim,كريم,الجبوري,karim@uni.example,student",
             "t_teacher,Tea,Cher,t@uni.example,instructor",
             "s_absent,غائب,الطالب,absent@uni.example,student"]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def total(sid, a):
    cells = SCORES.get((sid, a))
    return None if cells is None else sum(cells.values())


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_canvas_one_row_per_student_one_column_per_assignment(course, roster, tmp_path):
    out = ex.export_lms(course, tmp_path / "canvas.csv", roster, lms="canvas", section="A")
    rows = read(out)
    header, points, body = rows[0], rows[1], rows[2:]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ASSIGNMENTS]
    assert points[0].strip() == "Points Possible"
    assert [float(x) for x in points[5:]] == [sum(c.values()) for c in ASSIGNMENTS.values()]
    ids = [r[2] for r in body]
    # roster order, instructor left out, roster student without a gradebook entry kept,
    # gradebook student missing from the roster appended
    assert ids == ["s_noor", "s_karim", "s_absent", "s_late"]
    by_id = {r[2]: r for r in body}
    assert by_id["s_karim"][0] == "الجبوري, كريم"
    assert by_id["s_karim"][3] == "karim@uni.example"  # the roster's e-mail wins
    assert by_id["s_late"][3] == "late@example.edu"  # from the gradebook
    assert all(r[4] == "A" for r in body)
    for sid, r in by_id.items():
        for a, cell in zip(ASSIGNMENTS, r[5:]):
            want = total(sid, a)
            assert (cell == "") if want is None else float(cell) == pytest.approx(want), (sid, a, cell)


def test_moodle_columns_and_zero_for_missing(course, roster, tmp_path):
    out = ex.export_lms(course, tmp_path / "moodle.csv", roster, lms="moodle", missing=0)
    rows = read(out)
    assert rows[0][:4] == ["First name", "Last name", "ID number", "Email address"]
    assert rows[0][4] == "01-kadhimi-washington (6.5 pts)"
    by_id = {r[2]: r for r in rows[1:]}
    assert by_id["s_noor"][:2] == ["نور", "علي"]
    assert float(by_id["s_noor"][4]) == total("s_noor", "01-kadhimi-washington")
    assert by_id["s_noor"][5] == "0"  # no submission of 02 → 0 when asked
    assert by_id["s_absent"][4:] == ["0", "0"]


def test_questions_one_column_per_graded_cell(course, roster, tmp_path):
    out = ex.export_questions(course, tmp_path / "questions.csv", roster)
    rows = read(out)
    header = rows[0]
    assert header[:2] == ["student_id", "email"]
    # natural order: q2 before q10
    assert header[2:5] == ["01-kadhimi-washington/q1-tests", "01-kadhimi-washington/q2-tests",
                           "01-kadhimi-washington/q10-tests"]
    maxes = dict(zip(header, rows[1]))
    assert float(maxes["02-strategic-dialogue/q2-written"]) == 2.0
    by_id = {r[0]: dict(zip(header, r)) for r in rows[2:]}
    for (sid, a), cells in SCORES.items():
        for cell, pts in cells.items():
            assert float(by_id[sid][f"{a}/{cell}"]) == pytest.approx(pts)
    assert by_id["s_noor"]["02-strategic-dialogue/q1-tests"] == ""
    assert by_id["s_absent"]["01-kadhimi-washington/q1-tests"] == ""


def test_clear_errors(tmp_path, course):
    with pytest.raises(ex.ExportError, match="no gradebook"):
        ex.lms_table(tmp_path / "nowhere")
    with pytest.raises(ex.ExportError, match="unknown LMS"):
        ex.lms_table(course, lms="blackboard")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,mail\nx,y\n", encoding="utf-8")
    with pytest.raises(ex.ExportError, match="'id' column"):
        ex.read_roster(bad)


def test_existing_file_is_replaced_whole(course, tmp_path):
    out = tmp_path / "grades.csv"
    out.write_text("old", encoding="utf-8")
    ex.export_questions(course, out)
    assert read(out)[0][0] == "student_id"
    assert not (tmp_path / "grades.csv.tmp").exists()


def test_cli_export_calls_the_same_exports(course, roster, tmp_path, capsys):
    """`arabtexts export --lms/--questions` only parses and calls; a bad roster is a clear message."""
    from arabtexts.cli import main

    out = tmp_path / "cli-canvas.csv"
    assert main(["--course-root", str(course), "export", "--lms", "canvas", "--roster", str(roster),
                 "--section", "A", "--to", str(out)]) == 0
    assert read(out) == read(ex.export_lms(course, tmp_path / "direct.csv", roster, lms="canvas", section="A"))
    out_q = tmp_path / "cli-questions.csv"
    assert main(["--course-root", str(course), "export", "--questions", "--to", str(out_q)]) == 0
    assert read(out_q) == read(ex.export_questions(course, tmp_path / "direct-q.csv"))
    assert main(["--course-root", str(course), "export", "--lms", "moodle",
                 "--roster", str(tmp_path / "missing.csv"), "--to", str(tmp_path / "x.csv")]) == 2
    assert "cannot read the roster" in capsys.readouterr().out
