"""The one grader: a whole class, in parallel, in sandboxed kernels, checked outside them.

:func:`grade_class` (``arabtexts grade <assignment>``):

1. refuses to run student code unconfined unless asked (``sandbox=False``, ``--no-sandbox``):
   without a working sandbox it raises :class:`~.sandbox.SandboxUnavailable` with the reason;
2. takes the course's grading lock; reads the questions and their declared checks from the
   SOURCE notebook and the expected values from the solution, run once in a trusted kernel and
   cached (:mod:`.expected`);
3. for each student, in this process: pre-flight (:mod:`.preflight`), tamper scan
   (:mod:`.tamper`), nbgrader's sanitising pre-processors (:mod:`.gradebook`);
4. ``workers`` threads (default: the number of cores; ``1`` = sequential) each drive one
   sandboxed kernel at a time, while a starter thread of their own boots the next student's
   kernel (and its imports) (:mod:`.execute`); a kernel is never reused for another student;
5. back in this process — the only one that writes the gradebook — the values are compared
   with the expected ones (:mod:`.verdicts`), the test cells' outputs replaced by the verdicts,
   the scores saved by nbgrader's ``SaveAutoGrades``, the autograded notebook written, and the
   report ``<course>/reports/<assignment>.json`` updated.

A broken or hostile submission costs its own student only: every step of one student is
guarded, and a student whose grading fails is reported as ``failed`` and the batch goes on.
"""
from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import gradebook as gbk
from .declarations import Question, questions as declared_questions
from .execute import Kernel, close_factory, kernel_factory, run_notebook
from .expected import expected_values
from .preflight import Note, load_submission, scan_autograded
from .verdicts import Verdict, verdict, verdict_text

REPORTS_DIR = "reports"


class SandboxRefused(RuntimeError):
    """Grading refused: no usable sandbox and ``--no-sandbox`` not given."""


@dataclass
class StudentResult:
    student: str
    status: str = "graded"
    score: float | None = None
    max_score: float | None = None
    cells: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def as_report(self) -> dict:
        return {"status": self.status, "score": self.score, "max_score": self.max_score,
                "cells": self.cells, "flags": self.flags,
                "notes": [n.message if isinstance(n, Note) else str(n) for n in self.notes]}


@dataclass
class ClassSummary:
    assignment: str
    root: Path
    workers: int
    sandbox: bool
    results: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0
    log_path: Path | None = None
    report_path: Path | None = None

    def scores(self) -> dict:
        return {r.student: (r.score, r.max_score) for r in self.results}

    def __str__(self) -> str:
        failed = sum(1 for r in self.results if r.status != "graded")
        return (f"{self.assignment}: {len(self.results)} student(s) in {self.seconds:.1f} s with "
                f"{self.workers} worker(s), sandbox {'on' if self.sandbox else 'OFF'}; {failed} failed")


def check_sandbox(sandbox: bool) -> None:
    """Raise :class:`SandboxRefused` if a sandbox is asked for and not usable here."""
    if not sandbox:
        return
    try:
        from .sandbox import sandbox_status
    except ImportError as exc:
        raise SandboxRefused(f"the sandbox module is missing ({exc}); grading needs it, or --no-sandbox") from exc
    ok, reason = sandbox_status()
    if not ok:
        raise SandboxRefused(
            f"no usable sandbox on this machine: {reason}. Student code would run with your rights, so "
            "grading refuses. Grade on Linux with bubblewrap (apt-get install bubblewrap) or on the course's "
            "JupyterHub (docs/grading-security.md), or pass --no-sandbox if you trust every submission.")


def _scan_flags(nb) -> list[dict]:
    try:
        from .tamper import scan_notebook
    except ImportError:
        return []
    try:
        return [{"code": f.code, "message": f.message} for f in scan_notebook(nb)]
    except Exception as exc:  # noqa: BLE001 - a scanner bug must not stop grading
        return [{"code": "scan-error", "message": f"the tamper scan failed on this notebook ({exc.__class__.__name__})"}]


def _notes_cell(notes: list[Note], flags: list[dict]):
    import nbformat

    lines = ["## Notes from the grading robot · ملاحظات التصحيح الآلي", ""]
    if flags:
        lines += ["**Flags for the instructor · تنبيهات للمدرّس:** this notebook did things an instructor "
                  "should look at (see below).", ""]
        lines += [f"- ⚑ `{f['code']}`: {f['message']}" for f in flags]
        lines.append("")
    if notes:
        lines += [f"- {n.message}" for n in notes]
    return nbformat.v4.new_markdown_cell("\n".join(lines), metadata={"arabtexts": {"grading_notes": True}})


@dataclass
class _Job:
    student: str
    name: str
    nb: object  # sanitised notebook (with hidden tests in test cells; they are cut before sending)
    questions: list


class _Starter(threading.Thread):
    """Starts kernels for one worker, one ahead, on request.

    Starting a sandboxed kernel blocks until the kernel has made its sockets (about a second),
    so it happens here, not in the worker: the next student's kernel boots (and pre-imports
    pandas and the course package) while the worker runs the current notebook. This thread
    lives for the whole batch, and a sandboxed kernel dies with the thread that started it.
    """

    def __init__(self, factory):
        super().__init__(daemon=True)
        self.factory = factory
        self.requests: queue.Queue = queue.Queue()
        self.ready: queue.Queue = queue.Queue()

    def run(self):
        while self.requests.get() is not None:
            try:
                kernel = Kernel(self.factory)
            except Exception as exc:  # noqa: BLE001 - handed to the worker, which reports it
                self.ready.put(exc)
                continue
            try:
                kernel.wait_ready(timeout=120)  # up, and its imports done, before it is handed over
            except Exception:  # noqa: BLE001 - the notebook's run will find out and report it
                pass
            self.ready.put(kernel)

    def stop(self):
        self.requests.put(None)


class _Worker(threading.Thread):
    """Drives one kernel at a time for jobs; its starter boots the next kernel meanwhile."""

    def __init__(self, jobs: queue.Queue, results: queue.Queue, factory, timeout: float):
        super().__init__(daemon=True)
        self.jobs, self.results, self.factory, self.timeout = jobs, results, factory, timeout
        self.starter = _Starter(factory)

    def run(self):
        self.starter.start()
        self.starter.requests.put(True)  # the first kernel
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    return
                kernel = self.starter.ready.get()
                self.starter.requests.put(True)  # the next one boots while this notebook runs
                try:
                    if not isinstance(kernel, Kernel):
                        raise RuntimeError(f"the kernel could not be started ({kernel!r})")
                    run = run_notebook(job.nb, job.questions, kernel, timeout=self.timeout)
                    self.results.put((job, run, None))
                except Exception as exc:  # noqa: BLE001
                    if isinstance(kernel, Kernel):
                        kernel.stop()
                    self.results.put((job, None, f"{exc.__class__.__name__}: {exc}"))
        finally:
            self.starter.stop()
            self.starter.join(timeout=120)
            while not self.starter.ready.empty():
                spare = self.starter.ready.get()
                if isinstance(spare, Kernel):
                    spare.stop()


def _autograded(job: _Job, run, verdicts: dict[str, Verdict], notes: list[Note], flags: list[dict]):
    nb = copy.deepcopy(job.nb)
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = run.outputs.get(i, []) if run is not None else []
        gid = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if gid in verdicts:
            v = verdicts[gid]
            cell["outputs"] = gbk.verdict_outputs(v.passed, verdict_text(v))
    if notes or flags:
        nb.cells.insert(0, _notes_cell(notes, flags))
    return nb


def grade_class(course_root=None, assignment: str = "", *, workers: int | None = None,
                students: list[str] | None = None, timeout: float | None = None, sandbox: bool = True,
                log_dir=None, echo=print, progress: bool = True) -> ClassSummary:
    """Grade every submission of ``assignment`` (or only ``students``); see the module documentation."""
    t0 = time.monotonic()
    check_sandbox(sandbox)
    root = gbk.course_root(course_root)
    release = gbk.release_notebooks(root, assignment)
    sources = gbk.source_notebooks(root, assignment)
    timeout = timeout or gbk.read_timeout(root)
    n_workers = max(1, int(workers or os.cpu_count() or 1))
    log_dir = Path(log_dir) if log_dir else root / "grading-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = log_dir / f"grade-{assignment}-{stamp}.log"
    summary = ClassSummary(assignment, root, n_workers, sandbox, log_path=log_path)
    import nbformat

    with open(log_path, "a", encoding="utf-8") as logf, gbk.grading_lock(root):
        def log(msg: str, *, quiet: bool = False) -> None:
            if not quiet:
                echo(msg)
            logf.write(msg + "\n")
            logf.flush()

        todo = list(students) if students else gbk.submitted_students(root, assignment)
        present = []
        for s in todo:
            if (root / "submitted" / s / assignment).is_dir():
                present.append(s)
            else:
                log(f"[{s}] no submission of {assignment} in submitted/: skipped")
                summary.skipped.append(s)
        n_workers = max(1, min(n_workers, len(present) or 1))
        summary.workers = n_workers

        # questions come from the SOURCE (the release has no declarations)
        qs: dict[str, list[Question]] = {}
        snbs: dict[str, tuple] = {}
        for name in release:
            if name not in sources:
                raise FileNotFoundError(f"no source notebook for {name} in {root / 'source' / assignment}")
            raw = sources[name].read_bytes()
            snb = nbformat.reads(raw.decode("utf-8"), as_version=4)
            qs[name] = declared_questions(snb)
            snbs[name] = (snb, raw)

        log(f"grading {assignment}: {len(present)} submission(s), {n_workers} worker(s), sandbox "
            f"{'on' if sandbox else 'OFF (--no-sandbox)'}, time limit per cell {timeout:g} s")
        # the students' first kernels boot while the expected values are read (or computed, in a
        # trusted kernel of their own) and nbgrader is loaded
        factory = kernel_factory(sandbox=sandbox, zygote=bool(present), log=lambda m: log(m, quiet=True))
        jobs: queue.Queue = queue.Queue()
        done: queue.Queue = queue.Queue()
        pool = [_Worker(jobs, done, factory, timeout) for _ in range(n_workers)] if present else []
        for w in pool:
            w.start()
        exp_thread = _Expected(lambda: {name: expected_values(root, assignment, name, snb, raw, qs[name],
                                                              timeout=max(timeout, 60), log=log)
                                        for name, (snb, raw) in snbs.items()})
        exp_thread.start()
        try:
            recorder = gbk.Recorder(root, assignment)
        except BaseException:
            _stop_pool(pool, jobs)
            exp_thread.join()
            close_factory(factory)
            raise
        expected: dict[str, dict] = {}
        results: dict[str, StudentResult] = {}
        pending: dict[str, dict] = {}  # student -> {"names": set, "nbs": {}, "verdicts": {}}
        started: dict[str, float] = {}
        finished = 0

        def fail(student: str, why: str) -> None:
            r = results.setdefault(student, StudentResult(student))
            r.status = "failed"
            r.notes.append(Note("internal-error", "*", f"Grading this submission failed ({why}); "
                                "the instructor will look at it."))
            log(f"[{student}] FAILED: {why}")

        def prepare(student: str) -> int:
            """Pre-flight, scan, sanitise; queue the student's notebooks. Returns jobs queued."""
            started[student] = time.monotonic()
            r = results.setdefault(student, StudentResult(student))
            folder = root / "submitted" / student / assignment
            try:
                nbs, notes = load_submission(folder, release)
                r.notes.extend(notes)
                recorder.begin(student, gbk.read_timestamp(folder))
                pending[student] = {"names": set(nbs), "nbs": {}, "verdicts": {}}
                for name, nb in nbs.items():
                    flags = _scan_flags(nb)
                    r.flags.extend(flags)
                    clean = recorder.sanitize(nb, student, name)
                    jobs.put(_Job(student, name, clean, qs[name]))
                return len(nbs)
            except Exception as exc:  # noqa: BLE001
                fail(student, f"{exc.__class__.__name__}: {exc}")
                log(traceback.format_exc(), quiet=True)
                pending.pop(student, None)
                return 0

        def finish(job: _Job, run, error: str | None) -> None:
            r = results[job.student]
            p = pending.get(job.student)
            if p is None:
                return
            try:
                if run is None:
                    raise RuntimeError(error or "no result")
                vs = {q.grade_id: verdict(q, run.values[q.grade_id], expected[job.name][q.grade_id],
                                          run.visible_errors.get(q.grade_id)) for q in job.questions}
                notes = list(scan_autograded(_with_outputs(job.nb, run), job.name, timeout))
                if run.truncated:
                    notes.append(Note("output-capped", job.name, f"{len(run.truncated)} cell(s) printed more than "
                                      "the grader keeps; their output was cut."))
                if run.died:
                    notes.append(Note("kernel-died", job.name, f"The notebook's kernel stopped early: {run.died}. "
                                      "The questions after that point could not be checked."))
                r.notes.extend(notes)
                flags = [f for f in r.flags]
                nb = _autograded(job, run, vs, [n for n in r.notes if n.notebook in (job.name, "*")], flags)
                recorder.record(nb, job.student, job.name)
                p["nbs"][job.name] = nb
                p["verdicts"].update(vs)
            except Exception as exc:  # noqa: BLE001
                pending.pop(job.student, None)
                fail(job.student, f"{exc.__class__.__name__}: {exc}")
                log(traceback.format_exc(), quiet=True)
                return
            if set(p["nbs"]) == p["names"]:
                pending.pop(job.student)
                try:
                    recorder.write_autograded(job.student, p["nbs"], [n.as_dict() for n in r.notes],
                                              root / "submitted" / job.student / assignment)
                    r.score, r.max_score, cells = recorder.scores(job.student)
                    r.cells = {gid: {**v.as_dict(), "score": cells.get(gid, (v.score,))[0]}
                               for gid, v in p["verdicts"].items()}
                    r.status = "graded"
                except Exception as exc:  # noqa: BLE001
                    fail(job.student, f"{exc.__class__.__name__}: {exc}")
                    log(traceback.format_exc(), quiet=True)

        def report_student(student: str) -> None:
            nonlocal finished
            finished += 1
            r = results[student]
            r.seconds = time.monotonic() - started.get(student, t0)
            score = "—" if r.score is None else f"{r.score:g}/{r.max_score:g}"
            bar = _bar(finished, len(present)) if progress else ""
            log(f"{bar}[{student}] {r.status} {score}")
            for f in r.flags:
                log(f"[{student}]   ⚑ {f['code']}: {f['message']}")
            for n in r.notes:
                log(f"[{student}]   {n.kind}: {n.message}")

        try:
            queued: dict[str, int] = {}
            backlog = list(present)
            outstanding = 0
            while backlog or outstanding:
                # keep the workers fed: about two notebooks per worker waiting
                while backlog and jobs.qsize() < 2 * n_workers:
                    s = backlog.pop(0)
                    queued[s] = prepare(s)
                    outstanding += queued[s]
                    if queued[s] == 0:
                        report_student(s)
                if not outstanding:
                    continue
                job, run, error = done.get()
                if not expected:
                    expected.update(exp_thread.get())  # raises if the solution fails its checks
                outstanding -= 1
                queued[job.student] -= 1
                finish(job, run, error)
                if queued[job.student] == 0:
                    report_student(job.student)
        finally:
            _stop_pool(pool, jobs)
            exp_thread.join()
            close_factory(factory)
            if getattr(factory, "restarts", 0):
                log(f"kernels: the zygote stopped and was started again {factory.restarts} time(s)")

        recorder.close()
        summary.results = [results[s] for s in present if s in results]
        summary.report_path = write_report(root, assignment, sandbox, summary.results)
        summary.seconds = time.monotonic() - t0
        log(str(summary))
        log(f"report: {summary.report_path}")
        log(f"log: {log_path}")
    return summary


class _Expected(threading.Thread):
    """Computes the expected values beside the first students' kernels; ``get()`` waits for them."""

    def __init__(self, compute):
        super().__init__(daemon=True)
        self.compute = compute
        self.value = None
        self.error: BaseException | None = None

    def run(self):
        try:
            self.value = self.compute()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the grader's thread
            self.error = exc

    def get(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


def _stop_pool(pool: list, jobs: queue.Queue) -> None:
    for _ in pool:
        jobs.put(None)
    for w in pool:
        w.join(timeout=60)


def _with_outputs(nb, run):
    out = copy.deepcopy(nb)
    for i, c in enumerate(out.cells):
        if c.get("cell_type") == "code":
            c["outputs"] = run.outputs.get(i, [])
    return out


def _bar(done: int, total: int, width: int = 20) -> str:
    k = int(width * done / max(1, total))
    return f"[{'#' * k}{'.' * (width - k)}] {done}/{total} "


def write_report(root: Path, assignment: str, sandbox: bool, results: list[StudentResult]) -> Path:
    """Update ``<course>/reports/<assignment>.json`` (students of earlier runs are kept)."""
    path = root / REPORTS_DIR / f"{assignment}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"assignment": assignment, "sandbox": sandbox, "students": {}}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(old.get("students"), dict):
                data["students"] = old["students"]
        except (OSError, ValueError):
            pass
    data["sandbox"] = sandbox
    for r in results:
        data["students"][r.student] = r.as_report()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv=None) -> int:  # pragma: no cover - the CLI is arabtexts.cli
    from ..cli import main as cli_main

    return cli_main(["grade", *(argv or sys.argv[1:])])
