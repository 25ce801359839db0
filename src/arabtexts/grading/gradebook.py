"""nbgrader is the record: the course directory, its lock, the gradebook and the autograded notebooks.

Scores reach the gradebook only through nbgrader's own code, in the grader's process (never in
a student's kernel, which cannot even see the gradebook): a submission is sanitised by
nbgrader's autograde pre-processors (``ClearOutput``, ``DeduplicateIds``,
``OverwriteKernelspec``, ``OverwriteCells``, ``CheckCellMetadata``), its test cells' outputs
are replaced by the trusted verdicts (an ``error`` output for a failed question, a plain
line for a passed one), and nbgrader's ``SaveAutoGrades`` and ``AssignLatePenalties`` read
them, so the formgrader, ``generate_feedback`` and ``export`` work as with ``nbgrader
autograde``. The autograded notebook is written to ``autograded/<student>/<assignment>/``.

Every grading or feedback run holds ``<course>/.arabtexts-grading.lock``.

>>> verdict_outputs(True, "✓ q1")[0]["output_type"]
'stream'
>>> verdict_outputs(False, "✗ q1")[0]["ename"]
'GradingFailure'
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

LOCK_FILE = ".arabtexts-grading.lock"
NOTES_FILE = "arabtexts-notes.json"


def course_root(root: str | os.PathLike | None = None) -> Path:
    """The nbgrader course directory: ``root``, ``$ARABTEXTS_COURSE_ROOT`` or ``<repo>/assignments``."""
    if root:
        return Path(root).resolve()
    if os.environ.get("ARABTEXTS_COURSE_ROOT"):
        return Path(os.environ["ARABTEXTS_COURSE_ROOT"]).resolve()
    from .paths import repo_root

    return (repo_root() / "assignments").resolve()


def tool_env() -> dict:
    """Environment for nbgrader subprocesses: this Python's ``bin`` first on PATH (alembic)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONHOME", None)
    return env


def nbgrader_cmd(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / ("nbgrader.exe" if os.name == "nt" else "nbgrader")
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-m", "nbgrader", *args]


def run_nbgrader(root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in the course directory; output captured, never raises on exit code."""
    return subprocess.run(
        nbgrader_cmd(*args), cwd=root, env=tool_env(), capture_output=True, text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def grading_lock(root: Path, *, wait: float = 600.0):
    """Exclusive lock on the course's gradebook writers (one grading/feedback run at a time)."""
    path = root / LOCK_FILE
    fh = open(path, "a+")
    start = time.monotonic()
    try:
        while True:
            try:
                if os.name == "nt":  # pragma: no cover
                    import msvcrt

                    msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() - start > wait:
                    raise TimeoutError(f"another grading run holds {path}; try again later")
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()


def release_notebooks(root: Path, assignment: str) -> dict[str, object]:
    import nbformat

    rel = root / "release" / assignment
    if not rel.is_dir():
        raise FileNotFoundError(
            f"{rel} does not exist: run `arabtexts release {assignment}` "
            f"(or `nbgrader generate_assignment {assignment}`) first"
        )
    out = {p.stem: nbformat.read(str(p), as_version=4) for p in sorted(rel.glob("*.ipynb"))}
    if not out:
        raise FileNotFoundError(f"no notebooks in {rel}")
    return out


def submitted_students(root: Path, assignment: str) -> list[str]:
    sub = root / "submitted"
    if not sub.is_dir():
        return []
    return sorted(p.name for p in sub.iterdir() if (p / assignment).is_dir() and not p.name.startswith("."))


def read_timeout(root: Path) -> float | None:
    env = os.environ.get("ARABTEXTS_EXECUTE_TIMEOUT")
    if env:
        return float(env)
    m = re.search(r"Execute\.timeout\s*=\s*[^\n]*?(\d+)", (root / "nbgrader_config.py").read_text(encoding="utf-8")
                  if (root / "nbgrader_config.py").exists() else "")
    return float(m.group(1)) if m else 30.0


def source_notebooks(root: Path, assignment: str) -> dict[str, Path]:
    src = root / "source" / assignment
    return {p.stem: p for p in sorted(src.glob("*.ipynb"))}


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def course_id(root: Path) -> str:
    m = re.search(r"course_id\s*=\s*[\"']([^\"']+)", (root / "nbgrader_config.py").read_text(encoding="utf-8")) \
        if (root / "nbgrader_config.py").exists() else None
    return m.group(1) if m else ""


def verdict_outputs(passed: bool, text: str) -> list:
    """The outputs that stand for a verdict in a test cell (what nbgrader's determine_grade reads)."""
    import nbformat

    if passed:
        return [nbformat.v4.new_output("stream", name="stdout", text=text)]
    lines = text.rstrip("\n").split("\n")
    return [nbformat.v4.new_output("error", ename="GradingFailure", evalue=" ".join(l.strip() for l in lines[1:])[:2000],
                                   traceback=lines)]


class Recorder:
    """Writes one assignment's results into nbgrader's record. Used by ONE process (the grader's)."""

    def __init__(self, root: Path, assignment: str):
        self.root = Path(root)
        self.assignment = assignment
        self.url = db_url(self.root)

    def _resources(self, student: str, notebook: str) -> dict:
        return {"nbgrader": {"db_url": self.url, "assignment": self.assignment, "notebook": notebook,
                             "student": student, "course_id": course_id(self.root)},
                "metadata": {"name": notebook,
                             "path": str(self.root / "autograded" / student / self.assignment)}}

    def begin(self, student: str, timestamp=None) -> None:
        """Create or update the student and the submission (with its timestamp), as autograde does."""
        import warnings

        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SAWarning

        with Gradebook(self.url) as gb, warnings.catch_warnings():
            # nbgrader builds the rows before adding them to the session; SQLAlchemy 2 warns about
            # autoflush, harmlessly (nbgrader's own autograde does the same)
            warnings.simplefilter("ignore", SAWarning)
            gb.update_or_create_student(student)
            if timestamp:
                gb.update_or_create_submission(self.assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(self.assignment, student)

    def sanitize(self, nb, student: str, notebook: str):
        """nbgrader's autograde sanitising pre-processors (test cells get the source's full text)."""
        from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,
                                            OverwriteCells, OverwriteKernelspec)

        res = self._resources(student, notebook)
        for pp in (ClearOutput(), DeduplicateIds(), OverwriteKernelspec(), OverwriteCells(), CheckCellMetadata()):
            pp.log = _quiet_log()
            nb, res = pp.preprocess(nb, res)
        return nb

    def record(self, nb, student: str, notebook: str) -> None:
        """Save the scores of an autograded notebook (outputs = verdicts) with nbgrader's own pre-processors."""
        from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

        res = self._resources(student, notebook)
        for pp in (SaveAutoGrades(), AssignLatePenalties()):
            nb, res = pp.preprocess(nb, res)

    def write_autograded(self, student: str, notebooks: dict, notes: list[dict], submitted: Path | None) -> Path:
        """Replace ``autograded/<student>/<assignment>/`` (as ``--force`` does), atomically."""
        import nbformat

        dest = self.root / "autograded" / student / self.assignment
        tmp = dest.parent / f".{self.assignment}.grading-tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        src = self.root / "source" / self.assignment
        for p in src.rglob("*") if src.is_dir() else []:
            if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts:
                target = tmp / p.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, target)
        if submitted is not None and (submitted / "timestamp.txt").is_file():
            shutil.copy2(submitted / "timestamp.txt", tmp / "timestamp.txt")
        for name, nb in notebooks.items():
            nbformat.write(nb, str(tmp / f"{name}.ipynb"))
        (tmp / NOTES_FILE).write_text(json.dumps(notes, ensure_ascii=False, indent=1), encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
        return dest

    def scores(self, student: str) -> tuple[float | None, float | None, dict]:
        """(score, max_score, {grade_id: (auto_score, max_score)}) of the student's submission."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.url) as gb:
            try:
                s = gb.find_submission(self.assignment, student)
            except MissingEntry:
                return None, None, {}
            cells = {}
            for nb in s.notebooks:
                for g in nb.grades:
                    cells[g.name] = (g.auto_score, g.max_score)
            return s.score, s.max_score, cells


class _NotChecksums:
    """Drop nbgrader's "checksum … has changed!" warnings: test cells hold hidden tests the release lacks."""

    def filter(self, record) -> bool:
        return "'checksum'" not in record.getMessage()


def _quiet_log():
    import logging

    log = logging.getLogger("arabtexts.grading.nbgrader")
    if not any(isinstance(f, _NotChecksums) for f in log.filters):
        log.addFilter(_NotChecksums())
    return log


def read_timestamp(folder: Path):
    """The submission's ``timestamp.txt`` as nbgrader parses it, or None."""
    from nbgrader.utils import parse_utc

    p = folder / "timestamp.txt"
    if not p.is_file():
        return None
    try:
        text = p.read_text(encoding="utf-8").strip()
        return parse_utc(text) if text else None
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def integrity_ok(root: Path) -> bool:
    """SQLite's own integrity check of the gradebook."""
    import sqlite3

    con = sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
