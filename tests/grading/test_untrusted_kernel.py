"""Nothing a student's kernel does can change a verdict: only the data it hands in.

One batch of assignment 01 through the real grader (sandboxed when this machine can): an
honest student, and students whose wrong answers come with a custom ``__eq__``, an ``int``
subclass, an input transformer, patched builtins, patched course modules, a patched ``json``,
a forged result payload, and a hunt through the kernel's memory for expected values. Each
attacked question must score 0, every other question exactly as the honest student's; and
the code sent into student kernels never contains a hidden-test line or a solution line.
"""
from __future__ import annotations

import pytest

from course_support import FIRST, bs, cell_grades, course_env, make_course, points, submit, use_sandbox

pytestmark = pytest.mark.slow

#: student → (answer cell, wrong code with its trick, questions that must fail)
ATTACKS = {
    "int-subclass-eq": ("q2-answer", "class Always(int):\n    def __eq__(self, other):\n        return True\n"
                        "    __hash__ = int.__hash__\n    def __repr__(self):\n        return '10'\n"
                        "n_raw = Always(1)\nn_normalized = Always(2)\n", ["q2-tests"]),
    "list-subclass-eq": ("q5-answer", "class Same(list):\n    def __eq__(self, other):\n        return True\n"
                         "def sentences_with(text, term):\n    return Same()\n"
                         "kadhimi_sentences = Same()\n", ["q5-tests"]),
    "input-transformer": ("q6-answer", "get_ipython().input_transformers_post.append(\n"
                          "    lambda lines: ['pass\\n'] if any('arabtexts' in l for l in lines) else lines)\n"
                          "def lost_year_spans(text):\n    return []\n", ["q6-tests"]),
    "patched-builtins": ("q7-answer", "import builtins\nn_distinct_raw = 1\nn_distinct_clean = 1\n"
                         "builtins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 597\n", ["q7-tests"]),
    "patched-course-modules": ("q4-answer", "import arabtexts.normalize, arabtexts.grading.compare as _c\n"
                               "arabtexts.normalize.fold = lambda s: ''\n_c.same_answer = lambda *a, **k: True\n"
                               "_c.values_equal = lambda *a, **k: True\n_c.explain = lambda *a, **k: []\n"
                               "def byline_author(text):\n    return 'x'\ndateline_month = 'y'\n", ["q4-tests"]),
    "patched-json-and-display": ("q3-answer", "import json, IPython.display as _d\n"
                                 "json.dumps = lambda *a, **k: '{\"nonce\": \"guess\", \"values\": []}'\n"
                                 "_d.display = lambda *a, **k: print('{\"nonce\": \"guess\"}')\n"
                                 "freq = pd.DataFrame({'word': ['x'], 'count': [1]})\n", ["q3-tests"]),
    "memory-hunt": ("q1-answer", "import gc\n_found = [o for o in gc.get_objects() if isinstance(o, dict) "
                    "and 'expected' in o]\ndef remove_tatweel(text):\n    return text\n", ["q1-tests"]),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from arabtexts.grading import batch as batch_mod
    from arabtexts.grading import execute

    base = tmp_path_factory.mktemp("untrusted")
    sent: list[str] = []
    real_execute = execute.Kernel.execute

    def spy(self, code, timeout, **kw):
        sent.append(code)
        return real_execute(self, code, timeout, **kw)

    with course_env(base):
        root, src, rel, name = make_course(base)
        submit(root, FIRST, "honest", name, bs.solved(rel, src))
        for student, (gid, code, _) in ATTACKS.items():
            submit(root, FIRST, student, name, bs.with_answer(rel, src, gid, code))
        execute.Kernel.execute = spy
        try:
            summary = batch_mod.grade_class(root, FIRST, workers=2, sandbox=use_sandbox(), echo=lambda m: None)
        finally:
            execute.Kernel.execute = real_execute
    return {"root": root, "src": src, "summary": summary, "sent": sent, "name": name}


def test_every_attacked_question_scores_zero_and_nothing_else_moves(batch):
    grades = cell_grades(batch["root"], FIRST)
    pts = points(batch["src"])
    honest = {g: grades[("honest", g)][0] for g in pts}
    assert honest == pts, "the honest student must get every autograded point"
    for student, (_, _, failing) in ATTACKS.items():
        for g in pts:
            got = grades[(student, g)][0]
            if g in failing:
                assert got == 0, f"{student}: {g} scored {got} with a trick"
            elif student not in ("patched-builtins", "input-transformer", "patched-json-and-display"):
                # these tricks also break the student's own later questions; the others must not move
                assert got == honest[g], f"{student}: {g} {got} != {honest[g]}"


def test_report_matches_gradebook_and_says_why(batch):
    import json

    report = json.loads((batch["root"] / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))
    grades = cell_grades(batch["root"], FIRST)
    assert report["assignment"] == FIRST and report["sandbox"] == use_sandbox()
    for student, entry in report["students"].items():
        assert entry["status"] == "graded"
        for gid, cell in entry["cells"].items():
            assert cell["score"] == grades[(student, gid)][0]
            assert cell["passed"] == (cell["score"] == cell["max"])
            if not cell["passed"]:
                assert cell["messages"] and all(" · " in m for m in cell["messages"]), "bilingual reasons"
    assert report["students"]["int-subclass-eq"]["cells"]["q2-tests"]["messages"]


def test_hidden_tests_and_solutions_never_reach_a_student_kernel(batch):
    from arabtexts.grading.feedback import region_lines

    sent = "\n".join(batch["sent"])
    assert "BEGIN HIDDEN TESTS" not in sent
    hidden, solution = [], []
    for c in batch["src"].cells:
        hidden += region_lines(c.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        solution += region_lines(c.source, "BEGIN SOLUTION", "END SOLUTION")
    assert hidden and solution
    for line in hidden:
        assert line not in sent, f"hidden test line sent to a kernel: {line}"
    # the honest student's notebook *is* the solution, so check an attacker's kernel input only
    attacker_inputs = [code for code in batch["sent"] if "class Always(int)" in code]
    assert attacker_inputs


def test_autograded_notebook_shows_verdicts_not_kernel_output(batch):
    import nbformat

    nb = nbformat.read(str(batch["root"] / "autograded" / "int-subclass-eq" / FIRST / f"{batch['name']}.ipynb"), 4)
    cell = bs.cell_by_id(nb, "q2-tests")
    (out,) = cell.outputs
    assert out.output_type == "error" and out.ename == "GradingFailure"
    assert "n_raw" in out.evalue
    ok = bs.cell_by_id(nb, "q1-tests").outputs
    assert ok[0].output_type == "stream" and ok[0].text.startswith("✓")
