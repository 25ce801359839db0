"""The end-to-end semester on the test hub: release → fetch → answer → submit → collect → grade →
feedback → fetch feedback → export (used by the ``semester`` fixture of conftest.py)."""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import nbformat

from hubclient import COURSE, INSTRUCTOR, STUDENTS, HubUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bad_submissions as bs  # noqa: E402  (the submission builders of the workflow tests)

ROOT = Path(__file__).resolve().parents[2]
A = "01-kadhimi-washington"
WRONG = ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")', "q2-tests")
RIGHT, WRONG_STUDENT, BLANK = STUDENTS


def source_nb():
    return nbformat.read(ROOT / "assignments" / "source" / A / f"{A}.ipynb", as_version=4)


def auto_points(nb, gid=None) -> float:
    """Points of the autograded test cells (all, or the one named ``gid``)."""
    return sum(float(c.metadata["nbgrader"].get("points", 0)) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")
               and (gid is None or c.metadata["nbgrader"].get("grade_id") == gid))


def autograded_score(course_dir: Path, student: str) -> float | None:
    """The student's points on autograded tests, read from the gradebook through nbgrader.api."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        try:
            nb = gb.find_submission_notebook(A, A, student)
        except MissingEntry:
            return None
        return sum(g.score or 0 for g in nb.grades if g.cell_type == "code")


def answer(kind: str, release: dict, source) -> dict:
    rel = nbformat.from_dict(copy.deepcopy(release))
    if kind == "right":
        nb = bs.solved(rel, source)
    elif kind == "wrong":
        nb = bs.with_answer(rel, source, WRONG[0], WRONG[1])
    else:
        nb = bs.blank(rel, source)
    return json.loads(nbformat.writes(nb))


def run_semester(hub):
    """Run the whole workflow once; return what each step answered."""
    out = {"fetched": {}, "submitted": {}, "feedback": {}, "lists": {}}
    r = hub.grader_run("arabtexts", "release", A)
    assert r.returncode == 0, r.stdout + r.stderr
    out["release_log"] = r.stdout

    teacher = HubUser(hub, INSTRUCTOR)
    assert teacher.login().status_code == 302
    users = {s: HubUser(hub, s) for s in STUDENTS}
    source = source_nb()
    for name, kind in zip(STUDENTS, ("right", "wrong", "blank")):
        u = users[name]
        assert u.login().status_code == 302, f"{name} could not log in"
        u.start_server()
        out["lists"][name] = u.assignments()
        out["fetched"][name] = u.action("fetch", A)
        release = u.read_notebook(f"{A}/{A}.ipynb")
        u.write_notebook(f"{A}/{A}.ipynb", answer(kind, release, source))
        out["submitted"][name] = u.action("submit", A)
    out["users"], out["teacher"] = users, teacher

    # the instructor collects through the formgrader service (hub RBAC, service runs as the grader)
    page = teacher.open_service("/formgrader")
    out["teacher_formgrader_status"] = page.status_code
    r = teacher.post(f"{teacher.service}/formgrader/api/assignment/{A}/collect", f"/services/{COURSE}")
    out["collect"] = (r.status_code, r.text[:2000])
    # grade with the course's grader, as the grader account (the service's terminal)
    g = hub.grader_run("arabtexts", "grade", A, timeout=1200)
    assert g.returncode == 0, g.stdout[-3000:] + g.stderr[-3000:]
    out["grade_log"] = g.stdout
    f = hub.grader_run("arabtexts", "feedback", A)
    assert f.returncode == 0, f.stdout[-3000:] + f.stderr[-3000:]
    for name, u in users.items():
        out["feedback"][name] = u.action("fetch_feedback", A)
    e = hub.grader_run("arabtexts", "export", "--to", str(hub.course_dir / "grades.csv"))
    assert e.returncode == 0, e.stdout + e.stderr
    out["submissions_api"] = teacher.get(f"{teacher.service}/formgrader/api/submissions/{A}")
    return out


