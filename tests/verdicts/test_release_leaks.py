"""No released notebook reveals an answer: not in its metadata, outputs or question texts.

Each assignment is released with the project's command (``arabtexts release``, in a private copy
of the course). The released notebook must hold no declarations (``metadata.arabtexts``) and no
declared expression, no line of a solution, of a hidden test or of a model answer, no output,
and its question texts (markdown) none of the answers the source solution gives (except what the
setup code and the course catalogue give every student: ids, titles, authors): the short
answers' strings (``dateline_month``, a speaker id, a scenario …), the long strings of any
answer (a whole sentence or quotation), and the answers' large or non-integer numbers.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verdict_support import MODULES, contains, fold_text, leaves, number_needles  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignments"
SMALL = 12  # an answer with at most this many values is "short": each of its strings counts
LONG = 60  # in a larger answer, only strings this long (a sentence, a quotation) count

pytestmark = pytest.mark.slow

#: answer strings a question text may show, and why that reveals nothing (looked at one by one)
ALLOWED = {
    "04-expel-coalition": {
        "البنتاغون": "the introduction names the Pentagon as one of the article's voices; question 1 asks for "
                     "every quoted string of the text, and the Pentagon's name is one of seven",
    },
    "05-academic-paper": {
        "مليار": "question 6 must name the two units it asks for («مليار دولار», «مليون دولار»)",
        "مليون": "question 6 must name the two units it asks for («مليار دولار», «مليون دولار»)",
    },
    "06-synthesis": {
        "biden": "question 7 (written) asks where text 002 mentions Biden; who appears in two texts is "
                 "computed from PEOPLE in question 2, not read from a name",
        "الانتخابات": "the written question mentions «الانتخابات المبكرة» as a topic; the same word is one of "
                      "the distinctive words of question 3, which come from distinctive_words, not from a reading",
    },
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("leak-course")
    shutil.copytree(COURSE / "source", root / "source")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + old
    yield root
    os.environ["PATH"] = old


def _ng(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def secret_lines(src) -> set[str]:
    """Lines of solutions, hidden tests and model answers that occur nowhere else in the source."""
    inside, outside = set(), set()
    for c in src.cells:
        manual = _ng(c).get("solution") and c.cell_type == "markdown"
        flag = False
        for line in c.source.splitlines():
            s = line.strip()
            if "### BEGIN SOLUTION" in s or "### BEGIN HIDDEN TESTS" in s:
                flag = True
                continue
            if "### END SOLUTION" in s or "### END HIDDEN TESTS" in s:
                flag = False
                continue
            if len(s) < 12 or s.startswith("#") or "YOUR ANSWER HERE" in s:
                continue
            (inside if flag or manual else outside).add(s)
    return inside - outside


def answer_needles(values: dict, given: str) -> tuple[set[str], set[str]]:
    strings, numbers = set(), set()
    for vals in values.values():
        for v in vals:
            items = list(leaves(v, keys=False))
            for x in items:
                if isinstance(x, str):
                    f = fold_text(x).strip()
                    if (len(items) <= SMALL and len(f) >= 4) or len(f) >= LONG:
                        if f not in given:
                            strings.add(f)
                elif isinstance(x, int) and not isinstance(x, bool) and len(items) <= SMALL and abs(x) >= 2100:
                    numbers |= {str(x), f"{x:,}"}
            if len(items) <= SMALL:
                numbers |= number_needles(v)
    return strings, numbers


@pytest.mark.parametrize("assignment", list(MODULES))
def test_released_notebook_reveals_no_answer(course, assignment):
    from arabtexts import cli
    from arabtexts.grading.declarations import questions
    from arabtexts.grading.expected import expected_values

    assert cli.main(["--course-root", str(course), "release", assignment, "--no-exchange"]) == 0
    (src_path,) = sorted((course / "source" / assignment).glob("*.ipynb"))
    src = nbformat.read(str(src_path), as_version=4)
    rel_path = course / "release" / assignment / src_path.name
    rel = json.loads(rel_path.read_text(encoding="utf-8"))
    qs = questions(src)

    # 1. no declarations, no outputs
    metadata = json.dumps([c.get("metadata") for c in rel["cells"]] + [rel.get("metadata")], ensure_ascii=False)
    assert '"arabtexts"' not in metadata or ('"checks"' not in metadata and '"selfcheck"' not in metadata)
    assert all(not c.get("outputs") for c in rel["cells"] if c["cell_type"] == "code"), "the release has outputs"
    texts = ["".join(c["source"]) for c in rel["cells"]]
    whole = "\n".join(texts) + "\n" + metadata
    # 2. no declared expression, no line of a solution, hidden test or model answer
    for q in qs:
        for c in q.checks:
            if not c.visible and ("'" in c.expr or '"' in c.expr):  # a hidden input
                assert c.expr not in whole, f"{q.grade_id}: hidden check {c.expr!r} is in the release"
    rel_lines = {ln.strip() for t in texts for ln in t.splitlines()}
    for line in secret_lines(src):
        assert line not in rel_lines, f"leaked into the release: {line}"
    # 3. no answer in the question texts or the metadata
    values = expected_values(course, assignment, src_path.stem, src, src_path.read_bytes(), qs, log=lambda m: None)
    # given material: the setup code and the course catalogue (titles, authors, outlets, dates)
    setup = "".join(c.source for c in src.cells if _ng(c).get("grade_id") == "setup")
    catalogue = (ROOT / "data" / "articles.csv").read_text(encoding="utf-8")
    strings, numbers = answer_needles(values, fold_text(setup) + fold_text(catalogue))
    strings -= {fold_text(a) for a in ALLOWED.get(assignment, {})}
    assert strings, "no answer strings to look for"
    for i, c in enumerate(rel["cells"]):
        if c["cell_type"] != "markdown":
            continue
        text = texts[i]
        folded = fold_text(text)
        found = sorted(s for s in strings if contains(folded, s)) + sorted(n for n in numbers if contains(text, n))
        gid = _ng(c).get("grade_id")
        assert not found, f"{assignment} {gid}: the question text shows an answer: {found[:3]}"
    found = sorted(s for s in strings if contains(fold_text(metadata), s))
    assert not found, f"{assignment}: the metadata shows an answer: {found[:3]}"
