"""A temporary released course with submissions, for the grading engine's tests.

>>> callable(make_course)
True
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignments"
FIRST = "01-kadhimi-washington"
sys.path.insert(0, str(ROOT / "tests"))
import bad_submissions as bs  # noqa: E402,F401


def sandbox_usable() -> bool:
    try:
        from arabtexts.grading.sandbox import sandbox_status
    except ImportError:
        return False
    return sandbox_status()[0]


def use_sandbox() -> bool:
    """The sandbox when this machine has one; CI (ARABTEXTS_REQUIRE_SANDBOX=1, set by .ci/run) insists on it."""
    if "1" in (os.environ.get("ARABTEXTS_REQUIRE_SANDBOX"), os.environ.get("REQUIRE_SANDBOX")):
        return True
    return sandbox_usable()


class Env:
    """Set environment variables for a block (the exchange, the cell time limit, PATH)."""

    def __init__(self, **values):
        self.values = values
        self.old = {}

    def __enter__(self):
        for k, v in self.values.items():
            self.old[k] = os.environ.get(k)
            os.environ[k] = v
        return self

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def course_env(base: Path, timeout: int = 10) -> Env:
    return Env(ARABTEXTS_EXCHANGE=str(base / "exchange"), ARABTEXTS_EXECUTE_TIMEOUT=str(timeout),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


def make_course(base: Path, assignment: str = FIRST) -> tuple[Path, object, object, str]:
    """Copy the assignment's source and config into ``base/course`` and release it (no exchange).

    Returns (course root, source notebook, released notebook, notebook name).
    """
    import contextlib
    import io

    from arabtexts import cli

    root = base / "course"
    (root / "source").mkdir(parents=True)
    shutil.copytree(COURSE / "source" / assignment, root / "source" / assignment)
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["--course-root", str(root), "release", assignment, "--no-exchange"]) == 0
    (src_path,) = sorted((root / "source" / assignment).glob("*.ipynb"))
    name = src_path.stem
    src = nbformat.read(str(src_path), as_version=4)
    rel = nbformat.read(str(root / "release" / assignment / f"{name}.ipynb"), as_version=4)
    return root, src, rel, name


def submit(root: Path, assignment: str, student: str, name: str, content) -> Path:
    d = root / "submitted" / student / assignment
    d.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else nbformat.writes(content)
    (d / f"{name}.ipynb").write_text(text, encoding="utf-8")
    (d / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
    return d


def cell_grades(root: Path, assignment: str) -> dict:
    """(student, cell) → (auto_score, max_score, needs_manual_grade, manual_score), from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, g.name)] = (g.auto_score, g.max_score, g.needs_manual_grade, g.manual_score)
    return out


def points(src) -> dict[str, float]:
    """Autograded test cell → points, from the source notebook."""
    return {bs.grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in src.cells
            if bs._ng(c).get("grade") and not bs._ng(c).get("solution")}
