"""The nbgrader workflow of the course, end to end, in a temporary copy of the course directory.

Parametrised over every assignment in ``assignments/source/`` (so assignments 02… written from
the template are covered automatically): release without solutions or hidden tests, the
source's solutions score full marks on every autograded cell, the blank release scores zero,
feedback never shows hidden tests, the self-check keys are up to date.

For assignment 01 only (CI time): typical wrong answers, and one batch with every kind of bad
submission next to a good student. Scores are read from the gradebook (nbgrader.api).
"""
from __future__ import annotations

import html
import json
import os
import re
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
ASSIGNMENTS = sorted(
    p.name for p in (COURSE / "source").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
) if (COURSE / "source").is_dir() else []
FIRST = "01-kadhimi-washington"
LOOP_TIMEOUT = 8  # seconds per cell while testing (the course default is 60)

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------ helpers


def region_lines(source_nb, begin: str, end: str) -> set[str]:
    """Lines inside BEGIN/END regions that do not also occur outside them (so a leak is real)."""
    inside, outside = set(), set()
    for c in source_nb.cells:
        flag = False
        for line in c.source.splitlines():
            s = line.strip()
            if begin in line:
                flag = True
                continue
            if end in line:
                flag = False
                continue
            if len(s) < 8 or s.startswith("#"):
                continue
            (inside if flag else outside).add(s)
    return inside - outside


def html_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def source_nb(assignment: str, root: Path):
    (p,) = sorted((root / "source" / assignment).glob("*.ipynb"))
    return nbformat.read(str(p), as_version=4), p.stem


SUBMITTED: dict[tuple[str, str], str] = {}


def submit(root: Path, assignment: str, student: str, notebook: str, content) -> None:
    d = root / "submitted" / student / assignment
    d.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else nbformat.writes(content)
    (d / f"{notebook}.ipynb").write_text(text, encoding="utf-8")
    SUBMITTED[(assignment, student)] = text
    (d / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")


def gb_scores(root: Path, assignment: str, student: str, notebook: str) -> tuple[float | None, dict]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, {}
        total = sub.score
        cells = {}
        nb = gb.find_submission_notebook(notebook, assignment, student)
        for g in nb.grades:
            cells[g.name] = (g.score, g.max_score, g.cell_type, g.auto_score)
    return total, cells


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A private copy of the course directory with its own exchange and a short cell timeout."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE / "source", root / "source")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    if (COURSE / "selfcheck").is_dir():
        shutil.copytree(COURSE / "selfcheck", root / "selfcheck")
    old = {k: os.environ.get(k) for k in ("ARABTEXTS_EXCHANGE", "ARABTEXTS_EXECUTE_TIMEOUT", "PATH")}
    os.environ["ARABTEXTS_EXCHANGE"] = str(root / "exchange")
    os.environ["ARABTEXTS_EXECUTE_TIMEOUT"] = str(LOOP_TIMEOUT)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    yield root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


_batches: dict[str, dict] = {}


def run_batch(course: Path, assignment: str) -> dict:
    """Release, submit (solutions, blank; for 01 also wrong and bad ones), grade, feedback, export."""
    if assignment in _batches:
        return _batches[assignment]
    from arabtexts import cli
    from arabtexts.grading.batch import grade_class

    assert cli.main(["--course-root", str(course), "release", assignment]) == 0
    src, name = source_nb(assignment, course)
    rel = nbformat.read(str(course / "release" / assignment / f"{name}.ipynb"), as_version=4)
    expected: dict[str, object] = {}
    submit(course, assignment, "solutions", name, src)  # the instructor's notebook as a student
    submit(course, assignment, "blank", name, bs.blank(rel, src))
    expected["solutions"] = "full"
    expected["blank"] = 0
    if assignment == FIRST:
        submit(course, assignment, "good", name, bs.solved(rel, src))
        expected["good"] = "full"
        for student, (gid, code, lost) in WRONG_01.items():
            submit(course, assignment, student, name, bs.with_answer(rel, src, gid, code))
            expected[student] = ("lost", lost)
        for student, builder in bs.BAD.items():
            submit(course, assignment, student, name, builder(rel, src))
        expected.update(BAD_01)
    lines: list[str] = []
    results = grade_class(course, assignment, echo=lines.append).results
    assert cli.main(["--course-root", str(course), "feedback", assignment]) == 0
    csv_path = course / f"grades-{assignment}.csv"
    assert cli.main(["--course-root", str(course), "export", "--to", str(csv_path)]) == 0
    _batches[assignment] = dict(
        results={r.student: r for r in results}, log="\n".join(lines), name=name, src=src, rel=rel,
        expected=expected, csv=csv_path,
    )
    return _batches[assignment]


def max_auto(src) -> float:
    return sum(float(c.metadata["nbgrader"].get("points", 0)) for c in src.cells
               if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution"))


def points_of(src, test_gid) -> float:
    return float(bs.cell_by_id(src, test_gid).metadata["nbgrader"]["points"])


#: student → (answer cell, wrong code, test cells expected to fail)
WRONG_01 = {
    "wrong-swapped-counts": ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")',
                             ["q2-tests"]),
    "wrong-unsorted-freq": ("q3-answer", 'freq = pd.DataFrame(list(Counter(words(RAW, drop_stopwords=True)).items()), '
                            'columns=["word", "count"]).sort_values("word")', ["q3-tests"]),
    "wrong-spans-with-comma": ("q6-answer", 'def lost_year_spans(text):\n    rx = re.compile(r"(?:عام|" + "|".join(MONTHS) + r")[ \\t]*،")\n'
                               '    return [m.span() for m in rx.finditer(text)]', ["q6-tests"]),
    "wrong-not-normalised": ("q5-answer", 'def sentences_with(text, term):\n    return [s for s in split_sentences(text) if term in s]\n\n'
                             'kadhimi_sentences = sentences_with(RAW, "الكاظمي")', ["q5-tests"]),
}

#: bad submission → expected failing test cells ("zero" = nothing scores)
BAD_01 = {
    "bad-json": 0,
    "bad-missing": ("lost", ["q7-tests"]),  # its last answer cell was deleted
    "bad-loop": ("lost", ["q2-tests"]),
    "bad-raise": ("lost", ["q3-tests"]),
    "bad-edited": ("lost", ["q1-tests"]),  # wrong answer; the edited test is restored and fails
    "bad-deleted": "full",  # q4-tests restored: the right answers still score
    "bad-stripped": "full",  # q5 cells' metadata restored
}

REASONS = {
    "bad-json": ["not a valid notebook", "JSON"],
    "bad-missing": ["was missing (deleted)"],
    "bad-loop": ["was stopped", "infinite loop"],
    "bad-raise": ["raised ValueError"],
    "bad-edited": ["was changed; it was restored"],
    "bad-deleted": ["was missing (deleted)"],
    "bad-stripped": ["grading information", "restored"],
}


# ------------------------------------------------------------------ every assignment


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(course, assignment):
    b = run_batch(course, assignment)
    rel_text = (course / "release" / assignment / f"{b['name']}.ipynb").read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in rel_text
    rel = json.loads(rel_text)
    rel_lines = {ln.strip() for c in rel["cells"] for ln in "".join(c["source"]).splitlines()}
    for line in region_lines(b["src"], "BEGIN SOLUTION", "END SOLUTION") | region_lines(
        b["src"], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
    ):
        assert line not in rel_lines, f"leaked into the release: {line}"
    assert all(not c.get("outputs") for c in rel["cells"] if c["cell_type"] == "code"), "release has outputs"
    # the graders' declarations (checks, hidden inputs, labels) stay in the source
    src_decl = [c for c in b["src"].cells if (c.metadata.get("arabtexts") or {}).get("checks")
                or (c.metadata.get("arabtexts") or {}).get("selfcheck")]
    assert src_decl, "the source declares no checks"
    for c in rel["cells"]:
        a = c.get("metadata", {}).get("arabtexts") or {}
        assert "checks" not in a and "selfcheck" not in a, "declarations leaked into the release"
    # released to the exchange too, without declarations
    out = list((course / "exchange").rglob(f"outbound/{assignment}/*.ipynb"))
    assert out
    assert all('"checks"' not in p.read_text(encoding="utf-8") for p in out)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_has_no_outputs_and_bilingual_questions(course, assignment):
    src, _ = source_nb(assignment, course)
    assert all(not c.get("outputs") for c in src.cells if c.cell_type == "code")
    graded = [c for c in src.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sum(1 for c in graded if not c.metadata["nbgrader"].get("solution")) >= 6, "≥ 6 autograded questions"
    assert any(c.metadata["nbgrader"].get("solution") for c in graded), "≥ 1 manually graded question"
    assert sum('dir="rtl"' in c.source for c in src.cells if c.cell_type == "markdown") >= 6


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_score_full_marks_and_blank_scores_zero(course, assignment):
    b = run_batch(course, assignment)
    total, cells = gb_scores(course, assignment, "solutions", b["name"])
    autos = {k: v for k, v in cells.items() if v[2] == "code" and v[3] is not None}
    assert autos, "no autograded cells in the gradebook"
    for gid, (score, mx, _, _) in autos.items():
        assert score == mx, f"{gid}: the solution scores {score}/{mx}"
    assert total == pytest.approx(max_auto(b["src"]))
    total, cells = gb_scores(course, assignment, "blank", b["name"])
    assert total == 0
    assert all((v[0] or 0) == 0 for v in cells.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_never_shows_hidden_tests(course, assignment):
    b = run_batch(course, assignment)
    hidden = region_lines(b["src"], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert hidden
    pages = list((course / "feedback").rglob(f"{assignment}/*.html"))
    assert len(pages) >= 2
    for page in pages:
        text = html_text(page)
        assert "HIDDEN TESTS" not in text
        for line in hidden:
            assert line not in text, f"{page.parent.parent.name}: hidden test line shown: {line}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_export_has_the_students(course, assignment):
    b = run_batch(course, assignment)
    csv = b["csv"].read_text(encoding="utf-8")
    for student in b["expected"]:
        assert student in csv


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfcheck_keys_are_up_to_date(course, assignment):
    from arabtexts.grading.selfcheck import keys_path, make_keys

    stored = keys_path(COURSE, assignment)
    assert stored.exists(), f"run `arabtexts selfcheck-keys {assignment}`"
    fresh = make_keys(course, assignment)
    assert json.loads(stored.read_text(encoding="utf-8")) == fresh, \
        f"stale keys: run `arabtexts selfcheck-keys {assignment}`"
    # keys hold hashes, never answers
    for q in fresh["questions"]:
        for c in q["checks"]:
            assert re.fullmatch(r"[0-9a-f]{24}", c["hash"]) and set(c) <= {
                "expr", "label", "visible", "ordered", "fold", "digits", "type", "columns", "hash", "kind"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfcheck_scores_source_full_and_release_zero(course, assignment, capsys):
    from arabtexts.cli import selfcheck

    b = run_batch(course, assignment)
    src_path = course / "source" / assignment / f"{b['name']}.ipynb"
    full = selfcheck(src_path, root=course)
    assert full["score"] == full["max_score"] == pytest.approx(max_auto(b["src"]))
    empty = selfcheck(course / "release" / assignment / f"{b['name']}.ipynb", root=course)
    assert empty["score"] == 0
    out = capsys.readouterr().out
    assert "✓" in out and "✗" in out


# ------------------------------------------------------------------ assignment 01 only


@pytest.mark.skipif(FIRST not in ASSIGNMENTS, reason="assignment 01 missing")
@pytest.mark.parametrize("student", list(WRONG_01) + list(BAD_01) + ["good"])
def test_first_assignment_scores(course, student):
    b = run_batch(course, FIRST)
    exp = b["expected"][student]
    total, cells = gb_scores(course, FIRST, student, b["name"])
    full = max_auto(b["src"])
    if exp == "full":
        want = full
    elif exp == 0:
        want = 0
    else:
        want = full - sum(points_of(b["src"], g) for g in exp[1])
        for g in exp[1]:
            assert cells[g][0] == 0, f"{student}: {g} should fail"
    assert total == pytest.approx(want), f"{student}: {total} instead of {want}\n{b['log']}"


@pytest.mark.skipif(FIRST not in ASSIGNMENTS, reason="assignment 01 missing")
def test_bad_batch_finishes_with_reasons_in_log_and_feedback(course):
    b = run_batch(course, FIRST)
    assert set(BAD_01) <= set(b["results"]), "the batch stopped early"
    for student, words in REASONS.items():
        notes = " ".join(n.message for n in b["results"][student].notes)
        for w in words:
            assert w in notes, f"{student}: {w!r} not in notes: {notes}"
            assert w in b["log"]
        page = course / "feedback" / student / FIRST / f"{b['name']}.html"
        assert page.exists(), f"{student}: no feedback"
        text = html_text(page)
        assert "grading robot" in text
        assert words[0] in text
    # the good student's feedback has no robot notes; nobody else's problems touched it
    assert "grading robot" not in html_text(course / "feedback" / "good" / FIRST / f"{b['name']}.html")
    assert not b["results"]["good"].notes


@pytest.mark.skipif(FIRST not in ASSIGNMENTS, reason="assignment 01 missing")
def test_submissions_are_never_modified_and_gradebook_is_intact(course):
    b = run_batch(course, FIRST)
    for student in bs.BAD:
        p = course / "submitted" / student / FIRST / f"{b['name']}.ipynb"
        assert p.read_text(encoding="utf-8") == SUBMITTED[(FIRST, student)], f"{student}: submission modified"
    assert sorted(p.name for p in (course / "submitted" / "bad-loop" / FIRST).iterdir()) == \
        [f"{b['name']}.ipynb", "timestamp.txt"], "nothing may be added to a submission folder"
    con = sqlite3.connect(course / "gradebook.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        students = {s.id for s in gb.students}
        assert set(b["expected"]) <= students
        # the manual question waits for a grader, nothing else does
        for sub in gb.assignment_submissions(FIRST):
            if sub.student.id == "bad-json":
                continue
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell_type == "code":
                        assert g.auto_score is not None, f"{sub.student.id}: {g.name} not graded"


@pytest.mark.skipif(FIRST not in ASSIGNMENTS, reason="assignment 01 missing")
def test_exchange_round_trip_fetch_submit_collect_feedback(course, tmp_path):
    """A student fetches and submits through the local exchange; collect, grade, feedback return."""
    import getpass
    import subprocess

    from arabtexts import cli
    from arabtexts.grading.batch import grade_class
    from arabtexts.grading.gradebook import nbgrader_cmd, tool_env

    b = run_batch(course, FIRST)  # released to the exchange
    student = getpass.getuser()
    home = tmp_path / "student"
    home.mkdir()
    common = [f"--Exchange.root={course / 'exchange'}", "--CourseDirectory.course_id=arabtexts"]
    for args in (["fetch_assignment", FIRST], ["submit", FIRST]):
        proc = subprocess.run(nbgrader_cmd(*args, *common), cwd=home, env=tool_env(),
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        if args[0] == "fetch_assignment":
            nb = home / FIRST / f"{b['name']}.ipynb"
            assert nb.exists()
            nb.write_text(nbformat.writes(bs.solved(b["rel"], b["src"])), encoding="utf-8")
    assert cli.main(["--course-root", str(course), "collect", FIRST]) == 0
    assert (course / "submitted" / student / FIRST / f"{b['name']}.ipynb").exists()
    (r,) = grade_class(course, FIRST, students=[student], echo=lambda m: None).results
    assert r.score == pytest.approx(max_auto(b["src"]))
    assert cli.main(["--course-root", str(course), "feedback", FIRST, "--student", student]) == 0
    assert list((course / "exchange").rglob(f"feedback/*.html")), "feedback not returned to the exchange"
