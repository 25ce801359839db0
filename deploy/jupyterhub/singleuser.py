"""Start a user's Jupyter server on the hub, after giving them the course's lesson notebooks.

The hub runs this as the user (never as root), so a student's home is only ever written with
the student's own rights. Lessons are copied from the shared, read-only course into
``~/<ARABTEXTS_NOTEBOOKS_DEST>`` (default ``arabtexts-lessons``): files that are missing are
copied, files that exist are left alone — a student's edits are never overwritten, and a
lesson added later to the course appears at their next start. Then the process becomes
``jupyterhub-singleuser`` with the same arguments.

Example: a lesson ``00_start_here.ipynb`` already edited by the student stays as it is;
a deleted one comes back (delete the folder ``arabtexts-lessons`` to start afresh,
«ابدأ من جديد»).
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def seed_lessons(source: Path, dest: Path) -> list[Path]:
    """Copy every file of ``source`` missing from ``dest``; return what was copied.

    >>> import tempfile
    >>> src, dst = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()) / "lessons"
    >>> _ = (src / "00.ipynb").write_text("{}")
    >>> [p.name for p in seed_lessons(src, dst)], [p.name for p in seed_lessons(src, dst)]
    (['00.ipynb'], [])
    """
    copied = []
    if not source.is_dir():
        return copied
    for src in sorted(source.rglob("*")):
        rel = src.relative_to(source)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        target = dest / rel
        if src.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists() and not target.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)  # contents only: the copy is the student's, mode from umask
            copied.append(target)
    return copied


def main(argv: list[str]) -> None:
    source = os.environ.get("ARABTEXTS_NOTEBOOKS")
    if source:
        dest = Path.home() / os.environ.get("ARABTEXTS_NOTEBOOKS_DEST", "arabtexts-lessons")
        try:
            seed_lessons(Path(source), dest)
        except OSError as e:  # a full disk or an odd home must not keep the student out
            print(f"[arabtexts] could not copy the lessons to {dest}: {e}", file=sys.stderr)
    exe = Path(sys.executable).parent / "jupyterhub-singleuser"
    os.execv(str(exe), [str(exe), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
