"""Grade a whole class faster than ``nbgrader autograde``, with the same scores and a safe gradebook.

``arabtexts grade`` (:mod:`arabtexts.autograde`) runs one ``nbgrader autograde --student`` process
per student: robust, but every student pays nbgrader's start-up (about 3 s) on top of the
notebook itself, and only one of the machine's cores works. :func:`grade_class` keeps the same
pre-flight and the same nbgrader autograde, and changes only *how the work is scheduled*:

1. The class is split round-robin over ``workers`` worker folders (default: the number of
   cores). Each worker folder is a private, temporary copy of the course: the course's
   ``nbgrader_config.py``, ``source/<assignment>/`` and **its own copy of the gradebook**
   (an SQLite backup of the real one, taken under the grading lock). No two processes ever
   write the same SQLite file (nbgrader's FAQ: no parallel autograding, jupyter/nbgrader#174;
   the workaround discussed there is separate gradebooks merged afterwards — this module).
2. Every submission is copied into the worker's staging folder and repaired by the pre-flight
   of :mod:`arabtexts.autograde` (:func:`~arabtexts.autograde.preflight_notebook`: invalid JSON,
   deleted / stripped / edited test cells …), so a bad submission gets exactly the treatment it
   gets from ``arabtexts grade``. ``submitted/`` is never modified.
3. Each worker runs **one** ``nbgrader autograde <assignment>`` over all its students (nbgrader
   start-up paid once per worker, not once per student), with the same ``--Execute.timeout`` as
   ``arabtexts grade``. The workers run at the same time. Each notebook still gets its own fresh
   kernel: reusing a kernel between students would let one student's variables change another
   student's score, and nbgrader's ``Execute`` has no safe way to do it. What is saved is the
   graceful kernel shutdown: once the last cell has run and its outputs are collected, the kernel
   is stopped at once (``--Execute.shutdown_kernel=immediate``, nbclient's option), which cannot
   change a score.
4. One process — this one — merges the workers' results into the real gradebook through
   nbgrader's Python API (:class:`nbgrader.api.Gradebook`), one transaction per student, copying
   only what ``nbgrader autograde`` itself writes: the student and submission rows, the
   submission timestamp, each notebook's late penalty, each grade's ``auto_score`` and
   ``needs_manual_grade``, each comment's ``auto_comment``. Manual scores and manual comments
   in the real gradebook are never touched (as with nbgrader, a manual grade marks the cell
   ``needs_manual_grade``). The autograded notebooks are copied to ``autograded/`` and the
   grading notes (``arabtexts-notes.json``, :func:`~arabtexts.autograde.scan_autograded`) are
   written next to them, as ``arabtexts grade`` does.
5. A student whose worker failed, crashed, timed out, or whose result is incomplete is graded
   again by the robust sequential path (:func:`arabtexts.autograde.grade_student`, one nbgrader
   process for that student on the real course) — so the worst case is ``arabtexts grade``.

The whole run holds the course's grading lock (``.arabtexts-grading.lock``, the same lock as
``arabtexts grade`` and ``arabtexts feedback``): two graders never run at once.

Usage (the CLI may expose it as ``arabtexts grade --fast``)::

    from arabtexts.fastgrade import grade_class
    summary = grade_class("assignments", "01-kadhimi-washington")
    print(summary.scores())

or ``python -m arabtexts.fastgrade 01-kadhimi-washington [--workers 2] [--course-root DIR]``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import autograde as ag

__all__ = ["ClassSummary", "grade_class", "main"]

GRADEBOOK = "gradebook.db"
#: stop each kernel at once when its notebook has run (nbclient's ``shutdown_kernel``)
SHUTDOWN_IMMEDIATE = True


@dataclass
class ClassSummary:
    """What :func:`grade_class` did. ``results`` holds one :class:`~arabtexts.autograde.StudentResult` per student."""

    assignment: str
    root: Path
    workers: int
    results: list = field(default_factory=list)
    fallback: list[str] = field(default_factory=list)  # students graded by the robust path
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    log_path: Path | None = None

    def scores(self) -> dict[str, tuple[float | None, float | None]]:
        return {r.student: (r.score, r.max_score) for r in self.results}

    def __str__(self) -> str:  # a short human summary
        return (f"{self.assignment}: {len(self.results)} student(s) graded in {self.seconds:.1f} s "
                f"with {self.workers} worker(s); robust fallback for {len(self.fallback)}")


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _course_id(db: Path, assignment: str) -> str | None:
    """The course id the assignment belongs to (``None`` if the gradebook lacks it)."""
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT course_id FROM assignment WHERE name = ?", (assignment,)).fetchone()
    except sqlite3.Error:
        row = None
    finally:
        con.close()
    return row[0] if row else None


def _backup_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of an SQLite file (the backup API, not a file copy)."""
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    d = sqlite3.connect(str(dst))
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()


@dataclass
class _Worker:
    index: int
    folder: Path
    course: Path
    stage: Path
    students: list[str]
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    started: float = 0.0
    returncode: int | None = None
    timed_out: bool = False
    error: str | None = None

    def output(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path else ""
        except OSError:
            return ""


def _make_worker(root: Path, assignment: str, index: int, base: Path, students: list[str], db_copy: Path) -> _Worker:
    folder = base / f"worker-{index}"
    course = folder / "course"
    course.mkdir(parents=True)
    # the course's configuration (and any helper module next to it), never its data
    for p in root.glob("*.py"):
        shutil.copy2(p, course / p.name)
    src = root / "source" / assignment
    if src.is_dir():
        shutil.copytree(src, course / "source" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy2(db_copy, course / GRADEBOOK)
    stage = folder / "submitted"
    stage.mkdir()
    return _Worker(index, folder, course, stage, list(students))


def _start(w: _Worker, assignment: str, timeout: float | None) -> None:
    args = ["autograde", assignment, "--force",
            f"--CourseDirectory.root={w.course}",
            f"--CourseDirectory.db_url=sqlite:///{w.course / GRADEBOOK}",
            f"--CourseDirectory.submitted_directory={w.stage}"]
    if timeout:
        args.append(f"--Execute.timeout={int(timeout)}")  # the same limit as `arabtexts grade`
    if SHUTDOWN_IMMEDIATE:
        # after the last cell the kernel is killed instead of asked to exit (≈ 0.5 s per notebook);
        # every output has been collected by then, so no score can change
        args.append("--Execute.shutdown_kernel=immediate")
    w.log_path = w.folder / "nbgrader.log"
    with open(w.log_path, "w", encoding="utf-8") as out:
        w.proc = subprocess.Popen(ag.nbgrader_cmd(*args), cwd=w.course, env=ag.tool_env(),
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    w.started = time.monotonic()


def _stop(w: _Worker) -> None:
    """Stop a worker and its kernels (its own process group only)."""
    if w.proc is None or w.proc.poll() is not None:
        return
    try:
        os.killpg(w.proc.pid, 15)
        w.proc.wait(10)
    except (OSError, subprocess.TimeoutExpired):
        try:
            os.killpg(w.proc.pid, 9)
        except OSError:
            pass
        w.proc.wait()


def _wait(workers: list[_Worker], limit_per_student: float) -> None:
    pending = [w for w in workers if w.proc is not None]
    while pending:
        for w in list(pending):
            rc = w.proc.poll()
            if rc is not None:
                w.returncode = rc
                pending.remove(w)
            elif time.monotonic() - w.started > limit_per_student * max(1, len(w.students)):
                w.timed_out = True
                _stop(w)
                w.returncode = w.proc.returncode
                pending.remove(w)
        if pending:
            time.sleep(0.2)


_FAILED = re.compile(r"There was an error processing assignment '([^']*)' for student '([^']*)'")


def _worker_successes(w: _Worker, assignment: str, release: dict) -> set[str]:
    """Students the worker graded completely (every notebook autograded, no nbgrader error)."""
    out = w.output()
    failed = {s for a, s in _FAILED.findall(out) if a == assignment}
    ok = set()
    for s in w.students:
        if s in failed:
            continue
        d = w.course / "autograded" / s / assignment
        if all((d / f"{name}.ipynb").is_file() for name in release):
            ok.add(s)
    if w.timed_out:
        # the student being graded when the worker was stopped may have a partial result; a
        # finished student has its notebook written *after* its grades were committed, so the
        # files are a safe sign of completion — but be conservative about the last one
        last = _last_student_seen(out, w.stage, assignment)
        ok.discard(last)
    return ok


def _last_student_seen(output: str, stage: Path, assignment: str) -> str | None:
    rx = re.compile(re.escape(str(stage)) + r"/([^/]+)/" + re.escape(assignment) + r"/")
    found = rx.findall(output)
    return found[-1] if found else None


def _changed_lines(output: str, stage: Path, assignment: str) -> dict[str, list[str]]:
    """nbgrader's "… has changed!" warnings (other than checksums), attributed to students."""
    rx = re.compile(re.escape(str(stage)) + r"/([^/]+)/" + re.escape(assignment) + r"/")
    current, out = None, {}
    for line in output.splitlines():
        m = rx.search(line)
        if m:
            current = m.group(1)
        if "has changed!" in line and "'checksum'" not in line and current:
            out.setdefault(current, []).append(line.strip())
    return out


# --------------------------------------------------------------------------------------
# merge into the real gradebook
# --------------------------------------------------------------------------------------


def _merge_student(gb, wgb, assignment: str, student: str) -> tuple[float | None, float | None]:
    """Copy what ``nbgrader autograde`` wrote for ``student`` from a worker's gradebook ``wgb``
    into the real gradebook ``gb`` (one transaction). Returns the new (score, max_score)."""
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SAWarning

    wsub = wgb.find_submission(assignment, student)
    try:
        gb.find_student(student)
    except MissingEntry:
        gb.add_student(student)  # what nbgrader's autograde does (update_or_create_student, no fields)
    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        with warnings.catch_warnings():
            # nbgrader's add_submission builds the rows before adding them to the session, which
            # makes SQLAlchemy 2 warn (harmlessly) about autoflush; nbgrader's own autograde does the same
            warnings.simplefilter("ignore", SAWarning)
            sub = gb.add_submission(assignment, student)
    try:
        sub.timestamp = wsub.timestamp
        by_name = {nb.name: nb for nb in sub.notebooks}
        for wnb in wsub.notebooks:
            nb = by_name[wnb.name]
            nb.late_submission_penalty = wnb.late_submission_penalty
            grades = {g.name: g for g in nb.grades}
            for wg in wnb.grades:
                g = grades[wg.name]
                g.auto_score = wg.auto_score
                # nbgrader: a manual grade (or no automatic score) means "needs manual grade";
                # the manual score is read from the real gradebook, never overwritten
                g.needs_manual_grade = bool(wg.needs_manual_grade) or g.manual_score is not None
            comments = {c.name: c for c in nb.comments}
            for wc in wnb.comments:
                comments[wc.name].auto_comment = wc.auto_comment
        gb.db.commit()
    except Exception:
        gb.db.rollback()
        raise
    gb.db.expire_all()
    sub = gb.find_submission(assignment, student)
    return sub.score, sub.max_score


def _install_autograded(root: Path, w: _Worker, assignment: str, student: str) -> Path:
    """Replace ``autograded/<student>/<assignment>/`` by the worker's (as ``--force`` does)."""
    src = w.course / "autograded" / student / assignment
    dest = root / "autograded" / student / assignment
    tmp = dest.parent / f".{assignment}.fastgrade-tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, tmp)
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return dest


def _write_notes(out_dir: Path, notes: list) -> None:
    import json

    (out_dir / ag.NOTES_FILE).write_text(
        json.dumps([n.as_dict() for n in notes], ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------------------
# the class
# --------------------------------------------------------------------------------------


def grade_class(course_root, assignment: str, *, workers: int | None = None,
                students: list[str] | None = None, timeout: float | None = None,
                log_dir=None, echo=print) -> ClassSummary:
    """Autograde every submission of ``assignment`` (or only ``students``) with parallel workers.

    Same scores, notes and autograded notebooks as :func:`arabtexts.autograde.grade_assignment`;
    see the module documentation for how. ``workers`` defaults to the number of cores.
    Writes a log to ``<course>/grading-logs/fastgrade-<assignment>-<timestamp>.log``.
    """
    t0 = time.monotonic()
    root = ag.course_root(course_root)
    release = ag._release_notebooks(root, assignment)
    todo = list(students) if students else ag.submitted_students(root, assignment)
    timeout = timeout or ag._read_timeout(root)
    log_dir = Path(log_dir) if log_dir else root / "grading-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = log_dir / f"fastgrade-{assignment}-{stamp}.log"
    n_workers = max(1, int(workers or os.cpu_count() or 1))
    summary = ClassSummary(assignment, root, n_workers, log_path=log_path)

    with open(log_path, "a", encoding="utf-8") as logf:
        def log(msg: str) -> None:
            echo(msg)
            logf.write(msg + "\n")
            logf.flush()

        with ag.grading_lock(root):
            present = []
            for s in todo:
                if (root / "submitted" / s / assignment).is_dir():
                    present.append(s)
                else:
                    log(f"[{s}] no submission of {assignment} in submitted/: skipped")
                    summary.skipped.append(s)
            n_workers = max(1, min(n_workers, len(present)))
            summary.workers = n_workers
            log(f"fast grading {assignment}: {len(present)} submission(s), {n_workers} worker(s) "
                f"(time limit per cell {timeout:g} s)")
            db = root / GRADEBOOK
            course_id = _course_id(db, assignment)
            results: dict[str, ag.StudentResult] = {}
            fallback: list[str] = []
            base = Path(tempfile.mkdtemp(prefix="arabtexts-fastgrade-"))
            try:
                if not present:
                    pass
                elif course_id is None:
                    log(f"the gradebook has no assignment {assignment}: every student goes through "
                        "the robust path (run `arabtexts release` first)")
                    fallback = list(present)
                else:
                    fallback = _parallel(root, assignment, present, release, n_workers, timeout, base,
                                         course_id, results, log)
                for s in fallback:
                    log(f"[{s}] robust sequential grading (arabtexts.autograde.grade_student)")
                    results[s] = ag.grade_student(root, assignment, s, release, timeout=timeout, log=log)
            finally:
                shutil.rmtree(base, ignore_errors=True)
            summary.fallback = fallback
            for s in present:
                r = results.get(s)
                if r is None:  # pragma: no cover - every student is graded or falls back
                    continue
                summary.results.append(r)
                score = "—" if r.score is None else f"{r.score:g}/{r.max_score:g}"
                log(f"[{s}] score {score}  (exit {r.returncode}{', robust path' if s in fallback else ''})")
                for n in r.notes:
                    log(f"[{s}]   {n.kind}: {n.message}")
        summary.seconds = time.monotonic() - t0
        log(f"{summary}")
        log(f"log: {log_path}")
    for r in summary.results:
        r.log_path = log_path  # type: ignore[attr-defined]
    return summary


def _parallel(root: Path, assignment: str, present: list[str], release: dict, n_workers: int,
              timeout: float, base: Path, course_id: str, results: dict, log) -> list[str]:
    """Stage, run the workers, merge. Returns the students that must go through the robust path."""
    import nbformat
    from nbgrader.api import Gradebook

    db_copy = base / GRADEBOOK
    _backup_sqlite(root / GRADEBOOK, db_copy)
    shares = [present[i::n_workers] for i in range(n_workers)]
    workers: list[_Worker] = []
    notes: dict[str, list] = {}
    staged_at: dict[str, float] = {}
    fallback: list[str] = []
    try:
        for i, share in enumerate(shares):
            try:
                w = _make_worker(root, assignment, i, base, share, db_copy)
            except Exception as exc:  # noqa: BLE001 - e.g. a full disk: these students go the robust way
                log(f"worker {i} could not be prepared ({exc!r}): robust path for {len(share)} student(s)")
                fallback.extend(share)
                continue
            for s in share:
                t = time.monotonic()
                try:
                    notes[s] = ag.stage_submission(root, assignment, s, release, w.stage)
                except Exception as exc:  # noqa: BLE001 - that student goes the robust way
                    log(f"[{s}] staging failed ({exc!r}): robust path")
                    shutil.rmtree(w.stage / s, ignore_errors=True)
                    w.students.remove(s)
                    fallback.append(s)
                staged_at[s] = time.monotonic() - t
            workers.append(w)
            if w.students:
                try:
                    _start(w, assignment, timeout)  # worker i runs while worker i+1 is staged
                except OSError as exc:
                    log(f"worker {i} could not start ({exc!r}): robust path for its students")
                    fallback.extend(w.students)
                    w.students = []
        _wait(workers, max(600.0, 40 * (timeout or 60)))
    except BaseException:
        for w in workers:
            _stop(w)
        raise

    with Gradebook(f"sqlite:///{root / GRADEBOOK}", course_id) as gb:
        for w in workers:
            if not w.students:
                continue
            seconds = time.monotonic() - w.started
            out = w.output()
            ok = _worker_successes(w, assignment, release)
            state = "timed out" if w.timed_out else f"exit {w.returncode}"
            log(f"worker {w.index}: {len(w.students)} student(s), {seconds:.1f} s, {state}, "
                f"{len(ok)} graded")
            changed = _changed_lines(out, w.stage, assignment)
            with Gradebook(f"sqlite:///{w.course / GRADEBOOK}", course_id) as wgb:
                for s in w.students:
                    if s not in ok:
                        log(f"[{s}] worker {w.index} did not finish this student: robust path")
                        fallback.append(s)
                        continue
                    for line in changed.get(s, []):
                        log(f"  [{s}] nbgrader: {line}")
                    res = ag.StudentResult(s, returncode=0)
                    res.notes.extend(notes.get(s, []))
                    try:
                        res.score, res.max_score = _merge_student(gb, wgb, assignment, s)
                        out_dir = _install_autograded(root, w, assignment, s)
                        for name in release:
                            p = out_dir / f"{name}.ipynb"
                            if p.exists():
                                res.notes.extend(ag.scan_autograded(
                                    nbformat.read(str(p), as_version=4), name, timeout))
                        _write_notes(out_dir, res.notes)
                    except Exception as exc:  # noqa: BLE001 - never lose a student
                        log(f"[{s}] merging failed ({exc!r}): robust path")
                        fallback.append(s)
                        continue
                    # the time of a student inside a batch is not measured; share it evenly
                    res.seconds = staged_at.get(s, 0.0) + seconds / max(1, len(w.students))
                    results[s] = res
    return fallback


# --------------------------------------------------------------------------------------
# command line (``python -m arabtexts.fastgrade``)
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m arabtexts.fastgrade", description=__doc__.splitlines()[0])
    p.add_argument("assignment")
    p.add_argument("--course-root", default=None, help="nbgrader course directory (default: <repo>/assignments)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: number of cores)")
    p.add_argument("--student", action="append", default=None, help="only this student (repeatable)")
    p.add_argument("--timeout", type=float, default=None, help="seconds per cell (default: the course's)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    a = p.parse_args(argv)
    summary = grade_class(a.course_root, a.assignment, workers=a.workers, students=a.student,
                          timeout=a.timeout, echo=(lambda m: None) if a.quiet else print)
    if a.quiet:
        print(summary)
    return 0 if summary.results or not (summary.skipped or summary.fallback) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
