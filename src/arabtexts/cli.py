"""``arabtexts …``: the instructor's nbgrader workflow and the self-learner's self-check.

Instructor (run from anywhere; the commands work in ``assignments/`` with the course's
``bin`` on PATH, because nbgrader runs ``alembic`` as a subprocess)::

    arabtexts release 01-kadhimi-washington     # generate_assignment + release_assignment
    arabtexts collect 01-kadhimi-washington     # collect submissions from the exchange
    arabtexts grade   01-kadhimi-washington     # the one grader: parallel, sandboxed, checked outside the kernel
    arabtexts feedback 01-kadhimi-washington    # generate_feedback + release_feedback
    arabtexts export --to grades.csv            # all grades as CSV
    arabtexts export --lms canvas --roster class.csv   # one column per assignment, for Canvas/Moodle
    arabtexts export --questions                # one column per question
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
import json
import shutil
import sys
import tempfile
from pathlib import Path

from .grading.gradebook import course_root, grading_lock, points_to_grade_by_hand, run_nbgrader


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def log_records(text: str) -> list[str]:
    r"""nbgrader's log as whole records: a ``[App | LEVEL]`` header and the lines that follow it
    (nbgrader often writes the header alone and the message on the next lines).

    >>> log_records("[CollectApp | WARNING] \nNo submissions of «01» for student s1\nmore\n[CollectApp | INFO] done")
    ['[CollectApp | WARNING] No submissions of «01» for student s1 more', '[CollectApp | INFO] done']
    """
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith("[") or not records:
            records.append(line.strip())
        elif line.strip():
            records[-1] = f"{records[-1]} {line.strip()}".strip()
    return [r for r in records if r]


def _nbgrader(root: Path, *args: str, quiet: bool = False) -> int:
    _say(f"$ nbgrader {' '.join(args)}   (in {root})")
    proc = run_nbgrader(root, *args)
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not quiet:
        for record in log_records(out):
            if proc.returncode != 0 or any(level in record for level in ("ERROR", "WARNING", "INFO")):
                _say("  " + record)
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
        if rc == 0:
            _strip_release(root / "release" / a.assignment)
    if rc == 0 and not a.no_exchange:
        rc = _nbgrader(root, "release_assignment", a.assignment, "--force")
    if rc == 0:
        _say(f"released {a.assignment}: student version in {root / 'release' / a.assignment}")
    return rc


def _strip_release(folder: Path) -> None:
    """Remove the graders' declarations (``metadata.arabtexts``) from released notebooks."""
    import nbformat

    from .grading.declarations import strip_declarations

    for p in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(p), as_version=4)
        if strip_declarations(nb):
            nbformat.write(nb, str(p))


def cmd_collect(a) -> int:
    root = course_root(a.course_root)
    return _nbgrader(root, "collect", a.assignment, "--update")


def cmd_grade(a) -> int:
    from .grading.batch import SandboxRefused, grade_class

    root = course_root(a.course_root)
    _check_assignment(root, a.assignment)
    if a.fast:
        _say("note: --fast is no longer needed: `grade` is always parallel (--workers N)")
    from .grading.declarations import DeclarationError

    try:
        summary = grade_class(root, a.assignment, workers=a.workers, students=a.student or None,
                              timeout=a.timeout, sandbox=not a.no_sandbox)
    except SandboxRefused as exc:
        _say(f"refusing to grade: {exc}")
        return 2
    except (DeclarationError, FileNotFoundError) as exc:
        _say(f"cannot grade {a.assignment}: {exc}")
        return 2
    results = summary.results
    if not results:
        _say("nothing to grade: no submissions in submitted/ (run `arabtexts collect` first?)")
        return 0
    by_hand = points_to_grade_by_hand(root, a.assignment, [r.student for r in results])
    _say("")
    _say(f"{'student':<20} {'score':>9}  {'by hand':>7}  {'seconds':>7}  {'flags':>5}  notes")
    for r in results:
        score = "—" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        pending = f"+{by_hand[r.student]:g}" if by_hand.get(r.student) else ""
        _say(f"{r.student:<20} {score:>9}  {pending:>7}  {r.seconds:7.1f}  {len(r.flags):5d}  {len(r.notes)}"
             + ("" if r.status == "graded" else "  FAILED"))
    _say(f"{summary}")
    _say(f"report: {summary.report_path}")
    if any(by_hand.values()):
        _say("'by hand': points of written answers not graded yet; the score counts them as 0 until you "
             "grade them in the formgrader (`arabtexts formgrader`).")
    return 0 if all(r.status == "graded" for r in results) else 1


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
    from .grading.export import ExportError, export_lms, export_questions

    root = course_root(a.course_root)
    try:
        with grading_lock(root):
            if a.lms:
                target = export_lms(root, Path(a.to).resolve() if a.to else root / f"grades-{a.lms}.csv",
                                    a.roster, lms=a.lms, section=a.section, missing=a.missing)
            elif a.questions:
                target = export_questions(root, Path(a.to).resolve() if a.to else root / "grades-by-question.csv",
                                          a.roster, missing=a.missing)
            else:
                target = Path(a.to).resolve() if a.to else root / "grades.csv"
                rc = _nbgrader(root, "export", "--to", str(target), quiet=True)
                if rc:
                    return rc
    except ExportError as e:
        _say(f"export failed: {e}")
        return 2
    _say(f"grades written to {target}")
    return 0


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
# self-check keys (hashed answers) and the self-check: arabtexts.grading.selfcheck
# --------------------------------------------------------------------------------------


def cmd_selfcheck_keys(a) -> int:
    from .grading.selfcheck import keys_path, make_keys

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


def selfcheck(notebook: Path, *, assignment: str | None = None, root=None, timeout: int = 60,
              echo=_say) -> dict:
    """Score a notebook against the hashed keys (see :mod:`arabtexts.grading.selfcheck`)."""
    from .grading.selfcheck import selfcheck as run_selfcheck

    return run_selfcheck(Path(notebook), root=course_root(root), assignment=assignment, timeout=timeout, echo=echo)


def cmd_selfcheck(a) -> int:
    selfcheck(Path(a.notebook), assignment=a.assignment, root=a.course_root, timeout=a.timeout)
    return 0


def _write_stub_config(root: Path, tmp: Path) -> None:
    """The course's own answer placeholders (``ClearSolutions``) for a practice copy, so a
    self-learner's notebook says exactly what a released one says."""
    from traitlets.config.loader import PyFileConfigLoader

    stubs = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config().ClearSolutions
    lines = ["c = get_config()  # noqa: F821"]
    for key in ("code_stub", "text_stub", "begin_solution_delimeter", "end_solution_delimeter"):
        if key in stubs:
            lines.append(f"c.ClearSolutions.{key} = {stubs[key]!r}")
    (tmp / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def cmd_practice(a) -> int:
    """The student version of an assignment for a self-learner (no gradebook, no exchange)."""
    from .paths import repo_root

    root = course_root(a.course_root)
    _check_assignment(root, a.assignment)
    dest = Path(a.to).resolve() if a.to else repo_root() / "my-work" / a.assignment
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(root / "source" / a.assignment, tmp / "source" / a.assignment)
        _write_stub_config(root, tmp)
        proc = run_nbgrader(
            tmp, "generate_assignment", a.assignment, "--CourseDirectory.course_id=practice",
            f"--CourseDirectory.root={tmp}", f"--CourseDirectory.db_url=sqlite:///{tmp / 'gb.db'}",
        )
        if proc.returncode != 0:
            _say(proc.stdout + proc.stderr)
            return proc.returncode
        dest.mkdir(parents=True, exist_ok=True)
        _strip_release(tmp / "release" / a.assignment)
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

    s = sub.add_parser("grade", help="autograde every submission: pre-flight, sandboxed kernels, checks "
                                     "outside the kernel, in parallel")
    s.add_argument("assignment")
    s.add_argument("--student", action="append", help="only this student (repeatable)")
    s.add_argument("--timeout", type=float, default=None, help="seconds per cell (default: the course config, 60)")
    s.add_argument("--workers", type=int, default=None, help="kernels at once (default: cores; 1 = sequential)")
    s.add_argument("--no-sandbox", action="store_true",
                   help="run student code UNCONFINED (only where no sandbox exists and you trust every submission)")
    s.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("feedback", help="generate feedback HTML and return it through the exchange")
    s.add_argument("assignment")
    s.add_argument("--student", action="append")
    s.add_argument("--no-exchange", action="store_true")
    s.set_defaults(func=cmd_feedback)

    s = sub.add_parser("export", help="export grades to CSV (nbgrader's, per question, or for an LMS)")
    s.add_argument("--to", default=None, help="CSV file (default: assignments/grades*.csv)")
    how = s.add_mutually_exclusive_group()
    how.add_argument("--lms", choices=("canvas", "moodle"), default=None,
                     help="one row per student, one column per assignment, for the LMS's gradebook import")
    how.add_argument("--questions", action="store_true",
                     help="one row per student, one column per question")
    s.add_argument("--roster", default=None, help="roster CSV (id,first_name,last_name,email)")
    s.add_argument("--section", default="", help="Canvas section (LMS export only)")
    s.add_argument("--missing", default="", help="what to write for an ungraded cell (default: empty)")
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


def _skip_unused_imports() -> None:
    """``jsonschema`` (through nbformat and nbgrader) imports ``rfc3987_syntax`` if present, which
    builds 38 parsers at import: 1.5 s of CPU in every command. It only checks the ``iri``
    format, which no notebook schema uses, so the course's commands do without it."""
    if "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    _skip_unused_imports()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
