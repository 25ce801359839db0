"""Fixtures of the browser tests: a real JupyterLab on a temporary copy of the course and a
real Chromium driven by playwright.

* ``lab`` (session): ``jupyter lab`` on 127.0.0.1 and a free port, started from a temporary
  copy of the repository with temporary Jupyter config/data/runtime/settings/workspace and
  IPython folders (see jlab.py). Stopped at the end of the session.
* ``course`` (session): in that copy, assignment 01 generated and released with the
  ``arabtexts`` CLI, and one submission (the source solution) autograded, before any
  browser opens the formgrader.
* ``browser`` (session) / ``page`` (per test): Debian's Chromium (``/usr/bin/chromium``),
  never a browser downloaded by playwright.
* ``shots`` (per test): numbered element screenshots in ``artifacts/browser/<test>/``.

Without Chromium or playwright every test here is skipped with the reason, unless
``ARABTEXTS_REQUIRE_BROWSER=1`` (set by CI): then they fail.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import Shots  # noqa: E402
from jlab import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, FIRST_ASSIGNMENT, LabServer  # noqa: E402

STUDENT = "browser-student"
STUDENT_NAME = ("Layla", "Hassan")


def _unavailable(reason: str):
    if os.environ.get("ARABTEXTS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} — and ARABTEXTS_REQUIRE_BROWSER=1 requires the browser tests "
                    "to run (install Debian's chromium: apt-get install chromium)", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set ARABTEXTS_REQUIRE_BROWSER=1 to make this an error)")


@pytest.fixture(scope="session")
def browser_available() -> str:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -e '.[test]')")
    return CHROMIUM


class _Job(threading.Thread):
    """A function run in a background thread; ``result()`` joins and re-raises."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True, name=fn.__name__)
        self.fn, self.args, self.value, self.error = fn, args, None, None

    def run(self):
        try:
            self.value = self.fn(*self.args)
        except BaseException as exc:  # noqa: BLE001 - handed to the test that needs it
            self.error = exc

    def result(self, timeout: float = 600):
        self.join(timeout)
        if self.is_alive():
            raise TimeoutError(f"{self.name} still running after {timeout:.0f} s")
        if self.error is not None:
            raise self.error
        return self.value


def prepare_course(lab: LabServer) -> dict:
    """In the copy: release assignment 01 with the CLI, add a named student, submit the
    source solution as that student and autograde it with ``arabtexts grade``."""
    import nbformat
    from nbgrader.api import Gradebook

    from arabtexts.autograde import run_nbgrader

    t0 = time.monotonic()
    lab.cli("release", FIRST_ASSIGNMENT)
    released = sorted((lab.course / "release" / FIRST_ASSIGNMENT).glob("*.ipynb"))
    assert len(released) == 1, released
    p = run_nbgrader(lab.course, "db", "student", "add", STUDENT,
                     f"--first-name={STUDENT_NAME[0]}", f"--last-name={STUDENT_NAME[1]}")
    assert p.returncode == 0, p.stdout + p.stderr
    (src,) = sorted((lab.course / "source" / FIRST_ASSIGNMENT).glob("*.ipynb"))
    sub = lab.course / "submitted" / STUDENT / FIRST_ASSIGNMENT
    sub.mkdir(parents=True)
    nbformat.write(nbformat.read(str(src), as_version=4), str(sub / src.name))
    (sub / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
    out = lab.cli("grade", FIRST_ASSIGNMENT, "--student", STUDENT).stdout
    with Gradebook(f"sqlite:///{lab.course / 'gradebook.db'}") as gb:
        s = gb.find_submission(FIRST_ASSIGNMENT, STUDENT)
        score, max_score = s.score, s.max_score
    assert score and score > 0, f"the source solution scored {score}:\n{out}"
    return {"released": released[0], "notebook": src.stem, "student": STUDENT,
            "student_name": STUDENT_NAME, "score": score, "max_score": max_score,
            "seconds": time.monotonic() - t0}


@pytest.fixture(scope="session")
def lab(browser_available, request):
    tmp = Path(tempfile.mkdtemp(prefix="arabtexts-browser-"))
    server = LabServer(tmp)
    server.prepare()
    # the nbgrader steps (~30 s) need only the copy: run them while JupyterLab starts and
    # the first tests run, if any selected test needs them
    job = None
    if any("course" in getattr(item, "fixturenames", ()) for item in request.session.items):
        job = _Job(prepare_course, server)
        job.start()
    server.course_job = job
    try:
        server.start()
    except Exception:
        server.stop()
        if job is not None:
            job.join(600)
        raise
    yield server
    server.stop()
    if job is not None:
        job.join(600)
    if os.environ.get("ARABTEXTS_KEEP_BROWSER_TMP") != "1":
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"\n[browser tests] temporary course kept in {tmp}")


@pytest.fixture(scope="session")
def course(lab):
    """Assignment 01 released, and one autograded submission, in the copy's course dir
    (prepared in the background since the session started)."""
    if lab.course_job is None:  # not foreseen at collection (e.g. requested dynamically)
        lab.course_job = _Job(prepare_course, lab)
        lab.course_job.start()
    return lab.course_job.result()


@pytest.fixture(scope="package")
def browser(browser_available):
    """One Chromium for this folder's tests, stopped when they are done: a started sync
    playwright keeps an asyncio loop running in the main thread, which would break later tests
    (another playwright, ``asyncio.run``)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    # headless=False: the flags carry --headless=new (measured here); playwright would add
    # its own --headless otherwise
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=False)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser, lab, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US",
                              timezone_id="UTC")
    ctx.set_default_timeout(30_000)
    pg = ctx.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        folder = ARTIFACTS / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(folder / "failure-viewport.png"))
        except Exception:  # noqa: BLE001
            pass
        (folder / "failure-console.txt").write_text("\n".join(console) + "\n\n--- jupyter lab log ---\n"
                                                    + lab.log_tail(200), encoding="utf-8")
    ctx.close()


@pytest.fixture
def shots(request) -> Shots:
    return Shots(ARTIFACTS / request.node.name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def pytest_collection_modifyitems(session, config, items):
    """Tests that need no nbgrader preparation first: they run while ``prepare_course``
    works in the background (stable sort: file order is kept otherwise)."""
    here = Path(__file__).resolve().parent
    mine = [i for i in items if Path(str(i.fspath)).resolve().parent == here]
    if not mine:
        return
    first = [i for i in mine if "course" not in getattr(i, "fixturenames", ())]
    later = [i for i in mine if "course" in getattr(i, "fixturenames", ())]
    it = iter(first + later)
    items[:] = [next(it) if i in mine else i for i in items]
