"""``arabtexts …``: the instructor's nbgrader workflow and the self-learner's self-check.

Instructor (run from anywhere; the commands work in ``assignments/`` with the course's
``bin`` on PATH, because nbgrader runs ``alembic`` as a subprocess)::

    arabtexts release 01-kadhimi-washington     # generate_assignment + release_assignment
    arabtexts collect 01-kadhimi-washington     # collect submissions from the exchange
    arabtexts grade   01-kadhimi-washington     # robust batch autograde (one process per student)
    arabtexts feedback 01-kadhimi-washington    # generate_feedback + release_feedback
    arabtexts export --to grades.csv            # all grades as CSV
    arabtexts formgrader                        # how to open the formgrader (manual grading)
    arabtexts db-sync                           # add every assignment of source/ to the gradebook

Self-learner::

    arabtexts practice 01-kadhimi-washington    # my-work/01-kadhimi-washington/…ipynb (student version)
    arabtexts selfcheck my-work/01-kadhimi-washington/01-kadhimi-washington.ipynb

Course authors::

    arabtexts selfcheck-keys [ASSIGNMENT …] [--check]   # regenerate assignments/selfcheck/*.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .autograde import (
    course_root,
    grade_assignment,
    grading_lock,
    run_nbgrader,
)

MARK = "@@ARABTEXTS-SELFCHECK@@"


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _nbgrader(root: Path, *args: str, quiet: bool = False) -> int:
    _say(f"$ nbgrader {' '.join(args)}   (in {root})")
    proc = run_nbgrader(root, *args)
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not quiet:
        for line in out.splitlines():
            if proc.returncode != 0 or "ERROR" in line or "WARNING" in line or "INFO" in line:
                _say("  " + line)
    if proc.returncode != 0:
        _say(f"nbgrader {args[0]} failed (exit {proc.returncode})")
    return proc.returncode


def _assignments(root: Path) -> list[str]:
    src = root / "source"
    return sorted(p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) \
        if src.is_dir() else []


def _check_assignment(root: Path, name: str) -> None:
    if not (root / "source" / name).is_dir():
        known = ", ".join(_assignments(root)) or "none"
        raise SystemExit(f"No assignment {name!r} in {root / 'source'}; known: {known}")


# --------------------------------------------------------------------------------------
# instructor commands
# --------------------------------------------------------------------------------------


def cmd_db_sync(a) -> int:
    root = course_root(a.course_root)
    rc = 0
    with grading_lock(root):
        for name in _assignments(root):
            rc |= _nbgrader(root, "db", "assignment", "add", name, quiet=True)
    return rc


def cmd_release(a) -> int:
    root = course_root(a.course_root)
    _check_assignment(root, a.assignment)
    with grading_lock(root):
        rc = _nbgrader(root, "db", "assignment", "add", a.assignment, quiet=True)
        rc = rc or _nbgrader(root, "generate_assignment", a.assignment, "--force")
    if rc == 0 and not a.no_exchange:
        rc = _nbgrader(root, "release_assignment", a.assignment, "--force")
    if rc == 0:
        _say(f"released {a.assignment}: student version in {root / 'release' / a.assignment}")
    return rc


def cmd_collect(a) -> int:
    root = course_root(a.course_root)
    return _nbgrader(root, "collect", a.assignment, "--update")


def cmd_grade(a) -> int:
    root = course_root(a.course_root)
    _check_assignment(root, a.assignment)
    if a.fast:
        from .fastgrade import grade_class

        summary = grade_class(root, a.assignment, workers=a.workers, students=a.student or None,
                              timeout=a.timeout)
        results = summary.results
    else:
        results = grade_assignment(a.assignment, a.student or None, root=root, timeout=a.timeout)
    if not results:
        _say("nothing to grade: no submissions in submitted/ (run `arabtexts collect` first?)")
        return 0
    _say("")
    _say(f"{'student':<20} {'score':>9}  {'seconds':>7}  notes")
    for r in results:
        score = "—" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        _say(f"{r.student:<20} {score:>9}  {r.seconds:7.1f}  {len(r.notes)}")
    _say("Written answers still need manual grading in the formgrader (`arabtexts formgrader`).")
    return 0


def cmd_feedback(a) -> int:
    root = course_root(a.course_root)
    with grading_lock(root):
        args = ["generate_feedback", a.assignment, "--force"]
        for s in a.student or []:
            args += ["--student", s]
        rc = _nbgrader(root, *args)
    if rc == 0 and not a.no_exchange:
        # only submissions that came through the exchange (nbgrader submit + collect) carry
        # the secret needed to return feedback; others are handed out by hand
        fb = root / "feedback"
        students = sorted(p.parent.name for p in fb.glob(f"*/{a.assignment}")
                          if (not a.student or p.parent.name in a.student))
        via = [s for s in students if (fb / s / a.assignment / "submission_secret.txt").exists()]
        for s in via:
            rc |= _nbgrader(root, "release_feedback", a.assignment, "--student", s, quiet=True)
        by_hand = sorted(set(students) - set(via))
        if by_hand:
            _say(f"not submitted through the exchange, give their feedback by hand: {', '.join(by_hand)}")
    if rc == 0:
        _say(f"feedback in {root / 'feedback'}/<student>/{a.assignment}/")
    return rc


def cmd_export(a) -> int:
    root = course_root(a.course_root)
    target = Path(a.to).resolve() if a.to else root / "grades.csv"
    with grading_lock(root):
        rc = _nbgrader(root, "export", "--to", str(target), quiet=True)
    if rc == 0:
        _say(f"grades written to {target}")
    return rc


def cmd_formgrader(a) -> int:
    root = course_root(a.course_root)
    _say(f"""The formgrader is part of JupyterLab (course directory: {root}).

1. Start JupyterLab at the repository root:   python3 course.py
   (the root nbgrader_config.py points the formgrader at assignments/)
2. Menu  Nbgrader → Formgrader.
3. Manage Submissions → an assignment → a student → grade the written answers
   (cells marked "manually graded"), add comments, then "Next".
4. Then:   arabtexts feedback <assignment>    and    arabtexts export

Use `arabtexts grade`, not the formgrader's "Autograde" button: only `arabtexts grade`
repairs damaged submissions before grading.""")
    return 0


# --------------------------------------------------------------------------------------
# self-check keys (hashed answers) and the self-check
# --------------------------------------------------------------------------------------


def _checks_of(nb) -> list[dict]:
    """Questions with their self-check expressions, from the test cells' metadata."""
    out = []
    for cell in nb.cells:
        m = cell.get("metadata", {})
        ng = m.get("nbgrader", {})
        spec = (m.get("arabtexts") or {}).get("selfcheck")
        if ng.get("grade") and not ng.get("solution") and spec:
            out.append({"grade_id": ng["grade_id"], "points": float(ng.get("points", 0)),
                        "checks": [{"expr": s["expr"], "ordered": bool(s.get("ordered", False))} for s in spec]})
    return out


def _manual_points(nb) -> float:
    return sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.metadata.get("nbgrader", {}).get("solution"))


def _autograded_points_without_checks(nb) -> list[str]:
    have = {q["grade_id"] for q in _checks_of(nb)}
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")
            and c.metadata["nbgrader"]["grade_id"] not in have]


def evaluate_notebook(path: Path, questions: list[dict], *, timeout: int = 60) -> tuple[list[list[str]], list[str]]:
    """Run a notebook (copy) with nbclient, then hash every self-check expression in its kernel.

    Returns the hashes (``"error:<Name>"`` for an expression that raised) and the errors
    of the notebook's own cells (``"<cell>: <Error>"``).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(str(path), as_version=4)
    specs = [[c for c in q["checks"]] for q in questions]
    code = (
        "import json as _j\nfrom arabtexts.grading import answer_hash as _ah\n"
        f"_specs = _j.loads({json.dumps(specs, ensure_ascii=False)!r})\n"
        "_res = []\n"
        "for _q in _specs:\n"
        "    _r = []\n"
        "    for _s in _q:\n"
        "        try:\n"
        "            _r.append(_ah(eval(_s['expr']), ordered=_s['ordered']))\n"
        "        except BaseException as _e:\n"
        "            _r.append('error:' + type(_e).__name__)\n"
        "    _res.append(_r)\n"
        f"print({MARK!r} + _j.dumps(_res))\n"
    )
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                            kernel_name=(nb.metadata.get("kernelspec") or {}).get("name", "python3"),
                            resources={"metadata": {"path": str(path.parent)}})
    errors: list[str] = []
    hashes: list[list[str]] | None = None
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, i)
            except CellTimeoutError:
                errors.append(f"{cell.get('id', i)}: stopped after {timeout} s (infinite loop?)")
            except DeadKernelError:
                errors.append(f"{cell.get('id', i)}: the kernel died")
                break
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    errors.append(f"{cell.metadata.get('nbgrader', {}).get('grade_id') or cell.get('id', i)}: {o.get('ename')}")
        extra = nbformat.v4.new_code_cell(code)
        nb.cells.append(extra)
        try:
            client.execute_cell(extra, len(nb.cells) - 1)
            for o in extra.get("outputs", []):
                if o.get("output_type") == "error":
                    errors.append(f"self-check: {o.get('ename')}: {o.get('evalue')}")
                text = o.get("text", "")
                if o.get("output_type") == "stream" and MARK in text:
                    hashes = json.loads(text.split(MARK, 1)[1].strip().splitlines()[0])
        except Exception as exc:  # noqa: BLE001
            errors.append(f"self-check: {exc.__class__.__name__}")
    if hashes is None:
        hashes = [["error:NotRun"] * len(q["checks"]) for q in questions]
    return hashes, errors


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keys_path(root: Path, assignment: str) -> Path:
    return root / "selfcheck" / f"{assignment}.json"


def make_keys(root: Path, assignment: str, *, timeout: int = 60) -> dict:
    """Hashed answer keys of an assignment, computed by running the SOURCE notebook's solutions."""
    import nbformat

    from .grading import HASH_VERSION

    src_dir = root / "source" / assignment
    notebooks = sorted(src_dir.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise SystemExit(f"{src_dir}: expected exactly one notebook, found {len(notebooks)}")
    src = notebooks[0]
    nb = nbformat.read(str(src), as_version=4)
    questions = _checks_of(nb)
    missing = _autograded_points_without_checks(nb)
    if missing:
        raise SystemExit(f"{src.name}: test cells without 'arabtexts.selfcheck' metadata: {', '.join(missing)}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / src.name
        shutil.copy(src, copy)
        hashes, errors = evaluate_notebook(copy, questions, timeout=timeout)
    for q, hs in zip(questions, hashes):
        for c, h in zip(q["checks"], hs):
            if h.startswith("error:"):
                raise SystemExit(f"{src.name}: self-check expression {c['expr']!r} of {q['grade_id']} "
                                 f"raised {h[6:]} on the solutions; fix the notebook")
            c["hash"] = h
    if errors:
        raise SystemExit(f"{src.name}: the solutions raise errors: {'; '.join(errors)}")
    return {
        "assignment": assignment,
        "notebook": src.stem,
        "generated_from": f"source/{assignment}/{src.name}",
        "source_sha256": _sha(src),
        "hash_version": HASH_VERSION,
        "autograded_points": sum(q["points"] for q in questions),
        "manual_points": _manual_points(nb),
        "questions": questions,
    }


def cmd_selfcheck_keys(a) -> int:
    root = course_root(a.course_root)
    names = a.assignment or _assignments(root)
    rc = 0
    for name in names:
        _check_assignment(root, name)
        keys = make_keys(root, name, timeout=a.timeout)
        text = json.dumps(keys, ensure_ascii=False, indent=1) + "\n"
        path = keys_path(root, name)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if a.check:
            if old != text:
                _say(f"✗ {path} is out of date: run `arabtexts selfcheck-keys {name}`")
                rc = 1
            else:
                _say(f"✓ {path} is up to date")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        _say(f"{'updated' if old != text else 'unchanged'}: {path} "
             f"({len(keys['questions'])} questions, {keys['autograded_points']:g} points)")
    return rc


def _find_keys(root: Path, notebook: Path, assignment: str | None) -> dict:
    folder = root / "selfcheck"
    if assignment:
        p = keys_path(root, assignment)
        if not p.exists():
            raise SystemExit(f"no self-check keys for {assignment!r} ({p})")
        return json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        k = json.loads(p.read_text(encoding="utf-8"))
        if k.get("notebook") == notebook.stem or k.get("assignment") == notebook.parent.name:
            return k
    raise SystemExit(f"no self-check keys match {notebook.name}; give --assignment NAME "
                     f"(known: {', '.join(p.stem for p in folder.glob('*.json'))})")


def selfcheck(notebook: Path, *, assignment: str | None = None, root=None, timeout: int = 60,
              echo=_say) -> dict:
    """Score a notebook against the hashed keys; print per-question ✓/✗ and the total."""
    from .grading import _say_en, _split_shape

    root = course_root(root)
    notebook = Path(notebook).resolve()
    keys = _find_keys(root, notebook, assignment)
    src = root / keys["generated_from"]
    if src.exists() and _sha(src) != keys["source_sha256"]:
        echo("note: the assignment changed since its keys were made; results may be off "
             f"(course authors: arabtexts selfcheck-keys {keys['assignment']})")
    try:
        json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        echo(f"✗ {notebook.name} cannot be read as a notebook ({exc}). · تعذّرت قراءة الدفتر.")
        return {"score": 0.0, "max_score": keys["autograded_points"], "questions": []}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / notebook.name
        shutil.copy(notebook, copy)
        hashes, errors = evaluate_notebook(copy, keys["questions"], timeout=timeout)
    echo(f"Self-check of {notebook.name} · التقييم الذاتي  (assignment {keys['assignment']}, "
         f"{time.monotonic() - t0:.0f} s)")
    total, results = 0.0, []
    for q, got in zip(keys["questions"], hashes):
        problems = []
        for c, h in zip(q["checks"], got):
            if h == c["hash"]:
                continue
            if h.startswith("error:"):
                problems.append(f"{c['expr']} raised {h[6:]}")
                continue
            exp_shape, got_shape = c["hash"].rsplit(":", 1)[0], h.rsplit(":", 1)[0]
            if _split_shape(exp_shape)[0] != _split_shape(got_shape)[0]:
                problems.append(f"{c['expr']}: expected {_say_en(exp_shape)}, got {_say_en(got_shape)}")
            else:
                problems.append(f"{c['expr']}: not yet right")
        ok = not problems
        pts = q["points"] if ok else 0.0
        total += pts
        results.append({"grade_id": q["grade_id"], "ok": ok, "points": pts, "max_points": q["points"]})
        mark = "✓" if ok else "✗"
        echo(f"  {mark} {q['grade_id']:<12} {pts:g}/{q['points']:g}"
             + ("" if ok else "   " + "; ".join(problems[:2])))
    echo(f"Total · المجموع: {total:g}/{keys['autograded_points']:g} autograded points")
    if keys.get("manual_points"):
        echo(f"(+{keys['manual_points']:g} points of written answers, read by a teacher or compared "
             "with the model answer in the source notebook)")
    if errors:
        echo("Cells that raised errors: " + ", ".join(errors[:8]))
    return {"score": total, "max_score": keys["autograded_points"], "questions": results, "errors": errors}


def cmd_selfcheck(a) -> int:
    selfcheck(Path(a.notebook), assignment=a.assignment, root=a.course_root, timeout=a.timeout)
    return 0


def cmd_practice(a) -> int:
    """The student version of an assignment for a self-learner (no gradebook, no exchange)."""
    from .paths import repo_root

    root = course_root(a.course_root)
    _check_assignment(root, a.assignment)
    dest = Path(a.to).resolve() if a.to else repo_root() / "my-work" / a.assignment
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(root / "source" / a.assignment, tmp / "source" / a.assignment)
        proc = run_nbgrader(
            tmp, "generate_assignment", a.assignment, "--CourseDirectory.course_id=practice",
            f"--CourseDirectory.root={tmp}", f"--CourseDirectory.db_url=sqlite:///{tmp / 'gb.db'}",
        )
        if proc.returncode != 0:
            _say(proc.stdout + proc.stderr)
            return proc.returncode
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted((tmp / "release" / a.assignment).iterdir()):
            target = dest / f.name
            if target.exists() and not a.force:
                _say(f"kept your existing {target} (use --force to start again)")
                continue
            shutil.copy(f, target)
            _say(f"wrote {target}")
    _say(f"Open it in JupyterLab, answer, then:  python3 course.py selfcheck {dest}/<notebook>.ipynb")
    return 0


# --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="arabtexts", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--course-root", default=None, help="nbgrader course directory (default: <repo>/assignments)")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("release", help="generate the student version and release it to the exchange")
    s.add_argument("assignment")
    s.add_argument("--no-exchange", action="store_true", help="only generate release/<assignment>/")
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("collect", help="collect submissions from the exchange into submitted/")
    s.add_argument("assignment")
    s.set_defaults(func=cmd_collect)

    s = sub.add_parser("grade", help="robust batch autograde (pre-flight repair, one process per student)")
    s.add_argument("assignment")
    s.add_argument("--student", action="append", help="only this student (repeatable)")
    s.add_argument("--timeout", type=float, default=None, help="seconds per cell (default: the course config, 60)")
    s.add_argument("--fast", action="store_true",
                   help="grade a class in parallel (same scores; see benchmarks/REPORT.md)")
    s.add_argument("--workers", type=int, default=None, help="with --fast: processes (default: cores)")
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("feedback", help="generate feedback HTML and return it through the exchange")
    s.add_argument("assignment")
    s.add_argument("--student", action="append")
    s.add_argument("--no-exchange", action="store_true")
    s.set_defaults(func=cmd_feedback)

    s = sub.add_parser("export", help="export all grades to CSV")
    s.add_argument("--to", default=None, help="CSV file (default: assignments/grades.csv)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("formgrader", help="how to open the formgrader for manual grading")
    s.set_defaults(func=cmd_formgrader)

    s = sub.add_parser("db-sync", help="add every assignment of source/ to the gradebook")
    s.set_defaults(func=cmd_db_sync)

    s = sub.add_parser("practice", help="self-learners: make your own student copy of an assignment")
    s.add_argument("assignment")
    s.add_argument("--to", default=None, help="folder (default: <repo>/my-work/<assignment>)")
    s.add_argument("--force", action="store_true", help="overwrite an existing copy")
    s.set_defaults(func=cmd_practice)

    s = sub.add_parser("selfcheck", help="self-learners: score a notebook against hashed keys")
    s.add_argument("notebook")
    s.add_argument("--assignment", default=None)
    s.add_argument("--timeout", type=int, default=60)
    s.set_defaults(func=cmd_selfcheck)

    s = sub.add_parser("selfcheck-keys", help="authors: regenerate hashed keys from the source notebooks")
    s.add_argument("assignment", nargs="*")
    s.add_argument("--check", action="store_true", help="only compare with the stored keys")
    s.add_argument("--timeout", type=int, default=60)
    s.set_defaults(func=cmd_selfcheck_keys)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
