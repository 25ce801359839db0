"""The parallel grader (:mod:`arabtexts.fastgrade`) gives exactly the grades of ``arabtexts grade``.

A small class of assignment 01 (the full solution, a partly wrong answer, the unmodified
release, a submission with a deleted test cell) is graded twice, in two copies of the same
temporary course: with the robust sequential grader and with ``grade_class``. Every grade must be
identical, the gradebook must open cleanly, a second run must change nothing, manual grades
must survive, and a worker that fails must hand its students to the robust path.
Correctness only: timings are in benchmarks/REPORT.md, never asserted.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bad_submissions as bs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "assignments"
FIRST = "01-kadhimi-washington"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (COURSE / "source" / FIRST).is_dir(), reason="assignment 01 missing"),
]

WRONG = ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")')


def grades(db: Path, assignment: str = FIRST) -> dict:
    """(student, notebook, cell) → (auto_score, max_score, needs_manual_grade, manual_score), plus totals."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{db}", "arabtexts") as gb:
        for sub in gb.assignment_submissions(assignment):
            out[(sub.student.id, "*", "total")] = (sub.score, sub.max_score, sub.needs_manual_grade, None)
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, nb.name, g.name)] = (g.auto_score, g.max_score,
                                                              g.needs_manual_grade, g.manual_score)
                for c in nb.comments:
                    out[(sub.student.id, nb.name, "comment:" + c.name)] = (c.auto_comment, None, None,
                                                                          c.manual_comment)
    return out


def outcome(cell) -> tuple:
    """What a cell's outputs say, independent of how the kernel chunked its streams."""
    kinds, errors = [], []
    for o in cell.get("outputs", []):
        kind = o.get("output_type")
        if kind == "error":
            errors.append(o.get("ename"))
        if not kinds or kinds[-1] != kind or kind != "stream":
            kinds.append(kind)
    return tuple(kinds), tuple(errors)


def row_counts(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """Two identical copies of a released course with the same four submissions."""
    from arabtexts import cli

    base = tmp_path_factory.mktemp("fastgrade")
    seed = base / "seed"
    (seed / "source").mkdir(parents=True)
    shutil.copytree(COURSE / "source" / FIRST, seed / "source" / FIRST)
    shutil.copy(COURSE / "nbgrader_config.py", seed / "nbgrader_config.py")
    old = {k: os.environ.get(k) for k in ("ARABTEXTS_EXCHANGE", "ARABTEXTS_EXECUTE_TIMEOUT", "PATH")}
    os.environ["ARABTEXTS_EXCHANGE"] = str(base / "exchange")
    os.environ["ARABTEXTS_EXECUTE_TIMEOUT"] = "10"
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        assert cli.main(["--course-root", str(seed), "release", FIRST]) == 0
        (src_path,) = sorted((seed / "source" / FIRST).glob("*.ipynb"))
        name = src_path.stem
        src = nbformat.read(str(src_path), as_version=4)
        rel = nbformat.read(str(seed / "release" / FIRST / f"{name}.ipynb"), as_version=4)
        class_ = {
            "full": bs.solved(rel, src),
            "partly-wrong": bs.with_answer(rel, src, *WRONG),
            "release": bs.blank(rel, src),
            "deleted-test": bs.deleted_test(rel, src),
        }
        for student, nb in class_.items():
            d = seed / "submitted" / student / FIRST
            d.mkdir(parents=True)
            nbformat.write(nb, str(d / f"{name}.ipynb"))
            (d / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
        robust, fast = base / "robust", base / "fast"
        shutil.copytree(seed, robust)
        shutil.copytree(seed, fast)
        yield {"robust": robust, "fast": fast, "name": name, "students": sorted(class_)}
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_runs: dict = {}


def graded(courses) -> dict:
    if not _runs:
        from arabtexts.autograde import grade_assignment
        from arabtexts.fastgrade import grade_class

        _runs["robust"] = grade_assignment(FIRST, root=courses["robust"], echo=lambda m: None)
        _runs["fast"] = grade_class(courses["fast"], FIRST, workers=2, echo=lambda m: None)
    return _runs


def test_same_grades_as_the_robust_grader(courses):
    runs = graded(courses)
    summary = runs["fast"]
    assert summary.workers == 2
    assert summary.fallback == [], "no worker should have failed"
    assert sorted(r.student for r in summary.results) == courses["students"]
    robust = grades(courses["robust"] / "gradebook.db")
    fast = grades(courses["fast"] / "gradebook.db")
    assert robust, "the robust grader wrote no grades"
    assert set(fast) == set(robust)
    for key in sorted(robust):
        assert fast[key] == robust[key], f"{key}: fast {fast[key]} != robust {robust[key]}"
    # the scores returned are the gradebook's, and the class is not trivially uniform
    by_student = {r.student: r for r in runs["robust"]}
    for r in summary.results:
        assert (r.score, r.max_score) == (by_student[r.student].score, by_student[r.student].max_score)
    assert len({r.score for r in summary.results}) >= 3
    autos = [v for k, v in fast.items() if k[0] == "full" and k[1] != "*"
             and not k[2].startswith("comment:") and v[0] is not None]
    assert autos and all(auto == mx > 0 for auto, mx, _, _ in autos), "the solution loses points"
    assert next(r for r in summary.results if r.student == "release").score == 0


def test_same_notes_and_autograded_notebooks(courses):
    runs = graded(courses)
    robust_notes = {r.student: sorted((n.kind, n.cell) for n in r.notes) for r in runs["robust"]}
    fast_notes = {r.student: sorted((n.kind, n.cell) for n in r.notes) for r in runs["fast"].results}
    assert fast_notes == robust_notes
    assert any(k == "deleted-cell" for k, _ in fast_notes["deleted-test"])
    for student in courses["students"]:
        for course in (courses["robust"], courses["fast"]):
            d = course / "autograded" / student / FIRST
            assert (d / f"{courses['name']}.ipynb").is_file(), f"{course.name}/{student}: no autograded notebook"
            assert (d / "arabtexts-notes.json").is_file()
        a = nbformat.read(str(courses["robust"] / "autograded" / student / FIRST / f"{courses['name']}.ipynb"), 4)
        b = nbformat.read(str(courses["fast"] / "autograded" / student / FIRST / f"{courses['name']}.ipynb"), 4)
        assert [c.source for c in a.cells] == [c.source for c in b.cells]
        assert [outcome(c) for c in a.cells] == [outcome(c) for c in b.cells]


def test_gradebook_opens_cleanly_and_submissions_untouched(courses):
    graded(courses)
    db = courses["fast"] / "gradebook.db"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    assert row_counts(db) == row_counts(courses["robust"] / "gradebook.db")
    from nbgrader.api import Gradebook

    def listing(path):  # what the formgrader's "Manage Submissions" shows, without row ids
        with Gradebook(f"sqlite:///{path}", "arabtexts") as gb:
            return sorted(({k: v for k, v in d.items() if k != "id"} for d in gb.submission_dicts(FIRST)),
                          key=lambda d: d["student"])

    fast = listing(db)
    assert [d["student"] for d in fast] == courses["students"]
    assert fast == listing(courses["robust"] / "gradebook.db")
    # nothing was added to the submissions, no temporary folder was left in the course
    for student in courses["students"]:
        assert sorted(p.name for p in (courses["fast"] / "submitted" / student / FIRST).iterdir()) == \
            [f"{courses['name']}.ipynb", "timestamp.txt"]
    assert not list((courses["fast"] / "autograded").rglob("*.fastgrade-tmp"))
    assert (courses["fast"] / "grading-logs").is_dir()


def test_second_run_is_idempotent_and_keeps_manual_grades(courses):
    from nbgrader.api import Gradebook

    from arabtexts.fastgrade import grade_class

    graded(courses)
    db = courses["fast"] / "gradebook.db"
    before = grades(db)
    counts = row_counts(db)
    # a grader gives a manual score to the written answer of "full"
    with Gradebook(f"sqlite:///{db}", "arabtexts") as gb:
        sub = gb.find_submission_notebook(courses["name"], FIRST, "full")
        manual = next(g for g in sub.grades if g.cell_type == "markdown")
        manual.manual_score = 1.0
        manual_name = manual.name
        gb.db.commit()
    again = grade_class(courses["fast"], FIRST, workers=2, echo=lambda m: None)
    assert again.fallback == []
    after = grades(db)
    assert row_counts(db) == counts, "a second run added rows"
    for key, value in before.items():
        if key[:3] == ("full", courses["name"], manual_name):
            assert after[key][3] == 1.0, "the manual score was lost"
            assert after[key][2] is True, "a manually graded cell stays marked for review"
        elif key == ("full", "*", "total"):
            continue  # the total now includes the manual point
        else:
            assert after[key] == value, f"{key}: {after[key]} != {value} after a second run"


def test_failed_worker_falls_back_to_the_robust_path(courses, monkeypatch):
    from arabtexts import fastgrade

    graded(courses)
    db = courses["fast"] / "gradebook.db"
    before = grades(db)
    real_start = fastgrade._start

    def broken_start(w, assignment, timeout):
        real_start(w, assignment, timeout)
        fastgrade._stop(w)  # the worker dies before it grades anybody

    monkeypatch.setattr(fastgrade, "_start", broken_start)
    summary = fastgrade.grade_class(courses["fast"], FIRST, workers=1, students=["partly-wrong"],
                                    echo=lambda m: None)
    assert summary.fallback == ["partly-wrong"]
    (r,) = summary.results
    assert (r.score, r.max_score) == before[("partly-wrong", "*", "total")][:2]
    after = grades(db)
    assert {k: v for k, v in after.items() if k[0] == "partly-wrong"} == \
           {k: v for k, v in before.items() if k[0] == "partly-wrong"}


def test_cli_grade_fast_uses_the_parallel_grader(courses, tmp_path, capsys):
    """`arabtexts grade --fast` (the instructor's command) grades with grade_class, same scores."""
    from arabtexts import cli

    runs = graded(courses)  # the robust reference
    course = tmp_path / "cli-fast"
    shutil.copytree(courses["robust"].parent / "seed", course)
    assert cli.main(["--course-root", str(course), "grade", FIRST, "--fast", "--workers", "2",
                     "--student", "full", "--student", "release"]) == 0
    out = capsys.readouterr().out
    assert "full" in out and "release" in out
    logs = list((course / "grading-logs").glob("fastgrade-*.log"))
    assert logs, "the parallel grader writes its own log"
    got = grades(course / "gradebook.db")
    want = grades(courses["robust"] / "gradebook.db")
    for student in ("full", "release"):
        assert got[(student, "*", "total")] == want[(student, "*", "total")]
    assert {k[0] for k in got} == {"full", "release"}
    assert runs["robust"]
