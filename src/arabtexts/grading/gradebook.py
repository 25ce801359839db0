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
#: larger files of a submission are not copied into autograded/ (nor back into feedback)
MAX_EXTRA_FILE = 20 * 2**20


def course_root(root: str | os.PathLike | None = None) -> Path:
    """The nbgrader course directory: ``root``, ``$ARABTEXTS_COURSE_ROOT`` or ``<repo>/assignments``."""
    if root:
        return Path(root).resolve()
    if os.environ.get("ARABTEXTS_COURSE_ROOT"):
        return Path(os.environ["ARABTEXTS_COURSE_ROOT"]).resolve()
    from ..paths import repo_root

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


def points_to_grade_by_hand(root: Path, assignment: str, students: list[str]) -> dict[str, float]:
    """Points of each student's submission still waiting for a person (written answers not yet
    graded in the formgrader): a perfect notebook shows 17/22 until then, and says why.

    Read through nbgrader's own ``Grade.needs_manual_grade``; students without a submission are
    left out."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, float] = {}
    with Gradebook(db_url(root)) as gb:
        for student in students:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            out[student] = sum(g.max_score or 0.0 for nb in sub.notebooks for g in nb.grades
                               if g.needs_manual_grade)
    return out


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


class _SourceCell:
    def __init__(self, c):
        self.name, self.cell_type, self.locked = c.name, c.cell_type, c.locked
        self.checksum, self.source = c.checksum, c.source


class _GradedCell:
    def __init__(self, c):
        self.name, self.max_score = c.name, c.max_score


class _SourceCache:
    """What nbgrader's OverwriteCells asks the gradebook, read once per assignment (not per student)."""

    def __init__(self, gb, assignment: str):
        from nbgrader.api import MissingEntry

        self.missing = MissingEntry
        self.source: dict = {}
        self.graded: dict = {}
        self.kernelspec: dict = {}
        for nb in gb.find_assignment(assignment).notebooks:
            self.source.update({(nb.name, c.name): _SourceCell(c) for c in nb.source_cells})
            self.graded.update({(nb.name, c.name): _GradedCell(c) for c in nb.grade_cells})
            self.kernelspec[nb.name] = json.loads(nb.kernelspec) if nb.kernelspec else None

    def find_source_cell(self, name, notebook, assignment):
        try:
            return self.source[(notebook, name)]
        except KeyError:
            raise self.missing(name) from None

    def find_graded_cell(self, name, notebook, assignment):
        try:
            return self.graded[(notebook, name)]
        except KeyError:
            raise self.missing(name) from None


class Recorder:
    """Writes one assignment's results into nbgrader's record. Used by ONE thread of ONE process
    (the grader's); keeps one gradebook connection for the whole batch (:meth:`close`)."""

    def __init__(self, root: Path, assignment: str):
        from nbgrader.api import Gradebook

        self.root = Path(root)
        self.assignment = assignment
        self.url = db_url(self.root)
        self.gb = Gradebook(self.url, course_id(self.root))
        self.cache = _SourceCache(self.gb, assignment)
        self._late = None

    def close(self) -> None:
        self.gb.close()

    def _resources(self, student: str, notebook: str) -> dict:
        return {"nbgrader": {"db_url": self.url, "assignment": self.assignment, "notebook": notebook,
                             "student": student, "course_id": course_id(self.root)},
                "metadata": {"name": notebook,
                             "path": str(self.root / "autograded" / student / self.assignment)}}

    def begin(self, student: str, timestamp=None) -> None:
        """Create or update the student and the submission (with its timestamp), as autograde does."""
        import warnings

        from sqlalchemy.exc import SAWarning

        gb = self.gb
        with warnings.catch_warnings():
            # nbgrader builds the rows before adding them to the session; SQLAlchemy 2 warns about
            # autoflush, harmlessly (nbgrader's own autograde does the same)
            warnings.simplefilter("ignore", SAWarning)
            try:
                gb.update_or_create_student(student)
                if timestamp:
                    gb.update_or_create_submission(self.assignment, student, timestamp=timestamp)
                else:
                    gb.update_or_create_submission(self.assignment, student)
            except Exception:
                gb.db.rollback()
                raise

    def sanitize(self, nb, student: str, notebook: str):
        """nbgrader's autograde sanitising (ClearOutput, DeduplicateIds, the source's kernelspec,
        OverwriteCells): locked and test cells get the source's text back. nbgrader's
        CheckCellMetadata is not needed: the pre-flight already rebuilt every grading cell from
        the release."""
        from nbgrader.preprocessors import ClearOutput, DeduplicateIds

        res = self._resources(student, notebook)
        for pp in (ClearOutput(), DeduplicateIds()):
            nb, res = pp.preprocess(nb, res)
        ks = self.cache.kernelspec.get(notebook)
        if ks is not None:
            nb.metadata["kernelspec"] = ks
        ow = _CachedOverwriteCells()
        ow.gradebook = self.cache
        ow.notebook_id, ow.assignment_id, ow.db_url = notebook, self.assignment, self.url
        ow.log = _quiet_log()
        for i, cell in enumerate(nb.cells):
            nb.cells[i], res = ow.preprocess_cell(cell, res, i)
        return nb

    def record(self, nb, student: str, notebook: str) -> None:
        """Save the scores of an autograded notebook (test cells' outputs = verdicts) exactly as
        nbgrader's SaveAutoGrades and AssignLatePenalties do (nbgrader's own ``determine_grade``),
        in one transaction."""
        from nbgrader import utils

        gb = self.gb
        try:
            sub_nb = gb.find_submission_notebook(notebook, self.assignment, student)
            grades = {g.name: g for g in sub_nb.grades}
            comments = {c.name: c for c in sub_nb.comments}
            for cell in nb.cells:
                if "nbgrader" not in (cell.get("metadata") or {}):
                    continue
                gid = cell.metadata["nbgrader"].get("grade_id")
                if utils.is_grade(cell) and gid in grades:
                    g = grades[gid]
                    g.auto_score, _ = utils.determine_grade(cell, None)
                    g.needs_manual_grade = g.manual_score is not None or g.auto_score is None
                if (utils.is_solution(cell) or utils.is_task(cell)) and gid in comments:
                    unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
                    comments[gid].auto_comment = "No response." if unchanged and not utils.is_task(cell) else None
            gb.db.flush()
            self._late_penalty(sub_nb, student)
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise

    def _late_penalty(self, sub_nb, student: str) -> None:
        if self._late is None:
            from nbgrader.preprocessors import AssignLatePenalties

            self._late = AssignLatePenalties()
            self._late.init_plugin()
        sub_nb.late_submission_penalty = None
        late = sub_nb.assignment.total_seconds_late
        if late > 0:
            penalty = self._late.plugin_inst.late_submission_penalty(student, sub_nb.score, late)
            if penalty is not None:
                sub_nb.late_submission_penalty = self._late._check_late_penalty(sub_nb, penalty)

    def write_autograded(self, student: str, notebooks: dict, notes: list[dict], submitted: Path | None) -> Path:
        """Replace ``autograded/<student>/<assignment>/`` (as ``--force`` does), atomically."""
        from nbformat.v4 import nbjson

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
        if submitted is not None and submitted.is_dir():
            # as nbgrader's autograde: the submission's other files (timestamp.txt,
            # submission_secret.txt for release_feedback, the student's data files) come along;
            # regular files only, no notebooks, nothing huge
            for p in submitted.rglob("*"):
                rel = p.relative_to(submitted)
                if p.is_symlink() or not p.is_file() or p.suffix == ".ipynb" or ".ipynb_checkpoints" in rel.parts:
                    continue
                if p.stat().st_size > MAX_EXTRA_FILE:
                    continue
                target = tmp / rel
                if target.exists():  # the source's files win
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, target)
        for name, nb in notebooks.items():
            (tmp / f"{name}.ipynb").write_text(nbjson.writes(nb), encoding="utf-8")
        (tmp / NOTES_FILE).write_text(json.dumps(notes, ensure_ascii=False, indent=1), encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
        return dest

    def scores(self, student: str) -> tuple[float | None, float | None, dict]:
        """(score, max_score, {grade_id: (auto_score, max_score)}) of the student's submission."""
        from nbgrader.api import MissingEntry

        gb = self.gb
        gb.db.expire_all()
        try:
            s = gb.find_submission(self.assignment, student)
        except MissingEntry:
            return None, None, {}
        cells = {}
        for nb in s.notebooks:
            for g in nb.grades:
                cells[g.name] = (g.auto_score, g.max_score)
        return s.score, s.max_score, cells


_OVERWRITE = []


def _CachedOverwriteCells():
    """nbgrader's OverwriteCells, used cell by cell, asking a cache instead of the database."""
    if not _OVERWRITE:
        from nbgrader.preprocessors import OverwriteCells

        _OVERWRITE.append(OverwriteCells)
    return _OVERWRITE[0]()


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
