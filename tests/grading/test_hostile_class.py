"""The hostile class (issue 9, item 7): 19 attacks graded in ONE batch beside honest students.

Two temporary copies of the course (assignment 01 released, submissions placed in
``submitted/<id>/<assignment>/``) are graded with the instructor's own command, each in its
own process: ``python -m arabtexts.cli grade 01-kadhimi-washington``. Course A holds only the
honest students, course B the same honest students and the hostile ones of ``hostile.py``.
While B is graded the test runs a TCP server on 127.0.0.1 and plants a secret in the grader's
environment. Then it checks, from outside:

* the batch finished, the grader process ended normally, every student was graded;
* every honest student's per-cell scores in B are identical to A; no hostile student earned
  a single autograded point; the gradebook passes SQLite's integrity checks;
* each attack failed: no secret, no line of the solution or the hidden tests, no classmate's
  data in any hostile student's autograded notebook, feedback, report entry or in the log;
  the server got no connection; the course package on disk is unchanged; no process of the
  class is left; no file of the disk filler exists outside the sandbox;
* each attack is reported in plain words: its flags (``hostile.HOSTILE``) or a note in
  ``reports/<assignment>.json`` and at the top of that student's autograded notebook, and
  feedback is generated for everyone (``arabtexts feedback`` exits 0).

The sandbox is required: these notebooks must never run unconfined (they are bounded anyway,
see hostile.py). Without one the test skips, or fails when ``ARABTEXTS_REQUIRE_SANDBOX=1``.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import hostile  # noqa: E402
from hostile import ASSIGNMENT as FIRST  # noqa: E402

pytestmark = pytest.mark.slow

CELL_TIMEOUT = 10  # seconds per cell for this class (the course default is 60)
SECRET_NAME = "ARABTEXTS_TEST_SECRET"
PACKAGE_FILE = ROOT / "src" / "arabtexts" / "normalize.py"


def _require_sandbox() -> None:
    from arabtexts.grading.sandbox import sandbox_status

    ok, why = sandbox_status()
    if ok:
        return
    if os.environ.get("ARABTEXTS_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"ARABTEXTS_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {why}")
    pytest.skip(f"the hostile class needs the sandbox: {why}")


class Server(threading.Thread):
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted.append(addr)
            conn.close()

    def close(self):
        self.stop.set()
        self.join(5)
        self.sock.close()


def _cli(course: Path, *args: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "arabtexts.cli", "--course-root", str(course), *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def _pids_with(token: str) -> list[int]:
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if token.encode() in Path(f"/proc/{d}/cmdline").read_bytes():
                    found.append(int(d))
            except OSError:
                pass
    return found


def _files_text(paths) -> str:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            out.append(html.unescape(text) if p.suffix == ".html" else text)
    return "\n".join(out)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    _require_sandbox()
    from course_support import course_env, make_course, submit

    base = tmp_path_factory.mktemp("hostile")
    token = "atk-" + uuid.uuid4().hex[:16]
    secret = "s3cret-" + uuid.uuid4().hex
    server = Server()
    server.start()
    with course_env(base, timeout=CELL_TIMEOUT):
        seed, src, rel, name = make_course(base)
        honest = {sid: build(rel, src, f"{sid}-{token}") for sid, build in hostile.HONEST.items()}
        a, b = base / "a", base / "b"
        shutil.copytree(seed, a)
        shutil.copytree(seed, b)
        ctx = hostile.Context(course=b, port=server.port, grader_pid=os.getpid(), token=token,
                              package_file=PACKAGE_FILE)
        for sid, nb in honest.items():
            submit(a, FIRST, sid, name, nb)
            submit(b, FIRST, sid, name, nb)
        for sid, (build, _) in hostile.HOSTILE.items():
            submit(b, FIRST, sid, name, build(rel, src, ctx))
        env = dict(os.environ)
        env[SECRET_NAME] = secret
        env["JUPYTERHUB_API_TOKEN"] = secret
        env.pop("MPLBACKEND", None)
        t0 = time.monotonic()
        grade_a = _cli(a, "grade", FIRST, "--timeout", str(CELL_TIMEOUT), env=env)
        t1 = time.monotonic()
        grade_b = _cli(b, "grade", FIRST, "--timeout", str(CELL_TIMEOUT), env=env)
        t2 = time.monotonic()
        time.sleep(0.5)
        leftovers = _pids_with(token)
        feedback_b = _cli(b, "feedback", FIRST, "--no-exchange", env=env)
        t3 = time.monotonic()
        for n, run in (("grade-a", grade_a), ("grade-b", grade_b), ("feedback-b", feedback_b)):
            (base / f"{n}.out").write_text(run.stdout + "\n--- stderr ---\n" + run.stderr, encoding="utf-8")
    server.close()
    for pid in leftovers:  # never leave a student's process behind, even when the test fails
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    print(f"\nhostile class: honest batch {t1 - t0:.1f} s; {len(hostile.HOSTILE)} hostile + {len(honest)} "
          f"honest graded in {t2 - t1:.1f} s (sandbox on); feedback {t3 - t2:.1f} s")
    yield {"a": a, "b": b, "src": src, "rel": rel, "name": name, "token": token, "secret": secret,
           "server": server, "grade_a": grade_a, "grade_b": grade_b, "feedback_b": feedback_b,
           "leftovers": leftovers, "honest": sorted(honest), "base": base}


def _report(course: Path) -> dict:
    return json.loads((course / "reports" / f"{FIRST}.json").read_text(encoding="utf-8"))


def _cell_grades(course: Path) -> dict:
    from course_support import cell_grades

    return cell_grades(course, FIRST)


def _student_text(g, sid: str) -> str:
    """Everything that reaches one student or describes them: the feedback pages, the report
    entry, the grading notes, and the outputs and notes cell of the autograded notebook (its
    test cells keep the hidden tests by nbgrader's design: that copy is the instructor's)."""
    course = g["b"]
    parts = [json.dumps(_report(course)["students"].get(sid, {}), ensure_ascii=False)]
    fb = course / "feedback" / sid / FIRST
    parts.append(_files_text(fb.rglob("*") if fb.is_dir() else []))
    ag = course / "autograded" / sid / FIRST
    for p in (ag.rglob("*") if ag.is_dir() else []):
        if p.suffix == ".ipynb":
            nb = nbformat.read(str(p), as_version=4)
            for i, c in enumerate(nb.cells):
                if i == 0 or c.metadata.get("arabtexts"):
                    parts.append(c.source)
                parts.append(json.dumps(c.get("outputs", []), ensure_ascii=False))
        elif p.is_file() and p.suffix in (".json", ".txt", ".html"):
            parts.append(_files_text([p]))
    return "\n".join(parts)


# ------------------------------------------------------------------ the batch itself


def test_the_batch_finishes_and_the_grader_survives(graded):
    for run in (graded["grade_a"], graded["grade_b"]):
        assert run.returncode == 0, (run.returncode, run.stdout[-3000:], run.stderr[-3000:])
    report = _report(graded["b"])
    assert report["sandbox"] is True
    students = set(hostile.HOSTILE) | set(graded["honest"])
    assert set(report["students"]) == students
    not_graded = {s: e["status"] for s, e in report["students"].items() if e["status"] != "graded"}
    assert not_graded == {}


def test_the_attacks_met_the_kernels_a_batch_really_uses(graded):
    """As root: forks of the warm zygote, each sandboxed by itself (as an ordinary user: a
    bubblewrap each); and no attack brought the zygote down (it would have been restarted)."""
    logs = " ".join(p.read_text(encoding="utf-8") for p in (graded["b"] / "grading-logs").glob("grade-*.log"))
    if os.geteuid() == 0:
        assert "kernels: forked from a warm zygote, each in namespaces of its own (sandbox)" in logs
    else:
        assert "kernels: a fresh one per student in its own bubblewrap" in logs
    assert "started again" not in logs


def test_honest_scores_are_identical_to_a_batch_without_the_hostile_class(graded):
    ga, gb = _cell_grades(graded["a"]), _cell_grades(graded["b"])
    for sid in graded["honest"]:
        a = {k: v for k, v in ga.items() if k[0] == sid}
        b = {k: v for k, v in gb.items() if k[0] == sid}
        assert a and a == b, sid
    # and they are what the answers deserve
    from course_support import points

    pts = points(graded["src"])
    assert all(gb[("honest-right", gid)][0] == p for gid, p in pts.items())
    assert gb[("honest-partly", "q2-tests")][0] == 0 and gb[("honest-partly", "q1-tests")][0] == pts["q1-tests"]
    assert gb[("honest-few", "q3-tests")][0] == 0 and gb[("honest-few", "q2-tests")][0] == pts["q2-tests"]


def test_no_hostile_student_earns_an_autograded_point(graded):
    from course_support import points

    g = _cell_grades(graded["b"])
    auto = set(points(graded["src"]))
    earned = {(sid, gid): g[(sid, gid)][0] for sid in hostile.HOSTILE for gid in auto if g[(sid, gid)][0]}
    assert earned == {}


def test_the_gradebook_is_intact(graded):
    from arabtexts.grading.gradebook import integrity_ok

    db = graded["b"] / "gradebook.db"
    assert integrity_ok(graded["b"])
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("SELECT COUNT(*) FROM grade WHERE auto_score = 99 OR manual_score = 99").fetchone()[0] == 0
        over = con.execute("SELECT COUNT(*) FROM grade g JOIN grade_cells c ON g.cell_id = c.id "
                           "WHERE g.auto_score > c.max_score").fetchone()[0]
        assert over == 0
    finally:
        con.close()


# ------------------------------------------------------------------ each attack failed


def test_the_planted_secret_appears_nowhere(graded):
    secret = graded["secret"]
    b = graded["b"]
    for p in b.rglob("*"):
        if p.is_file():
            assert secret.encode() not in p.read_bytes(), p
    for run in (graded["grade_b"], graded["feedback_b"]):
        assert secret not in run.stdout and secret not in run.stderr


def test_no_solution_or_hidden_test_line_reaches_a_hostile_student(graded):
    src, rel = graded["src"], graded["rel"]
    released = "\n".join(c.source for c in rel.cells)
    secret_lines = set()
    for begin, end in (("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"), ("BEGIN SOLUTION", "END SOLUTION")):
        for c in src.cells:
            inside = False
            for line in c.source.splitlines():
                if begin in line:
                    inside = True
                    continue
                if end in line:
                    inside = False
                    continue
                s = line.strip()
                if inside and len(s) >= 12 and not s.startswith("#") and s not in released:
                    secret_lines.add(s)
    assert len(secret_lines) > 10
    log = graded["grade_b"].stdout
    for sid in hostile.HOSTILE:
        text = _student_text(graded, sid)
        leaked = sorted(s for s in secret_lines if s in text or s.replace("HIDDEN", "H1DDEN") in text)
        assert leaked == [], (sid, leaked[:3])
    assert not [s for s in secret_lines if s in log]


def test_no_classmate_data_reaches_a_hostile_student(graded):
    token = graded["token"]
    for sid in hostile.HOSTILE:
        text = _student_text(graded, sid)
        assert not [h for h in graded["honest"] if f"{h}-{token}" in text], sid


def test_the_server_on_localhost_got_no_connection(graded):
    assert graded["server"].accepted == []


def test_the_course_package_on_disk_is_unchanged(graded):
    assert graded["token"] not in PACKAGE_FILE.read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", "import arabtexts.normalize as n; print(n.normalize('العـراق'))"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "العراق"


def test_no_process_of_the_class_is_left(graded):
    assert graded["leftovers"] == []


def test_the_disk_filler_wrote_nothing_outside_its_sandbox(graded):
    token = graded["token"]
    found = list(graded["base"].rglob(f"{token}-*"))  # the course copies, their autograded/ …
    found += list(Path("/tmp").glob(f"{token}-*")) + list(Path("/tmp").glob(f"*/{token}-*"))
    found += list(ROOT.glob(f"{token}-*"))
    assert found == []


# ------------------------------------------------------------------ each attack is reported


def test_every_attack_is_reported_in_plain_words(graded):
    report = _report(graded["b"])
    missing = {}
    for sid, (_, codes) in hostile.HOSTILE.items():
        entry = report["students"][sid]
        got = {f["code"] for f in entry.get("flags", [])}
        if not codes <= got:
            missing[sid] = ("flags", sorted(codes - got))
        if not codes and not entry.get("notes"):
            missing[sid] = ("notes", "none")
        for f in entry.get("flags", []):
            assert f["message"] and re.search("[\u0600-\u06FF]", f["message"]), f
    assert missing == {}
    notes = {sid: " ".join(map(str, report["students"][sid].get("notes", []))).lower()
             for sid in ("h-output", "h-sleep", "h-memory")}
    assert "output" in notes["h-output"], notes["h-output"]
    assert re.search(r"still running after \d+ s|time limit|seconds", notes["h-sleep"]), notes["h-sleep"]
    assert "memory" in notes["h-memory"], notes["h-memory"]


def test_the_student_sees_the_flags_and_notes_in_their_notebook(graded):
    report = _report(graded["b"])
    for sid in hostile.HOSTILE:
        (nb_path,) = (graded["b"] / "autograded" / sid / FIRST).glob("*.ipynb")
        nb = nbformat.read(str(nb_path), as_version=4)
        top = nb.cells[0].source
        for f in report["students"][sid].get("flags", []):
            assert f["code"] in top, (sid, f["code"])


def test_feedback_is_made_for_everyone_the_marker_attack_included(graded):
    run = graded["feedback_b"]
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
    for sid in [*hostile.HOSTILE, *graded["honest"]]:
        assert list((graded["b"] / "feedback" / sid / FIRST).glob("*.html")), sid


def test_honest_students_get_no_flag(graded):
    report = _report(graded["b"])
    assert {sid: report["students"][sid].get("flags") for sid in graded["honest"]} == \
        {sid: [] for sid in graded["honest"]}


def test_no_student_script_reaches_the_formgrader_or_the_feedback(graded):
    """HTML/JavaScript from a student's output would run in the instructor's browser (formgrader,
    feedback pages) with the instructor's Jupyter session: it must be shown as text or dropped."""
    token = graded["token"]
    # live tags only (the student's source code shown escaped, &lt;script&gt;, is harmless)
    active = re.compile(r"<script[^>]*>[^<]*" + token + r"|<[a-z][^<>]*\son\w+\s*=[^<>]*" + token +
                        r"|<iframe[^<>]*" + token, re.I)
    fb = graded["b"] / "feedback" / "h-script" / FIRST
    pages = [p.read_text(encoding="utf-8") for p in fb.glob("*.html")]
    assert pages
    assert not [m.group(0)[:80] for page in pages for m in active.finditer(page)]
    (nb_path,) = (graded["b"] / "autograded" / "h-script" / FIRST).glob("*.ipynb")
    nb = nbformat.read(str(nb_path), as_version=4)
    live = []
    for i, c in enumerate(nb.cells):
        for out in c.get("outputs", []):
            for mime, v in (out.get("data") or {}).items():
                text = v if isinstance(v, str) else "".join(v) if isinstance(v, list) else ""
                if token in text and (mime == "application/javascript" or active.search(text)):
                    live.append((i, mime))
    assert live == [], "student HTML/JavaScript kept live in the autograded notebook the formgrader shows"


def test_hostile_outputs_are_capped(graded):
    for sid in ("h-output", "h-read-source", "h-other-students", "h-secret"):
        (nb_path,) = (graded["b"] / "autograded" / sid / FIRST).glob("*.ipynb")
        assert nb_path.stat().st_size < 6 * 2**20, (sid, nb_path.stat().st_size)
