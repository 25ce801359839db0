"""Robust batch grading around ``nbgrader autograde``, and feedback that never leaks hidden tests.

Why this module exists (measured with nbgrader 0.9.6): a submission that is not valid JSON
makes ``nbgrader autograde`` exit 1 for that student; a deleted test cell, or one whose nbgrader
metadata was stripped, is silently *not graded* (grade ``None``, no warning); and the feedback
HTML shows the lines of a hidden test in the traceback when that test fails.

Design (the safe one): **submissions are never modified.** For each student,
:func:`grade_assignment`

1. copies ``submitted/<student>/<assignment>/`` to a private staging folder,
2. runs a *pre-flight* on every notebook of the copy against the released notebook
   (``release/<assignment>/``): invalid JSON or an unreadable notebook → graded as the
   blank release (score 0) with a plain-language note; deleted cells and cells whose
   nbgrader metadata was stripped → restored (matched by grade id, cell id or content);
   edited locked cells → restored; unknown nbgrader metadata → removed,
3. runs ``nbgrader autograde --student <student>`` **in its own process** on the staging
   copy (``--CourseDirectory.submitted_directory`` points there), so one bad submission
   cannot stop the batch or touch another student's grade,
4. scans the autograded notebook for timeouts (infinite loops) and exceptions, and writes
   every note to ``autograded/<student>/<assignment>/arabtexts-notes.json`` and to the log.
   :class:`FeedbackNotes` puts those notes at the top of the feedback notebook.

Only nbgrader writes to the gradebook, and one batch at a time: the whole batch holds
``<course>/.arabtexts-grading.lock``.

Two nbconvert preprocessors are used in ``GenerateFeedback.preprocessors`` (see
``assignments/nbgrader_config.py``): :class:`ScrubHiddenTests` (before nbgrader's
``ClearHiddenTests``) removes hidden-test lines from outputs and tracebacks, and
:class:`FeedbackNotes` adds the grading notes.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

NOTES_FILE = "arabtexts-notes.json"
LOCK_FILE = ".arabtexts-grading.lock"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------
# paths and subprocesses
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# pre-flight
# --------------------------------------------------------------------------------------


def _nbmeta(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _visible(source: str) -> str:
    """A cell's source without its hidden-test region (the release never has it)."""
    out, inside = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line.rstrip())
    return "\n".join(out).strip()


def _is_locked(meta: dict) -> bool:
    """Cells whose content the student must not change (tests, read-only cells)."""
    return bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution"))


def _label(meta: dict, cell) -> str:
    return meta.get("grade_id") or cell.get("id") or "?"


@dataclass
class Note:
    """One plain-language remark about a submission (logged and shown in the feedback)."""

    kind: str
    notebook: str
    message: str
    cell: str | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "notebook": self.notebook, "cell": self.cell, "message": self.message}


def preflight_notebook(sub_path: Path, release_nb, notebook: str) -> tuple[object, list[Note]]:
    """Return a gradable copy of a submitted notebook and the notes about what was repaired.

    ``release_nb`` is the released (student) version, an ``nbformat`` node. The returned
    notebook is a new object; ``sub_path`` is only read.
    """
    import nbformat

    notes: list[Note] = []
    try:
        raw = sub_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        notes.append(Note("unreadable", notebook,
                          f"The file could not be read ({exc.__class__.__name__}). It was graded as "
                          "an empty notebook (score 0). Please contact your instructor."))
        return copy.deepcopy(release_nb), notes
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        notes.append(Note("invalid-json", notebook,
                          f"The file is not a valid notebook: its JSON is broken at line {exc.lineno}, "
                          f"column {exc.colno} ({exc.msg}). This usually happens when a notebook is "
                          "edited in a text editor or a download is cut. It was graded as an empty "
                          "notebook (score 0); your original file is kept, so ask your instructor to "
                          "look at it."))
        return copy.deepcopy(release_nb), notes
    try:
        sub = nbformat.reads(raw, as_version=4)
        if not isinstance(sub.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as exc:  # noqa: BLE001 - any unreadable structure
        notes.append(Note("invalid-notebook", notebook,
                          f"The file is JSON but not a Jupyter notebook ({exc}). It was graded as an "
                          "empty notebook (score 0). Please contact your instructor."))
        return copy.deepcopy(release_nb), notes

    rel_cells = list(release_nb.cells)
    rel_ids = {_nbmeta(c).get("grade_id") for c in rel_cells if _nbmeta(c)}
    sub_cells = [copy.deepcopy(c) for c in sub.cells]

    # student cells carrying nbgrader metadata unknown to the release (e.g. copied/pasted cells)
    seen: set[str] = set()
    for c in sub_cells:
        m = _nbmeta(c)
        if not m:
            continue
        gid = m.get("grade_id")
        if gid not in rel_ids or gid in seen:
            c.metadata.pop("nbgrader", None)
            what = "a copy of" if gid in seen else "unknown grading information"
            notes.append(Note("extra-metadata", notebook,
                              f"A cell carried {what} grading cell «{gid}»; that information was removed "
                              "(the cell itself is kept and runs as your own code).", gid))
        else:
            seen.add(gid)

    by_gid = {_nbmeta(c).get("grade_id"): i for i, c in enumerate(sub_cells) if _nbmeta(c)}
    by_id: dict[str, int] = {}
    for i, c in enumerate(sub_cells):
        if c.get("id") and not _nbmeta(c):
            by_id.setdefault(c["id"], i)
    by_src: dict[str, list[int]] = {}
    for i, c in enumerate(sub_cells):
        if not _nbmeta(c):
            by_src.setdefault(_visible(_src(c)), []).append(i)

    used: set[int] = set()
    match: dict[int, int] = {}  # release index -> submission index
    for r, rc in enumerate(rel_cells):
        rm = _nbmeta(rc)
        if not rm:
            continue
        gid = rm.get("grade_id")
        label = gid
        if gid in by_gid:
            i = by_gid[gid]
            match[r] = i
            used.add(i)
            sc = sub_cells[i]
            if _is_locked(rm) and (_visible(_src(sc)) != _visible(_src(rc)) or sc.cell_type != rc.cell_type):
                kind = "test cell" if rm.get("grade") else "read-only cell"
                notes.append(Note("edited-locked", notebook,
                                  f"The {kind} «{label}» was changed; it was restored to the original "
                                  "(changes to read-only cells are never graded).", label))
                sub_cells[i] = _restored(rc, sc, keep_source=False)
            elif sc.metadata.get("nbgrader") != rm or sc.cell_type != rc.cell_type:
                sub_cells[i] = _restored(rc, sc, keep_source=not _is_locked(rm))
            continue
        # no cell with this grade id: stripped metadata? (same cell id, or same content)
        i = None
        cid = rc.get("id")
        if cid and cid in by_id and by_id[cid] not in used:
            i = by_id[cid]
        else:
            for j in by_src.get(_visible(_src(rc)), []):
                if j not in used and sub_cells[j].cell_type == rc.cell_type:
                    i = j
                    break
        if i is not None:
            match[r] = i
            used.add(i)
            sc = sub_cells[i]
            edited = _is_locked(rm) and _visible(_src(sc)) != _visible(_src(rc))
            sub_cells[i] = _restored(rc, sc, keep_source=not _is_locked(rm))
            notes.append(Note("stripped-metadata", notebook,
                              f"The grading information of cell «{label}» was missing (its metadata was "
                              "removed, e.g. by copying the cell or by another editor); it was restored"
                              + (" together with its original content" if edited else "")
                              + " so that the cell is graded.", label))
            continue
        if rm.get("solution"):
            why = " (empty: an answer that was deleted cannot be graded)."
        elif rm.get("grade"):
            why = " so that your answers are still tested."
        else:
            why = "."
        notes.append(Note("deleted-cell", notebook,
                          f"Cell «{label}» was missing (deleted); it was restored from the assignment{why}",
                          label))

    # rebuild the cell list: missing release cells go after the nearest previous matched anchor
    inserts: dict[int, list] = {}
    last_anchor = -1
    for r, rc in enumerate(rel_cells):
        if r in match:
            last_anchor = match[r]
        elif _nbmeta(rc):
            inserts.setdefault(last_anchor, []).append(copy.deepcopy(rc))
    out_cells = list(inserts.get(-1, []))
    for i, c in enumerate(sub_cells):
        out_cells.append(c)
        out_cells.extend(inserts.get(i, []))
    sub.cells = out_cells
    # nbformat >= 4.5 wants unique cell ids
    ids: set[str] = set()
    for n, c in enumerate(sub.cells):
        if "id" in c:
            if c["id"] in ids:
                c["id"] = f"{c['id']}-{n}"
            ids.add(c["id"])
    return sub, notes


def _restored(rel_cell, sub_cell, *, keep_source: bool):
    new = copy.deepcopy(rel_cell)
    if keep_source:
        new["source"] = _src(sub_cell)
    if new.cell_type == "code":
        new["outputs"] = []
        new["execution_count"] = None
    return new


# --------------------------------------------------------------------------------------
# after autograde: timeouts and exceptions
# --------------------------------------------------------------------------------------


def scan_autograded(nb, notebook: str, timeout: float | None) -> list[Note]:
    """Notes about cells that were interrupted (time limit) or raised outside the tests."""
    notes: list[Note] = []
    limit = f"{int(timeout)} s" if timeout else "the time limit"
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        m = _nbmeta(c)
        label = _label(m, c)
        is_test = bool(m.get("grade")) and not m.get("solution")
        for o in c.get("outputs", []):
            if o.get("output_type") != "error":
                continue
            ename = o.get("ename", "")
            if ename in ("CellTimeoutError", "KeyboardInterrupt", "DeadKernelError", "TimeoutError"):
                notes.append(Note("timeout", notebook,
                                  f"Cell «{label}» was still running after {limit} and was stopped "
                                  "(an infinite loop?). The cells after it still ran.", label))
                break
            if not is_test:
                ev = (o.get("evalue") or "").strip().splitlines()
                ev = ev[0][:200] if ev else ""
                if ename == "NotImplementedError" and m.get("solution"):
                    msg = f"Cell «{label}» was not answered (it still raises NotImplementedError)."
                else:
                    msg = f"Cell «{label}» raised {ename}{': ' + ev if ev else ''}."
                notes.append(Note("exception", notebook, msg, label))
                break
    return notes


# --------------------------------------------------------------------------------------
# batch grading
# --------------------------------------------------------------------------------------


@dataclass
class StudentResult:
    student: str
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    returncode: int | None = None
    notes: list[Note] = field(default_factory=list)


def _release_notebooks(root: Path, assignment: str) -> dict[str, object]:
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


def _read_timeout(root: Path) -> float | None:
    env = os.environ.get("ARABTEXTS_EXECUTE_TIMEOUT")
    if env:
        return float(env)
    m = re.search(r"Execute\.timeout\s*=\s*[^\n]*?(\d+)", (root / "nbgrader_config.py").read_text(encoding="utf-8")
                  if (root / "nbgrader_config.py").exists() else "")
    return float(m.group(1)) if m else 30.0


def _gradebook_score(root: Path, assignment: str, student: str):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            s = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, None
        return s.score, s.max_score


def stage_submission(root: Path, assignment: str, student: str, release: dict,
                     staging_base: Path) -> list[Note]:
    """Copy one submission to ``staging_base/<student>/<assignment>`` and run the pre-flight on it.

    A missing notebook is graded as the blank release; if exactly one other notebook is there, it
    is graded in its place; every notebook goes through :func:`preflight_notebook`. Returns the
    notes for the student. ``submitted/`` is only read. Used by :func:`grade_student` and by
    :mod:`arabtexts.fastgrade`, so both graders repair submissions identically.
    """
    import nbformat

    notes: list[Note] = []
    src_dir = root / "submitted" / student / assignment
    stage = staging_base / student / assignment
    shutil.copytree(src_dir, stage, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    present = {p.stem: p for p in stage.glob("*.ipynb")}
    for name, rel_nb in release.items():
        path = stage / f"{name}.ipynb"
        if name not in present:
            others = [p for s, p in present.items() if s not in release]
            if len(others) == 1:
                notes.append(Note("renamed", name,
                                  f"The notebook {name}.ipynb was missing; the only other notebook, "
                                  f"{others[0].name}, was graded in its place."))
                others[0].rename(path)
            else:
                notes.append(Note("missing-notebook", name,
                                  f"The notebook {name}.ipynb was not in the submission; it was "
                                  "graded as empty (score 0)."))
                nbformat.write(rel_nb, str(path))
                continue
        fixed, nb_notes = preflight_notebook(path, rel_nb, name)
        notes.extend(nb_notes)
        nbformat.write(fixed, str(path))
    return notes


def grade_student(root: Path, assignment: str, student: str, release: dict, *,
                  timeout: float | None = None, log=print) -> StudentResult:
    """Pre-flight + ``nbgrader autograde`` of one student, in a subprocess. Never raises for a bad submission."""
    import nbformat

    res = StudentResult(student)
    t0 = time.monotonic()
    staging_base = Path(tempfile.mkdtemp(prefix="arabtexts-preflight-"))
    try:
        res.notes.extend(stage_submission(root, assignment, student, release, staging_base))
        args = ["autograde", assignment, "--student", student, "--force",
                f"--CourseDirectory.submitted_directory={staging_base}"]
        if timeout:
            args.append(f"--Execute.timeout={int(timeout)}")
        try:
            proc = run_nbgrader(root, *args, timeout=max(600.0, 40 * (timeout or 60)))
            res.returncode = proc.returncode
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            res.returncode = -1
            output = ""
            res.notes.append(Note("autograde-timeout", "*", "Grading took far too long and was stopped; "
                                  "the instructor will look at this submission."))
        for line in output.splitlines():
            # nbgrader warns about 'checksum' for every test cell with hidden tests (the release
            # lacks them); only other attributes (source, points, cell type) are news
            if "has changed!" in line and "'checksum'" not in line:
                log(f"  [{student}] nbgrader: {line.strip()}")
        if res.returncode not in (0, None):
            tail = [l for l in output.splitlines() if "ERROR" in l or "Error" in l][-3:]
            res.notes.append(Note("autograde-failed", "*",
                                  "Automatic grading failed for this submission (" + " / ".join(tail)[:400]
                                  + "). The instructor will look at it."))
        out_dir = root / "autograded" / student / assignment
        for name in release:
            p = out_dir / f"{name}.ipynb"
            if p.exists():
                res.notes.extend(scan_autograded(nbformat.read(str(p), as_version=4), name, timeout))
        if out_dir.is_dir():
            (out_dir / NOTES_FILE).write_text(
                json.dumps([n.as_dict() for n in res.notes], ensure_ascii=False, indent=1), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - the batch must go on
        res.notes.append(Note("internal-error", "*", f"Grading this submission failed: {exc!r}"))
    finally:
        shutil.rmtree(staging_base, ignore_errors=True)
    res.score, res.max_score = _gradebook_score(root, assignment, student)
    res.seconds = time.monotonic() - t0
    return res


def grade_assignment(assignment: str, students: list[str] | None = None, *, root=None,
                     timeout: float | None = None, log_dir=None, echo=print) -> list[StudentResult]:
    """Grade every submission of ``assignment`` (or only ``students``), one process per student.

    Returns one :class:`StudentResult` per student; writes a log to
    ``<course>/grading-logs/grade-<assignment>-<timestamp>.log``.
    """
    root = course_root(root)
    release = _release_notebooks(root, assignment)
    todo = students or submitted_students(root, assignment)
    timeout = timeout or _read_timeout(root)
    log_dir = Path(log_dir) if log_dir else root / "grading-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = log_dir / f"grade-{assignment}-{stamp}.log"
    results: list[StudentResult] = []
    with open(log_path, "a", encoding="utf-8") as logf:
        def log(msg: str) -> None:
            echo(msg)
            logf.write(msg + "\n")
            logf.flush()

        log(f"grading {assignment}: {len(todo)} submission(s) in {root / 'submitted'} (time limit per cell {timeout:g} s)")
        with grading_lock(root):
            for student in todo:
                if not (root / "submitted" / student / assignment).is_dir():
                    log(f"[{student}] no submission of {assignment} in submitted/: skipped")
                    continue
                r = grade_student(root, assignment, student, release, timeout=timeout, log=log)
                results.append(r)
                score = "—" if r.score is None else f"{r.score:g}/{r.max_score:g}"
                log(f"[{student}] score {score}  ({r.seconds:.1f} s, nbgrader exit {r.returncode})")
                for n in r.notes:
                    log(f"[{student}]   {n.kind}: {n.message}")
        log(f"log: {log_path}")
    for r in results:
        r.log_path = log_path  # type: ignore[attr-defined]
    return results


# --------------------------------------------------------------------------------------
# feedback preprocessors
# --------------------------------------------------------------------------------------


def _hidden_lines(source: str) -> list[str]:
    out, inside = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
            continue
        if END_HIDDEN in line:
            inside = False
            continue
        if inside and len(line.strip()) >= 4:
            out.append(line.strip())
    return out


def _leaks(text: str, hidden: list[str]) -> bool:
    t = _ANSI.sub("", text)
    return BEGIN_HIDDEN in t or END_HIDDEN in t or any(h in t for h in hidden)


class ScrubHiddenTests(Preprocessor):
    """Remove every line of a hidden test from the *outputs* of its cell (tracebacks included).

    Must run before nbgrader's ``ClearHiddenTests`` (which removes the hidden source but
    leaves a failing hidden test's traceback, with its lines, in the output).
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        hidden = _hidden_lines(cell.source)
        if not hidden:
            return cell, resources
        outputs = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                scrubbed, removed = [], False
                for entry in out.get("traceback", []):
                    keep = [ln for ln in entry.split("\n") if not _leaks(ln, hidden)]
                    removed |= len(keep) != len(entry.split("\n"))
                    if keep:
                        scrubbed.append("\n".join(keep))
                if removed:
                    scrubbed.append("(lines of hidden tests are not shown · لا تُعرض أسطر الاختبارات المخفية)")
                if _leaks(out.get("evalue", ""), hidden):
                    out["evalue"] = "a hidden test failed"
                out["traceback"] = scrubbed
                outputs.append(out)
            elif kind == "stream":
                lines = [ln for ln in out.get("text", "").split("\n") if not _leaks(ln, hidden)]
                out["text"] = "\n".join(lines)
                outputs.append(out)
            else:
                data = out.get("data", {})
                if any(_leaks(v if isinstance(v, str) else "".join(v), hidden)
                       for v in data.values() if isinstance(v, (str, list))):
                    continue
                outputs.append(out)
        cell["outputs"] = outputs
        return cell, resources


class FeedbackNotes(Preprocessor):
    """Insert the grading notes (``arabtexts-notes.json``) as a first markdown cell."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        import nbformat

        folder = (resources.get("metadata") or {}).get("path")
        if not folder:
            return nb, resources
        path = Path(folder) / NOTES_FILE
        if not path.exists():
            return nb, resources
        notebook = (resources.get("nbgrader") or {}).get("notebook")
        try:
            notes = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return nb, resources
        mine = [n for n in notes if n.get("notebook") in (notebook, "*")]
        if not mine:
            return nb, resources
        lines = [
            "## Notes from the grading robot · ملاحظات التصحيح الآلي",
            "",
            "Your submission needed attention before or during grading:",
            "",
        ]
        lines += [f"- {n['message']}" for n in mine]
        lines += ["", '<div dir="rtl" lang="ar">',
                  "احتاج تسليمك إلى معالجة قبل التصحيح أو أثناءه؛ التفاصيل أعلاه بالإنجليزية. "
                  "إن كان لديك سؤال فاسأل مدرّسك.", "</div>"]
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n".join(lines)))
        return nb, resources
