"""Grades out of the gradebook: for an LMS (Canvas, Moodle) and question by question.

Both exports read nbgrader's gradebook through :class:`nbgrader.api.Gradebook` (never the SQLite
file directly) and give **one row per student**:

* :func:`lms_table` / :func:`export_lms` — one column per assignment (its total score, manual
  grades included), the student identified by the roster's id and e-mail, in the columns the
  LMS's gradebook import expects (``lms="canvas"`` or ``"moodle"``; see
  ``docs/class-on-jupyterhub.md``);
* :func:`question_table` / :func:`export_questions` — one column per graded cell
  (``<assignment>/<cell id>``, e.g. ``01-kadhimi-washington/q2-tests``), to see which question a
  class found hard.

A student who did not submit gets an empty cell (the LMS leaves it ungraded); pass
``missing=0`` to write zeros. A roster student absent from the gradebook still gets a row.

The roster is the class's CSV (``id,first_name,last_name,email``, the file the hub's installer
and ``nbgrader db student import`` read), names in any script::

    id,first_name,last_name,email
    s_karim,كريم,الجبوري,karim@example.edu
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

LMS_COLUMNS = {
    # Canvas: Student ("Last, First"), ID (Canvas's own, left empty), SIS User ID, SIS Login ID,
    # Section; every further column is an assignment (a new name creates the assignment)
    "canvas": ("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
    # Moodle (Grades → Import → CSV file): map "Email address" to useremail (or "ID number"
    # to useridnumber) and each assignment column to a grade item
    "moodle": ("First name", "Last name", "ID number", "Email address"),
}


class ExportError(ValueError):
    """A gradebook or roster that cannot be exported (the message says why)."""


@dataclass(frozen=True)
class RosterEntry:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


def gradebook_url(course: str | os.PathLike) -> str:
    """The gradebook URL of a course directory (or a URL / ``.db`` file given as is).

    >>> gradebook_url("/srv/arabtexts")
    'sqlite:////srv/arabtexts/gradebook.db'
    """
    text = str(course)
    if "://" in text:
        return text
    path = Path(text)
    if path.suffix == ".db":
        return f"sqlite:///{path.resolve()}"
    return f"sqlite:///{(path / 'gradebook.db').resolve()}"


def read_roster(path: str | os.PathLike) -> list[RosterEntry]:
    """The roster's students, in file order (``role=instructor`` lines are left out).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = p.write_text("id,first_name,last_name,email\\ns_karim,كريم,الجبوري,k@example.edu\\n", encoding="utf-8")
    >>> read_roster(p)[0].first_name
    'كريم'
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportError(f"cannot read the roster {path}: {e}") from e
    rows = list(csv.DictReader(text.splitlines()))
    if rows and "id" not in rows[0]:
        raise ExportError(f"the roster {path} has no 'id' column (expected id,first_name,last_name,email)")
    out = []
    for row in rows:
        if (row.get("role") or "student").strip() != "student" or not (row.get("id") or "").strip():
            continue
        out.append(RosterEntry(row["id"].strip(), (row.get("first_name") or "").strip(),
                               (row.get("last_name") or "").strip(), (row.get("email") or "").strip()))
    return out


def _open(url: str):
    from nbgrader.api import Gradebook

    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise ExportError(f"no gradebook at {url[len('sqlite:///'):]}: grade something first")
    return Gradebook(url)


def _students(gb, roster: list[RosterEntry] | None) -> list[RosterEntry]:
    """Roster order first, then gradebook students missing from the roster (sorted)."""
    known = {s.id: s for s in gb.students}
    people = list(roster or [])
    ids = {p.id for p in people}
    for sid in sorted(known):
        if sid not in ids:
            s = known[sid]
            people.append(RosterEntry(sid, s.first_name or "", s.last_name or "", s.email or ""))
    return people


def _natural(name: str) -> list:
    """Sort key that puts q2 before q10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _number(value, missing):
    if value is None:
        return missing
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)


def lms_table(course, roster: list[RosterEntry] | None = None, *, lms: str = "canvas",
              section: str = "", missing="") -> tuple[list[str], list[list]]:
    """Header and rows for an LMS gradebook import: one row per student, one column per assignment.

    ``course``: a course directory, a ``gradebook.db`` path or a gradebook URL.
    """
    if lms not in LMS_COLUMNS:
        raise ExportError(f"unknown LMS {lms!r}: choose one of {', '.join(LMS_COLUMNS)}")
    from nbgrader.api import MissingEntry

    with _open(gradebook_url(course)) as gb:
        assignments = sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name))
        names = [a.name for a in assignments]
        header = list(LMS_COLUMNS[lms]) + [
            f"{a.name} ({_number(a.max_score, 0)} pts)" if lms == "moodle" else a.name for a in assignments]
        rows = []
        for p in _students(gb, roster):
            scores = []
            for a in names:
                try:
                    scores.append(_number(gb.find_submission(a, p.id).score, missing))
                except MissingEntry:
                    scores.append(missing)
            if lms == "canvas":
                who = ", ".join(x for x in (p.last_name, p.first_name) if x) or p.id
                ident = [who, "", p.id, p.email, section]
            else:
                ident = [p.first_name, p.last_name, p.id, p.email]
            rows.append(ident + scores)
        if lms == "canvas":
            # Canvas's optional second line: the points each assignment is out of
            rows.insert(0, ["    Points Possible", "", "", "", ""] + [_number(a.max_score, 0) for a in assignments])
    return header, rows


def question_table(course, roster: list[RosterEntry] | None = None, *, missing=""
                   ) -> tuple[list[str], list[list]]:
    """Header and rows: one row per student, one column per graded cell of every assignment.

    Columns are ``<assignment>/<cell>`` in natural order of the cell ids (q2 before q10) (``<assignment>/<notebook>/<cell>`` when
    an assignment has several notebooks); a first data row ``max`` gives each cell's points.
    """
    from nbgrader.api import MissingEntry

    with _open(gradebook_url(course)) as gb:
        columns = []  # (assignment, notebook, cell name, label, max)
        for a in sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name)):
            several = len(a.notebooks) > 1
            for nb in a.notebooks:
                for cell in sorted(nb.grade_cells, key=lambda c: _natural(c.name)):
                    label = f"{a.name}/{nb.name}/{cell.name}" if several else f"{a.name}/{cell.name}"
                    columns.append((a.name, nb.name, cell.name, label, cell.max_score))
        header = ["student_id", "email"] + [c[3] for c in columns]
        rows = [["max", ""] + [_number(c[4], 0) for c in columns]]
        for p in _students(gb, roster):
            row = [p.id, p.email]
            cache = {}
            for a, nb, cell, _label, _max in columns:
                if (a, nb) not in cache:
                    try:
                        sub = gb.find_submission_notebook(nb, a, p.id)
                        cache[(a, nb)] = {g.name: g.score for g in sub.grades}
                    except MissingEntry:
                        cache[(a, nb)] = None
                grades = cache[(a, nb)]
                row.append(missing if grades is None else _number(grades.get(cell), missing))
            rows.append(row)
    return header, rows


def write_csv(path: str | os.PathLike, header: list[str], rows: list[list]) -> Path:
    """Write UTF-8 with a byte-order mark (spreadsheets then read Arabic names correctly)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    tmp.replace(path)  # never a half-written file in place of a good one
    return path


def export_lms(course, out, roster_path=None, *, lms: str = "canvas", section: str = "", missing="") -> Path:
    """Write the LMS import file; returns its path."""
    roster = read_roster(roster_path) if roster_path else None
    return write_csv(out, *lms_table(course, roster, lms=lms, section=section, missing=missing))


def export_questions(course, out, roster_path=None, *, missing="") -> Path:
    """Write the per-question CSV; returns its path."""
    roster = read_roster(roster_path) if roster_path else None
    return write_csv(out, *question_table(course, roster, missing=missing))
