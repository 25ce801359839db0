"""The self-check and the grader agree on every question, by construction, and keys hold no answers."""
from __future__ import annotations

import json

import numpy as np  # noqa: F401  (numpy answers are written in the notebooks below)
import pytest

from course_support import FIRST, bs, course_env, make_course, submit, use_sandbox

pytestmark = pytest.mark.slow

VARIANTS = {
    "full": None,
    "wrong-q2": ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")'),
    "numpy-q7": ("q7-answer", "import numpy as np\nn_distinct_raw = np.int64(len(set(words(RAW, normalized=False))))\n"
                              "n_distinct_clean = np.int64(len(set(words(RAW))))"),
    "raises-q4": ("q4-answer", "def byline_author(text):\n    raise KeyError('no byline')\ndateline_month = 3"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from arabtexts.grading.batch import grade_class
    from arabtexts.grading.selfcheck import keys_path, make_keys

    base = tmp_path_factory.mktemp("selfcheck")
    with course_env(base):
        root, src, rel, name = make_course(base)
        keys = make_keys(root, FIRST)
        keys_path(root, FIRST).parent.mkdir(parents=True, exist_ok=True)
        keys_path(root, FIRST).write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
        paths = {}
        for student, change in VARIANTS.items():
            nb = bs.solved(rel, src) if change is None else bs.with_answer(rel, src, *change)
            paths[student] = submit(root, FIRST, student, name, nb) / f"{name}.ipynb"
        grade_class(root, FIRST, workers=2, sandbox=use_sandbox(), echo=lambda m: None)
    report = json.loads((root / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))
    return {"root": root, "keys": keys, "paths": paths, "report": report, "src": src, "rel": rel, "name": name}


def test_selfcheck_agrees_with_the_grader_on_every_question(graded):
    from arabtexts.grading.selfcheck import selfcheck

    lines: list[str] = []
    for student, path in graded["paths"].items():
        res = selfcheck(path, root=graded["root"], echo=lines.append)
        grader = graded["report"]["students"][student]["cells"]
        mine = {q["grade_id"]: q for q in res["questions"]}
        assert set(mine) == set(grader)
        for gid, cell in grader.items():
            assert mine[gid]["ok"] == cell["passed"], f"{student} {gid}: selfcheck {mine[gid]['ok']}, grader {cell['passed']}"
            if not cell["passed"]:
                assert mine[gid]["problems"], f"{student} {gid}: no reason given"
        auto = sum(c["score"] for c in grader.values())
        assert res["score"] == auto, f"{student}: selfcheck {res['score']} != grader {auto}"
    text = "\n".join(lines)
    assert "✓" in text and "✗" in text
    assert "KeyError" in text, "an error raised by a visible check is named"


def test_keys_hold_hashes_not_answers(graded):
    keys = json.dumps(graded["keys"], ensure_ascii=False)
    for q in graded["keys"]["questions"]:
        for c in q["checks"]:
            assert len(c["hash"]) == 24 and c["kind"]
    assert "فراس إلياس" not in keys, "an expected value (the author's name) must not be in the keys"


def test_old_keys_are_refused_with_the_command_to_run(graded, tmp_path):
    from arabtexts.grading.selfcheck import keys_path, selfcheck

    old = dict(graded["keys"], hash_version="arabtexts-answer-v1")
    keys_path(tmp_path, FIRST).parent.mkdir(parents=True)
    keys_path(tmp_path, FIRST).write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(SystemExit, match="selfcheck-keys"):
        selfcheck(graded["paths"]["full"], root=tmp_path, assignment=FIRST, echo=lambda m: None)


def test_practice_copy_has_the_release_placeholders_and_no_declarations(tmp_path):
    """A self-learner's `practice` copy says exactly what a released notebook says: the course's
    bilingual placeholders (not nbgrader's defaults), no solution, no declared checks."""
    import nbformat

    from arabtexts.cli import main
    from arabtexts.paths import repo_root

    course = repo_root() / "assignments"
    assert main(["--course-root", str(course), "practice", FIRST, "--to", str(tmp_path)]) == 0
    (nb_path,) = tmp_path.glob("*.ipynb")
    nb = nbformat.read(str(nb_path), as_version=4)
    answers = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    code = [c.source for c in answers if c.cell_type == "code"]
    text = [c.source for c in answers if c.cell_type == "markdown"]
    assert code and all("# YOUR CODE HERE" in s and "BEGIN SOLUTION" not in s for s in code)
    assert text and all("اكتب إجابتك هنا" in s for s in text)
    assert not [c for c in nb.cells if "checks" in c.get("metadata", {}).get("arabtexts", {})]
