"""As an instructor would: nbgrader's formgrader inside the real JupyterLab, in Chromium.

* ``test_formgrader_lists_assignments`` — Nbgrader → Formgrader opens the formgrader (an
  iframe); Manage Assignments lists exactly the folders of assignments/source of the
  temporary course copy, and assignment 01 (released by the ``course`` fixture) is
  "released" with one submission.
* ``test_formgrader_shows_graded_submission`` — the submission autograded by the CLI
  (``arabtexts grade``) before the browser opened is in Manage Submissions with the
  student's name, id, status "needs manual grading" (question 8 is a written answer) and
  the score of the gradebook; the Gradebook view
  of the notebook shows the same score.

Screenshots: artifacts/browser/<test>/.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import expect, menu  # noqa: E402
from jlab import FIRST_ASSIGNMENT, source_assignments  # noqa: E402

pytestmark = pytest.mark.browser

IFRAME = "#jp-main-dock-panel iframe"


def exact(text: str):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def js_score(x: float) -> str:
    """A score as the formgrader prints it (roundToPrecision(x, 2): 17, 4.5, 3.33)."""
    return f"{round(x, 2):g}"


def open_formgrader(page, lab):
    """Nbgrader → Formgrader (not "Formgrader (local)"), and the frame inside its tab."""
    page.goto(lab.url("lab", reset=True))
    expect(page.locator(".lm-MenuBar-itemLabel").filter(has_text=exact("Nbgrader"))).to_be_visible(
        timeout=60_000)
    menu(page, "Nbgrader", "Formgrader")
    expect(page.locator(IFRAME)).to_have_count(1, timeout=30_000)
    frame = page.frame_locator(IFRAME)
    return frame


def wait_rows(frame, cell: str, *, timeout: float = 30_000):
    """Rows of the formgrader's main table, once loaded (they arrive by AJAX)."""
    cells = frame.locator(f"#main-table td.{cell}")
    expect(cells.first).to_be_visible(timeout=timeout)
    expect(frame.locator("#main-table").get_by_text("Loading, please wait...")).to_have_count(0)
    return cells


def test_formgrader_lists_assignments(page, lab, course, shots):
    frame = open_formgrader(page, lab)
    names = wait_rows(frame, "name")
    shots(page.locator(IFRAME), "manage-assignments")
    shown = sorted(t.strip() for t in names.all_inner_texts())
    expected = source_assignments(lab.course)
    assert shown == expected, f"formgrader lists {shown}, assignments/source holds {expected}"
    # assignment 01 was released (by `arabtexts release`) and has the one submission
    row = frame.locator("#main-table tr").filter(has=frame.locator("td.name", has_text=exact(FIRST_ASSIGNMENT)))
    expect(row.locator("td.status")).to_have_text(exact("released"))
    expect(row.locator("td.num-submissions")).to_have_text(exact("1"))


def test_formgrader_shows_graded_submission(page, lab, course, shots):
    frame = open_formgrader(page, lab)
    wait_rows(frame, "name")
    row = frame.locator("#main-table tr").filter(has=frame.locator("td.name", has_text=exact(FIRST_ASSIGNMENT)))
    row.locator("td.num-submissions a").click()

    # Manage Submissions of assignment 01
    ids = wait_rows(frame, "student-id")
    score = f"{js_score(course['score'])} / {js_score(course['max_score'])}"
    sub = frame.locator("#main-table tr").filter(has=frame.locator("td.student-id", has_text=exact(course["student"])))
    expect(sub).to_have_count(1)
    first, last = course["student_name"]
    expect(sub.locator("td.student-name")).to_have_text(exact(f"{last}, {first}"))
    # autograded; the written answer (question 8) still waits for the instructor
    expect(sub.locator("td.status")).to_have_text(exact("needs manual grading"))
    expect(sub.locator("td.score")).to_have_text(exact(score))
    assert ids.count() == 1
    shots(page.locator(IFRAME), "manage-submissions")

    # Gradebook ("Manual Grading" in the side bar) → assignment 01 → its notebook: same score
    frame.locator("a[href$='/formgrader/gradebook']").first.click()
    a = frame.locator("#main-table td.name a").filter(has_text=exact(FIRST_ASSIGNMENT))
    a.click()
    nb = frame.locator("#main-table td.name a").filter(has_text=exact(course["notebook"]))
    nb.click()
    scores = wait_rows(frame, "score")
    expect(scores).to_have_count(1)
    expect(scores.first).to_have_text(exact(score))
    # names are hidden by default ("Submission #1"); reveal them
    frame.get_by_role("button", name="Show All Names", exact=True).click()
    expect(frame.locator("#main-table td.name .name-shown")).to_have_text(exact(f"{last}, {first}"))
    shots(page.locator(IFRAME), "gradebook-notebook")
