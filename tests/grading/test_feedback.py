"""Feedback is built from the trusted verdicts; every output is scrubbed; nothing a student writes stops it."""
from __future__ import annotations

import html
import re

import nbformat
import pytest

from course_support import FIRST, bs, course_env, make_course, submit, use_sandbox


def _text(path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_scrub_removes_hidden_solution_other_students_and_environment(tmp_path, monkeypatch):
    from arabtexts.grading.feedback import NeutraliseMarkers, ScrubOutputs, SCRUB_NOTE, region_lines

    root, src, rel, name = make_course(tmp_path)
    for s in ("alice-a", "bob-b"):
        submit(root, FIRST, s, name, rel)
    monkeypatch.setenv("ARABTEXTS_PLANTED_SECRET", "tok-9f8e7d6c5b4a")
    hidden = [ln for c in src.cells for ln in region_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]
    solution = [ln for c in src.cells for ln in region_lines(c.source, "BEGIN SOLUTION", "END SOLUTION")]
    nb = bs.solved(rel, src)
    own = nb.cells[-1] = nbformat.v4.new_code_cell("print(...)")
    printed = "\n".join(["my own line", hidden[0], solution[0], "bob-b was here", "tok-9f8e7d6c5b4a",
                         "### BEGIN HIDDEN TESTS", "last line"])
    own.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed),
                   nbformat.v4.new_output("error", ename="ValueError", evalue=hidden[1],
                                          traceback=["Traceback", hidden[1], "ValueError"]),
                   nbformat.v4.new_output("display_data", data={"text/html": f"<p>{solution[1]}</p>",
                                                                "text/plain": "ok"})]
    folder = root / "autograded" / "alice-a" / FIRST
    folder.mkdir(parents=True)
    res = {"metadata": {"path": str(folder), "name": name},
           "nbgrader": {"assignment": FIRST, "notebook": name, "student": "alice-a"}}
    nb, res = ScrubOutputs().preprocess(nb, res)
    nb, res = NeutraliseMarkers().preprocess(nb, res)
    for secret in (hidden[0], hidden[1], solution[0], solution[1], "bob-b", "tok-9f8e7d6c5b4a", "BEGIN HIDDEN TESTS"):
        assert secret not in "".join(str(o) for o in own.outputs), secret
    assert "my own line" in own.outputs[0]["text"] and "last line" in own.outputs[0]["text"]
    assert own.outputs[-1]["text"].startswith(SCRUB_NOTE)
    assert "text/html" not in own.outputs[2]["data"] and own.outputs[2]["data"]["text/plain"] == "ok"


@pytest.mark.slow
def test_feedback_for_a_student_who_writes_hidden_test_markers(tmp_path):
    from arabtexts import cli
    from arabtexts.grading.batch import grade_class
    from arabtexts.grading.feedback import region_lines

    with course_env(tmp_path):
        root, src, rel, name = make_course(tmp_path)
        marker = bs.solved(rel, src)
        bs.cell_by_id(marker, "q1-answer").source += "\n# ### BEGIN HIDDEN TESTS\nprint('### END HIDDEN TESTS')\n"
        marker.cells.append(nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nx = 1"))
        submit(root, FIRST, "marker", name, marker)
        submit(root, FIRST, "honest", name, bs.solved(rel, src))
        grade_class(root, FIRST, workers=2, sandbox=use_sandbox(), echo=lambda m: None)
        assert cli.main(["--course-root", str(root), "feedback", FIRST, "--no-exchange"]) == 0
    hidden = [ln for c in src.cells for ln in region_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")]
    for student in ("marker", "honest"):
        page = root / "feedback" / student / FIRST / f"{name}.html"
        assert page.exists(), f"{student}: no feedback"
        text = _text(page)
        assert "HIDDEN TESTS" not in text
        for line in hidden:
            assert line not in text
        assert "✓ q1-tests" in text, "the verdicts are shown"
