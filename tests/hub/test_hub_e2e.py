"""A class on a real JupyterHub, end to end: release → fetch → answer → submit → collect → grade →
feedback → fetch feedback → export, with real Unix accounts, PAM passwords, the real proxy and
nbgrader's exchange. One instructor, three students: one right, one wrong, one blank.

The whole semester runs once (``semester`` fixture, semester.py); each test checks one promise.
"""
from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from hubclient import COURSE, GRADER, STUDENTS, HubUser
from semester import A, BLANK, RIGHT, WRONG, WRONG_STUDENT, auto_points, autograded_score, bs, source_nb

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------ the workflow


def test_students_see_fetch_and_submit_the_released_assignment(semester):
    for name in STUDENTS:
        listed = {a["assignment_id"]: a for a in semester["lists"][name]}
        assert listed[A]["status"] == "released", semester["lists"][name]
        assert semester["fetched"][name]["success"], semester["fetched"][name]
        assert semester["submitted"][name]["success"], semester["submitted"][name]


def test_scores_right_wrong_blank(hub, semester):
    src = source_nb()
    full = auto_points(src)
    assert full > 0
    scores = {s: autograded_score(hub.course_dir, s) for s in STUDENTS}
    assert scores[RIGHT] == pytest.approx(full), semester["grade_log"]
    assert scores[WRONG_STUDENT] == pytest.approx(full - auto_points(src, WRONG[2])), semester["grade_log"]
    assert scores[BLANK] == 0, semester["grade_log"]


def test_each_student_fetches_only_their_own_feedback(hub, semester):
    for name in STUDENTS:
        assert semester["feedback"][name]["success"], semester["feedback"][name]
    html = {name: _text(_feedback_text(semester, name)) for name in STUDENTS}
    # each report shows that student's own answer to question 2, and nobody else's
    wrong_line = WRONG[1].splitlines()[0]
    solution_line = next(line for line in bs.cell_by_id(source_nb(), WRONG[0]).source.splitlines()
                         if line.strip() and not line.lstrip().startswith("#"))
    assert wrong_line not in solution_line
    assert wrong_line in html[WRONG_STUDENT]
    assert wrong_line not in html[RIGHT] and wrong_line not in html[BLANK]
    assert solution_line in html[RIGHT]
    assert solution_line not in html[WRONG_STUDENT] and solution_line not in html[BLANK]
    assert "NotImplementedError" in html[BLANK]


def _text(page: str) -> str:
    """The text of an HTML page (nbconvert splits highlighted code into spans)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _feedback_text(semester, name):
    u = semester["users"][name]
    listing = u.get(f"{u.server}/api/contents/{A}/feedback").json()["content"]
    assert len(listing) == 1, listing
    r = u.get(f"{u.server}/files/{A}/feedback/{listing[0]['name']}/{A}.html")
    assert r.status_code == 200
    return r.content.decode("utf-8")  # served without a charset: requests would guess latin-1


def test_grades_exported_with_every_student(hub, semester):
    rows = list(csv.DictReader((hub.course_dir / "grades.csv").read_text(encoding="utf-8").splitlines()))
    by_student = {r["student_id"]: r for r in rows if r["assignment"] == A}
    assert set(STUDENTS) <= set(by_student)
    assert float(by_student[BLANK]["raw_score"]) == 0
    assert float(by_student[RIGHT]["raw_score"]) >= auto_points(source_nb())


# ------------------------------------------------------------------ who may read what


def test_instructor_reaches_the_formgrader_and_sees_the_submissions(semester):
    assert semester["teacher_formgrader_status"] == 200
    assert semester["collect"][0] == 200, semester["collect"]
    r = semester["submissions_api"]
    assert r.status_code == 200, r.text[:500]
    subs = {s["student"]: s for s in r.json()}
    assert set(STUDENTS) <= set(subs)
    assert all(subs[s]["autograded"] for s in STUDENTS), subs


def test_student_is_refused_the_formgrader_service(semester):
    u = semester["users"][WRONG_STUDENT]
    for path in ("/formgrader", f"/formgrader/api/submissions/{A}", "/api/contents"):
        r = u.open_service(path)
        assert r.status_code == 403, (path, r.status_code, r.url)


def test_student_is_refused_another_students_server(semester):
    u = semester["users"][WRONG_STUDENT]
    r = u.get(f"{u.hub.url}/user/{RIGHT}/api/contents/{A}/{A}.ipynb", allow_redirects=True)
    assert r.status_code == 403, (r.status_code, r.url)


def test_wrong_password_is_refused(hub):
    u = HubUser(hub, STUDENTS[0])
    r = u.login(password="not-the-password")
    assert r.status_code != 302 or "/hub/login" in r.headers.get("location", "")
    assert u.get(f"{hub.url}/hub/api/user").status_code == 403


def _probe(hub, user: str, path: Path, action: str = "read") -> str:
    code = {
        "read": f"open({str(path)!r}, 'rb').read(1)",
        "list": f"import os; os.listdir({str(path)!r})",
        "write": f"open({str(path)!r}, 'ab').write(b'x')",
    }[action]
    r = hub.as_user(user, f"""
try:
    {code}
    print("ALLOWED")
except PermissionError:
    print("DENIED")
except FileNotFoundError:
    print("MISSING")
""")
    return r.stdout.strip() or r.stderr


def test_files_students_cannot_read(hub, semester):
    inbound = hub.exchange / COURSE / "inbound"
    theirs = sorted(inbound.glob(f"{RIGHT}+{A}+*"))
    assert theirs, "the right student's submission is not in inbound/"
    other_nb = theirs[-1] / f"{A}.ipynb"
    assert other_nb.exists()
    cd = hub.course_dir
    checks = {
        ("list", inbound): "DENIED",
        ("read", other_nb): "DENIED",
        ("write", other_nb): "DENIED",
        ("read", cd / "gradebook.db"): "DENIED",
        ("read", cd / "source" / A / f"{A}.ipynb"): "DENIED",
        ("read", cd / "submitted" / RIGHT / A / f"{A}.ipynb"): "DENIED",
        ("list", Path(f"/home/{RIGHT}")): "DENIED",
    }
    got = {k: _probe(hub, WRONG_STUDENT, k[1], k[0]) for k in checks}
    assert got == checks
    # the solutions are nowhere in the shared course copy either
    assert not (hub.prefix / "course" / "assignments" / "source").exists()
    # and the student still reads their own submission; the grader reads everyone's
    assert _probe(hub, RIGHT, other_nb) == "ALLOWED"
    assert _probe(hub, GRADER, other_nb) == "ALLOWED"
    assert _probe(hub, GRADER, cd / "gradebook.db") == "ALLOWED"


def test_lessons_are_in_each_home_and_edits_survive_a_restart(hub, semester):
    u = semester["users"][BLANK]
    lesson = "arabtexts-lessons/00_start_here.ipynb"
    nb = u.read_notebook(lesson)
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "ملاحظتي الخاصة"})
    u.write_notebook(lesson, nb)
    r = u.s.delete(f"{hub.url}/hub/api/users/{BLANK}/server", headers=u.xsrf("/hub"), timeout=60)
    assert r.status_code in (202, 204), r.text
    for _ in range(60):
        if u.get(f"{u.server}/api/status", allow_redirects=False).status_code != 200:
            break
        time.sleep(1)
    u.start_server()
    again = u.read_notebook(lesson)
    assert again["cells"][0]["source"] == "ملاحظتي الخاصة"


def test_lms_export_from_the_hubs_gradebook(hub, semester, tmp_path):
    from arabtexts.grading.export import export_lms, export_questions

    roster = tmp_path / "class.csv"
    roster.write_text("id,first_name,last_name,email\n" + "".join(
        f"{s},طالب,الاختبار,{s}@example.edu\n" for s in STUDENTS), encoding="utf-8")
    rows = list(csv.reader(export_lms(hub.course_dir, tmp_path / "canvas.csv", roster).read_text(
        encoding="utf-8-sig").splitlines()))
    header, body = rows[0], rows[2:]
    col = header.index(A)
    got = {r[2]: r[col] for r in body}
    assert set(got) >= set(STUDENTS)
    assert float(got[BLANK]) == 0
    assert float(got[RIGHT]) >= auto_points(source_nb())
    q = list(csv.reader(export_questions(hub.course_dir, tmp_path / "q.csv", roster).read_text(
        encoding="utf-8-sig").splitlines()))
    wrong_row = dict(zip(q[0], next(r for r in q if r[0] == WRONG_STUDENT)))
    assert float(wrong_row[f"{A}/{WRONG[2]}"]) == 0
    right_row = dict(zip(q[0], next(r for r in q if r[0] == RIGHT)))
    assert float(right_row[f"{A}/{WRONG[2]}"]) == auto_points(source_nb(), WRONG[2])
