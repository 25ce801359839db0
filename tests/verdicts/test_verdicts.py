"""Every question's verdict, for students who wrote each assignment from its released version.

For each of the six assignments, the students of ``students_NN.py`` (an alternative-but-correct
solution, one typical mistake per question, a half-done notebook) are built from the release
(``arabtexts release`` in a private copy of the course), graded together with the instructor's
command (``arabtexts grade``: sandboxed kernels, declared checks, nbgrader's gradebook as the
record) and checked one by one with ``selfcheck`` (hashed keys). Both must give the expected
verdict on every autograded question, so they agree by construction. Every failing verdict
must say, in English and in Arabic, which part failed, and never show the expected value.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verdict_support import (  # noqa: E402
    MODULES, autograded_ids, build, contains, fold_text, load_students, number_needles, string_needles,
)

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignments"
ASSIGNMENTS = list(MODULES)
CELL_TIMEOUT = 120  # seconds per cell (06 computes over the whole corpus)
ARABIC = re.compile(r"[\u0621-\u064A]")
LATIN = re.compile(r"[A-Za-z]{3,}")

pytestmark = pytest.mark.slow

CASES = [(a, s) for a in ASSIGNMENTS for s in load_students(a)]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A private copy of the course directory (sources, config, self-check keys)."""
    root = tmp_path_factory.mktemp("verdict-course")
    shutil.copytree(COURSE / "source", root / "source")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE / "selfcheck", root / "selfcheck")
    old = {k: os.environ.get(k) for k in ("ARABTEXTS_EXCHANGE", "PATH")}
    os.environ["ARABTEXTS_EXCHANGE"] = str(root / "exchange")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    yield root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


_done: dict[str, dict] = {}


def notebook_name(root: Path, assignment: str) -> str:
    (p,) = sorted((root / "source" / assignment).glob("*.ipynb"))
    return p.stem


def gradebook_cells(root: Path, assignment: str, student: str, notebook: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(notebook, assignment, student)
        return {g.name: (g.score, g.max_score) for g in nb.grades if g.cell_type == "code"}


def graded(root: Path, assignment: str) -> dict:
    """Release, build and submit the students, grade them in one batch, self-check each one."""
    if assignment in _done:
        return _done[assignment]
    from arabtexts import cli
    from arabtexts.grading.selfcheck import selfcheck

    assert cli.main(["--course-root", str(root), "release", assignment, "--no-exchange"]) == 0
    name = notebook_name(root, assignment)
    release = nbformat.read(str(root / "release" / assignment / f"{name}.ipynb"), as_version=4)
    students = load_students(assignment)
    paths = {}
    for student, spec in students.items():
        d = root / "submitted" / student / assignment
        d.mkdir(parents=True, exist_ok=True)
        paths[student] = d / f"{name}.ipynb"
        paths[student].write_text(nbformat.writes(build(release, spec)), encoding="utf-8")
        (d / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
    rc = cli.main(["--course-root", str(root), "grade", assignment, "--timeout", str(CELL_TIMEOUT)])
    assert rc == 0, f"arabtexts grade {assignment} exited {rc}"
    report = json.loads((root / "reports" / f"{assignment}.json").read_text(encoding="utf-8"))
    grader, selfchecks = {}, {}
    for student in students:
        cells = gradebook_cells(root, assignment, student, name)
        grader[student] = {gid: score == mx for gid, (score, mx) in cells.items()}
        lines: list[str] = []
        try:
            res = selfcheck(paths[student], root=root, assignment=assignment, timeout=CELL_TIMEOUT,
                            echo=lines.append)
        except Exception as exc:  # noqa: BLE001 - reported by the self-check test, not the grader's
            res = {"questions": []}
            lines.append(f"selfcheck raised {exc.__class__.__name__}: {exc}")
        selfchecks[student] = {"verdicts": {q["grade_id"]: q["ok"] for q in res["questions"]},
                               "problems": {q["grade_id"]: q.get("problems", []) for q in res["questions"]},
                               "output": "\n".join(lines)}
    _done[assignment] = dict(name=name, release=release, students=students, grader=grader,
                             selfcheck=selfchecks, report=report)
    return _done[assignment]


def _diff(expect: dict, got: dict) -> list[str]:
    return [f"{gid}: expected {'pass' if want else 'fail'}, got "
            f"{'missing' if gid not in got else ('pass' if got[gid] else 'fail')}"
            for gid, want in expect.items() if got.get(gid) is not want]


@pytest.mark.parametrize("assignment,student", CASES)
def test_grade_gives_the_expected_verdict_on_every_question(course, assignment, student):
    b = graded(course, assignment)
    expect = b["students"][student]["expect"]
    assert sorted(expect) == sorted(autograded_ids(b["release"])), "a question without an expected verdict"
    wrong = _diff(expect, b["grader"][student])
    cells = b["report"]["students"][student]["cells"]
    assert not wrong, f"{assignment}/{student}: " + "; ".join(
        w + f" {cells.get(w.split(':')[0], {}).get('messages')}" for w in wrong)


@pytest.mark.parametrize("assignment,student", CASES)
def test_selfcheck_gives_the_expected_verdict_on_every_question(course, assignment, student):
    b = graded(course, assignment)
    got = b["selfcheck"][student]
    wrong = _diff(b["students"][student]["expect"], got["verdicts"])
    assert not wrong, f"{assignment}/{student}: " + "; ".join(wrong) + "\n" + got["output"]


def _expected_values(root: Path, assignment: str, name: str) -> dict:
    from arabtexts.grading.declarations import questions
    from arabtexts.grading.expected import expected_values

    src = root / "source" / assignment / f"{name}.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    return expected_values(root, assignment, name, nb, src.read_bytes(), questions(nb), log=lambda m: None)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_failing_verdicts_say_what_and_how_in_both_languages_without_the_answer(course, assignment):
    b = graded(course, assignment)
    import arabtexts.grading as grading

    # what every student sees anyway: the release, and the words of the grader's own messages
    templates = "".join(p.read_text(encoding="utf-8") for p in Path(grading.__file__).parent.glob("*.py"))
    given = fold_text(nbformat.writes(b["release"])) + fold_text(templates)
    values = _expected_values(course, assignment, b["name"])
    needles = string_needles(list(values.values()), given=given)
    release_text = nbformat.writes(b["release"])
    numbers = {n for n in number_needles(list(values.values())) if n not in release_text}
    n_failed = 0
    for student in b["students"]:
        cells = b["report"]["students"][student]["cells"]
        for gid, cell in cells.items():
            msgs = cell.get("messages") or []
            if not cell.get("passed", True):
                n_failed += 1
                assert msgs, f"{student}/{gid}: failed without a message"
            problems = b["selfcheck"][student]["problems"].get(gid, [])
            for m in msgs + problems:
                assert ARABIC.search(m) and LATIN.search(m), f"{student}/{gid}: not in both languages: {m}"
                folded = fold_text(m)
                leaked = [n for n in needles if contains(folded, n)] + [n for n in numbers if contains(m, n)]
                assert not leaked, f"{student}/{gid}: the message shows an expected value {leaked[:2]}: {m}"
    assert n_failed, "no failing verdict was looked at"
