"""Tamper flags (``arabtexts.grading.tamper``): hostile code is flagged, honest work never is.

Honest work = the model answers of every assignment, every cell of every lesson notebook,
the benchmark's synthetic class (right, partly wrong, blank, broken submissions) and the
honest students of the hostile class. Hostile work = every submission of ``hostile.py`` and a
set of small tricks (magics, aliases, obfuscation). Nothing is executed: the scan is static.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
import pytest

from arabtexts.grading.tamper import KINDS, Flag, scan_notebook, scan_source

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import bad_submissions as bs  # noqa: E402
import hostile  # noqa: E402

SOURCES = sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))
FIRST = ROOT / "assignments" / "source" / hostile.ASSIGNMENT / f"{hostile.ASSIGNMENT}.ipynb"


def _release(source_nb):
    """The student version, as ``nbgrader generate_assignment`` makes it (solutions and hidden tests cut)."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = copy.deepcopy(source_nb)
    nb, _ = ClearSolutions().preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    return nb


@pytest.fixture(scope="module")
def first():
    src = nbformat.read(str(FIRST), as_version=4)
    return _release(src), src


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    return hostile.Context(course=course, port=45678, grader_pid=4242, token="tok-123",
                           package_file=ROOT / "src" / "arabtexts" / "normalize.py")


def codes(nb) -> set[str]:
    return {f.code for f in scan_notebook(nb)}


def _code_nb(*sources: str, meta: dict | None = None):
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    if meta is not None:
        for c in cells:
            c.metadata["nbgrader"] = dict(meta)
    return nbformat.v4.new_notebook(cells=cells)


# ------------------------------------------------------------------ honest work: no flag


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_model_answers_get_no_flag(path):
    src = nbformat.read(str(path), as_version=4)
    assert scan_notebook(src) == []
    # and the release (what a student starts from) with the model answers filled in
    assert scan_notebook(bs.solved(_release(src), src)) == []


@pytest.mark.parametrize("path", SOURCES + sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_course_cell_written_by_a_student_would_get_no_flag(path):
    """The strongest honest set: every code cell of the course (lessons, setup and visible tests),
    as if a student had typed it in a cell of their own (only the test cells' hidden-test
    markers are ignored: they are the course's, and a student's copy of them is flagged below)."""
    nb = nbformat.read(str(path), as_version=4)
    for c in nb.cells:
        c.metadata.pop("nbgrader", None)
        c.source = hostile_free(c.source)
    flags = scan_notebook(nb)
    assert flags == [], [(f.cell, f.code, f.message[:120]) for f in flags]


def hostile_free(source: str) -> str:
    from arabtexts.grading.execute import visible_source

    return visible_source(source)


def test_benchmark_class_gets_no_flag(first):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run as bench

    rel, src = first
    klass = bench.make_class(rel, src, 50, loop=True)
    assert len(klass) == 50
    flagged = {sid: codes(nb) for sid, nb in klass.items() if not isinstance(nb, str) and codes(nb)}
    assert flagged == {}


def test_honest_students_of_the_hostile_class_get_no_flag(first):
    rel, src = first
    for sid, build in hostile.HONEST.items():
        assert scan_notebook(build(rel, src, "honest-token")) == [], sid


@pytest.mark.parametrize("name", sorted(set(bs.BAD) - {"bad-json"}))
def test_broken_but_honest_submissions_get_no_flag(first, name):
    rel, src = first
    assert scan_notebook(bs.BAD[name](rel, src)) == []


# ------------------------------------------------------------------ the hostile class: flagged


@pytest.mark.parametrize("sid", sorted(hostile.HOSTILE))
def test_every_hostile_submission_raises_its_flags(first, ctx, sid):
    rel, src = first
    build, expected = hostile.HOSTILE[sid]
    nb = build(rel, src, ctx)
    flags = scan_notebook(nb)
    found = {f.code for f in flags}
    assert expected <= found, (sid, found)
    for f in flags:
        assert isinstance(f, Flag) and f.code in KINDS
        # plain English and Arabic, naming the cell, never the raw marker text
        assert "cell" in f.message.lower() and "خلية" in f.message
        assert f.cell and (f.cell in f.message or f.cell.startswith("cell-"))
        assert "BEGIN HIDDEN" not in f.message.upper() and "END HIDDEN" not in f.message.upper()


def test_the_hostile_class_is_large_enough():
    assert len(hostile.HOSTILE) >= 15 and len(hostile.HONEST) >= 3


# ------------------------------------------------------------------ the rules, one by one


@pytest.mark.parametrize("code, kind", [
    ("get_ipython().input_transformers_cleanup.append(lambda l: l)", "ipython-hook"),
    ("ip = get_ipython()\nip.events.register('post_run_cell', print)", "ipython-hook"),
    ("get_ipython().register_magic_function(print, 'line', 'x')", "ipython-hook"),
    ("%load_ext autoreload", "ipython-hook"),
    ("import sys\nsys.displayhook = print", "ipython-hook"),
    ("import pandas as pd\npd.DataFrame.equals = lambda *a: True", "patch-module"),
    ("from arabtexts import normalize as nm\nsetattr(nm, 'normalize', str)", "patch-module"),
    ("import sys\nsys.modules['arabtexts.grading'] = None", "patch-module"),
    ("import builtins as b\nb.print = None", "patch-builtins"),
    ("__builtins__['len'] = lambda x: 3", "patch-builtins"),
    ("class S(str):\n    pass", "subclass-builtin"),
    ("import pandas as pd\nclass F(pd.DataFrame):\n    pass", "subclass-builtin"),
    ("T = type('T', (int,), {})", "subclass-builtin"),
    ("class A:\n    def __hash__(self):\n        return 1", "dunder-method"),
    ("x = 1\nsetattr(x.__class__, '__eq__', lambda a, b: True)", "dunder-method"),
    ("import inspect\ninspect.stack()", "introspection"),
    ("from ctypes import pythonapi", "introspection"),
    ("import sys\nf = sys._getframe(1).f_locals", "introspection"),
    ("def f():\n    pass\nf.__globals__['x'] = 1", "introspection"),
    ("eval('1 + 1')", "dynamic-code"),
    ("m = __import__('o' + 's')", "dynamic-code"),
    ("import importlib\nimportlib.import_module('os')", "dynamic-code"),
    ("open('/etc/hostname').read()", "outside-folder"),
    ("open('../../gradebook.db', 'rb')", "outside-folder"),
    ("from pathlib import Path\nlist(Path('~').expanduser().iterdir())", "outside-folder"),
    ("import os\nfor r, d, f in os.walk('.'):\n    pass", "outside-folder"),
    ("import glob\nglob.glob('*/*.ipynb')", "outside-folder"),
    ("%cd ..", "outside-folder"),
    ("import os\nos.getenv('JUPYTERHUB_API_TOKEN')", "environment"),
    ("%env", "environment"),
    ("!ls", "process"),
    ("files = !ls", "process"),
    ("%%bash\necho hi\n", "process"),
    ("import subprocess as sp\nsp.run(['ls'])", "process"),
    ("from os import system\nsystem('ls')", "process"),
    ("import os\ngetattr(os, 'system')('ls')", "process"),
    ("%%capture out\nimport os\nos.fork()\n", "process"),
    ("%time os.execv('/bin/sh', ['sh'])", "process"),
    ("import os\nos.killpg(0, 9)", "signal"),
    ("import urllib.request as u\nu.urlopen('http://example.org')", "network"),
    ("import requests", "network"),
    ("# ### END HIDDEN TESTS\nx = 1", "marker"),
    ("from IPython.display import HTML\nHTML('<img src=x onerror=alert(1)>')", "script"),
    ("from IPython.display import Javascript\nJavascript('alert(1)')", "script"),
    ("%%javascript\nalert(1)\n", "script"),
    ("%%html\n<script>alert(1)</script>\n", "script"),
])
def test_rule(code, kind):
    found = {k for k, _ in scan_source(code)}
    assert kind in found, found


@pytest.mark.parametrize("code", [
    "print('السلام عليكم')",
    "import re\nre.findall(r'(?<![\\u0621-\\u064A])عام', RAW)",
    "from collections import Counter\nCounter(RAW.split()).most_common(5)",
    "text.split('/')",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_title('عدد')",
    "%matplotlib inline",
    "%time words(RAW)",
    "def f(x):\n    return sorted(x, key=len)",
    "import pandas as pd\ndf = pd.DataFrame({'source': ['a']})\ndf['source'].str.len()",
    "x = {'a': 1}\nx['a'] = 2",
    "class Note:\n    def __init__(self, text):\n        self.text = text",
    "import os\nos.path.join('a', 'b')",
    "open('my-notes.txt', 'w').write('ملاحظة')",
    "from IPython.display import HTML\nHTML('<p dir=\"rtl\" style=\"font-size:1.3em\">نص</p>')",
    "def broken(:\n    pass",  # a syntax error: no flag, no crash
])
def test_ordinary_code_is_not_flagged(code):
    assert scan_source(code) == []


def test_only_student_written_cells_are_scanned():
    locked = {"locked": True, "grade_id": "setup", "solution": False, "grade": False}
    test = {"grade": True, "grade_id": "q1-tests", "points": 1, "solution": False, "locked": True}
    answer = {"solution": True, "grade_id": "q1-answer", "grade": False, "locked": False}
    nb = nbformat.v4.new_notebook(cells=[
        *_code_nb("import os\nprint(os.environ)", meta=locked).cells,
        *_code_nb("import gc\ngc.collect()", meta=test).cells,
        *_code_nb("import socket", meta=answer).cells,
        nbformat.v4.new_code_cell("import subprocess"),
        nbformat.v4.new_markdown_cell("My notes: ### BEGIN HIDDEN TESTS"),
    ])
    flags = scan_notebook(nb)
    assert [(f.cell, f.code) for f in flags] == [("q1-answer", "network"), ("cell-4", "process"),
                                                ("cell-5", "marker")]
    assert flags[0].message.startswith("Answer cell «q1-answer»") and "خلية الإجابة «q1-answer»" in flags[0].message
    assert flags[1].message.startswith("Your own cell number 4") and "خليتك رقم 4" in flags[1].message


def test_module_names_come_from_the_setup_cell_too():
    """`pd` is imported by the course's locked setup cell; patching it in an answer is flagged."""
    locked = {"locked": True, "grade_id": "setup", "solution": False, "grade": False}
    nb = _code_nb("import pandas as pd", meta=locked)
    nb.cells.append(nbformat.v4.new_code_cell("pd.Series.__eq__ = lambda a, b: True"))
    assert codes(nb) == {"patch-module", "dunder-method"}


def test_one_flag_per_kind_and_cell_with_a_safe_message():
    nb = _code_nb("import os\nos.system('x')\nos.popen('y')\nos.fork()\n"
                  "exec('### BEGIN HIDDEN TESTS')  # <script>alert(1)</script>")
    flags = scan_notebook(nb)
    assert sorted(f.code for f in flags) == ["dynamic-code", "marker", "process"]
    for f in flags:
        assert "<script>" not in f.message and "BEGIN HIDDEN" not in f.message
    (proc,) = [f for f in flags if f.code == "process"]
    assert "`os.system`" in proc.message and "`os.fork`" in proc.message


def test_a_notebook_as_plain_dict_works():
    nb = {"cells": [{"cell_type": "code", "source": ["import gc\n", "gc.get_objects()"], "metadata": {}}]}
    assert [f.code for f in scan_notebook(nb)] == ["introspection"]


def test_cells_the_parser_cannot_read_never_crash_the_scan():
    nb = {"cells": [
        {"cell_type": "code", "source": 5},
        {"source": None},
        {"cell_type": "code", "source": ["(" * 10000]},
        {"cell_type": "code", "source": "x = " + "-" * 50000 + "1"},  # the parser runs out of stack
        {"cell_type": "code", "source": "x = " + "[" * 90 + "]" * 90 + "\nimport gc", "metadata": None},
    ]}
    assert [(f.cell, f.code) for f in scan_notebook(nb)] == [("cell-5", "introspection")]
