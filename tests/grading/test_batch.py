"""The one grader (:func:`arabtexts.grading.batch.grade_class`, ``arabtexts grade``).

A small class of assignment 01 (the full solution, a wrong answer, the unmodified release, a
deleted test cell, broken JSON) is graded in two copies of the same course: with 2 workers
(kernels forked from the warm zygote, where it can run) and with ``--workers 1`` and a fresh
kernel per student (``ARABTEXTS_ZYGOTE=0``). Every grade must be identical, equal the report, and match what the
source's points say; a second run changes nothing and keeps manual grades; a student whose
grading crashes is reported ``failed`` while the others are graded; without a usable sandbox
grading refuses unless ``--no-sandbox`` is given. Correctness only: timings are in
benchmarks/REPORT.md.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from course_support import FIRST, bs, cell_grades, course_env, make_course, points, submit, use_sandbox

pytestmark = pytest.mark.slow

WRONG = ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")')


def row_counts(db) -> dict:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    from arabtexts.grading.batch import grade_class

    base = tmp_path_factory.mktemp("batch")
    with course_env(base):
        seed, src, rel, name = make_course(base)
        klass = {"full": bs.solved(rel, src), "wrong-q2": bs.with_answer(rel, src, *WRONG),
                 "release": bs.blank(rel, src), "deleted-test": bs.deleted_test(rel, src),
                 "bad-json": bs.invalid_json(rel, src)}
        for student, nb in klass.items():
            submit(seed, FIRST, student, name, nb)
        two, one = base / "two", base / "one"
        shutil.copytree(seed, two)
        shutil.copytree(seed, one)
        lines: list[str] = []
        s2 = grade_class(two, FIRST, workers=2, sandbox=use_sandbox(), echo=lines.append)
        os.environ["ARABTEXTS_ZYGOTE"] = "0"
        try:
            s1 = grade_class(one, FIRST, workers=1, sandbox=use_sandbox(), echo=lambda m: None)
        finally:
            os.environ.pop("ARABTEXTS_ZYGOTE", None)
        yield {"two": two, "one": one, "s2": s2, "s1": s1, "src": src, "rel": rel, "name": name,
               "students": sorted(klass), "log": lines, "base": base}


def test_parallel_and_sequential_give_identical_grades(courses):
    assert courses["s2"].workers == 2 and courses["s1"].workers == 1
    # the log says how kernels were made: forked from the zygote (as root), or one by one
    log2 = courses["s2"].log_path.read_text(encoding="utf-8")
    log1 = courses["s1"].log_path.read_text(encoding="utf-8")
    assert "kernels: a fresh one per student" in log1 and "ARABTEXTS_ZYGOTE=0" in log1
    if os.geteuid() == 0 or not use_sandbox():
        assert "kernels: forked from a warm zygote" in log2
    else:
        assert "no zygote" in log2
    g2, g1 = cell_grades(courses["two"], FIRST), cell_grades(courses["one"], FIRST)
    assert g2 and g2 == g1
    assert sorted({s for s, _ in g2}) == courses["students"]


def test_scores_follow_the_points_of_the_source(courses):
    g = cell_grades(courses["two"], FIRST)
    pts = points(courses["src"])
    for gid, p in pts.items():
        assert g[("full", gid)][0] == p
        assert g[("deleted-test", gid)][0] == p, "a deleted test cell is restored and graded"
        assert g[("release", gid)][0] == 0
        assert g[("bad-json", gid)][0] == 0
        assert g[("wrong-q2", gid)][0] == (0 if gid == "q2-tests" else p)


def test_report_equals_gradebook(courses):
    from nbgrader.api import Gradebook

    report = json.loads((courses["two"] / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))
    assert report["sandbox"] == use_sandbox()
    g = cell_grades(courses["two"], FIRST)
    with Gradebook(f"sqlite:///{courses['two'] / 'gradebook.db'}") as gb:
        for student in courses["students"]:
            entry = report["students"][student]
            sub = gb.find_submission(FIRST, student)
            assert entry["status"] == "graded"
            assert (entry["score"], entry["max_score"]) == (sub.score, sub.max_score)
            for gid, cell in entry["cells"].items():
                assert (cell["score"], cell["max"]) == g[(student, gid)][:2]
    notes = " ".join(report["students"]["bad-json"]["notes"])
    assert "not a valid notebook" in notes
    assert "was missing (deleted)" in " ".join(report["students"]["deleted-test"]["notes"])
    assert any("/5" in line and "#" in line for line in courses["log"]), "no progress bar in the log"


def test_gradebook_intact_and_submissions_untouched(courses):
    for course in (courses["two"], courses["one"]):
        con = sqlite3.connect(course / "gradebook.db")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
        for student in courses["students"]:
            assert sorted(p.name for p in (course / "submitted" / student / FIRST).iterdir()) == \
                [f"{courses['name']}.ipynb", "timestamp.txt"]
            assert (course / "autograded" / student / FIRST / f"{courses['name']}.ipynb").is_file()
        assert not list((course / "autograded").rglob("*.grading-tmp"))
    assert row_counts(courses["two"] / "gradebook.db") == row_counts(courses["one"] / "gradebook.db")


def test_second_run_is_idempotent_and_keeps_manual_grades(courses):
    from nbgrader.api import Gradebook

    from arabtexts.grading.batch import grade_class

    course = courses["two"]
    db = course / "gradebook.db"
    manual = next(bs.grade_id(c) for c in courses["src"].cells
                  if bs._ng(c).get("grade") and bs._ng(c).get("solution"))
    with Gradebook(f"sqlite:///{db}") as gb:
        gb.find_grade(manual, courses["name"], FIRST, "full").manual_score = 4
        gb.find_grade("q1-tests", courses["name"], FIRST, "wrong-q2").manual_score = 1.5
        gb.db.commit()
    before, rows = cell_grades(course, FIRST), row_counts(db)
    with course_env(courses["base"]):
        grade_class(course, FIRST, workers=2, sandbox=use_sandbox(), echo=lambda m: None)
    after = cell_grades(course, FIRST)
    assert row_counts(db) == rows
    for key, (auto, mx, need, man) in before.items():
        a2, m2, need2, man2 = after[key]
        assert (a2, m2, man2) == (auto, mx, man), key
    assert after[("full", manual)][3] == 4
    assert after[("wrong-q2", "q1-tests")][2] is True, "a manual grade keeps the cell for review"


def test_a_crashing_student_is_failed_and_the_batch_goes_on(courses, monkeypatch):
    from arabtexts import cli
    from arabtexts.grading import gradebook

    course = courses["one"]
    real = gradebook.Recorder.sanitize

    def broken(self, nb, student, notebook):
        if student == "wrong-q2":
            raise RuntimeError("simulated crash")
        return real(self, nb, student, notebook)

    monkeypatch.setattr(gradebook.Recorder, "sanitize", broken)
    args = ["--course-root", str(course), "grade", FIRST, "--student", "wrong-q2", "--student", "full"]
    if not use_sandbox():
        args.append("--no-sandbox")
    with course_env(courses["base"]):
        rc = cli.main(args)
    assert rc == 1
    report = json.loads((course / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))
    assert report["students"]["wrong-q2"]["status"] == "failed"
    assert "simulated crash" in " ".join(report["students"]["wrong-q2"]["notes"])
    assert report["students"]["full"]["status"] == "graded"
    assert report["students"]["release"]["status"] == "graded", "earlier students stay in the report"


def test_without_a_sandbox_grading_refuses_unless_told(courses, monkeypatch, capsys):
    from arabtexts import cli
    from arabtexts.grading import sandbox

    monkeypatch.setattr(sandbox, "sandbox_status", lambda *a, **k: (False, "no user namespaces (test)"))
    course = courses["one"]
    before = cell_grades(course, FIRST)
    with course_env(courses["base"]):
        rc = cli.main(["--course-root", str(course), "grade", FIRST, "--student", "full"])
    out = capsys.readouterr().out
    assert rc == 2
    assert "refusing to grade" in out and "no user namespaces (test)" in out and "--no-sandbox" in out
    assert cell_grades(course, FIRST) == before
    with course_env(courses["base"]):
        rc = cli.main(["--course-root", str(course), "grade", FIRST, "--student", "full", "--no-sandbox"])
    assert rc == 0
    # a perfect notebook whose written answer waits for a person says so, with the points
    by_hand = sum(bs._ng(c).get("points", 0) for c in courses["src"].cells
                  if bs._ng(c).get("grade") and bs._ng(c).get("solution"))
    (line,) = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("full ")]
    assert by_hand > 0 and f"+{by_hand:g}" in line.split()
    report = json.loads((course / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))
    assert report["sandbox"] is False
