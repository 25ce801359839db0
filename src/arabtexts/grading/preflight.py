"""Pre-flight: repair a submitted notebook before grading, and say plainly what was repaired.

Measured with nbgrader 0.9.6: a submission that is not valid JSON makes ``nbgrader autograde``
fail for that student; a deleted test cell, or one whose nbgrader metadata was stripped, is
silently *not graded*. :func:`preflight_notebook` returns a gradable copy of a submission
(the submitted file is only read) and :class:`Note` objects in plain language:

- invalid JSON or an unreadable notebook → graded as the blank release (score 0);
- deleted cells and cells whose nbgrader metadata was stripped → restored (matched by grade
  id, cell id or content); edited locked cells → restored; unknown nbgrader metadata → removed.

:func:`load_submission` applies it to every notebook of one student's submission folder
(a missing notebook is graded as the blank release; a single renamed one in its place).

>>> Note("timeout", "01", "Cell «q2-answer» was stopped.", "q2-answer").as_dict()["kind"]
'timeout'
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"


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
        # read and convert without nbformat's JSON-schema validation (slow, and the pre-flight
        # below rebuilds every grading cell from the release anyway)
        sub = nbformat.convert(nbformat.reader.reads(raw), 4)
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


def load_submission(folder: Path, release: dict) -> tuple[dict, list[Note]]:
    """Every release notebook of one submission folder, repaired: ``({name: notebook}, notes)``.

    ``folder`` (``submitted/<student>/<assignment>``) is only read. A missing notebook is
    graded as the blank release; if exactly one other notebook is there it is graded in its
    place.
    """
    notes: list[Note] = []
    out: dict = {}
    present = {p.stem: p for p in folder.glob("*.ipynb")} if folder.is_dir() else {}
    for name, rel_nb in release.items():
        path = present.get(name)
        if path is None:
            others = [p for s, p in present.items() if s not in release]
            if len(others) == 1:
                notes.append(Note("renamed", name,
                                  f"The notebook {name}.ipynb was missing; the only other notebook, "
                                  f"{others[0].name}, was graded in its place."))
                path = others[0]
            else:
                notes.append(Note("missing-notebook", name,
                                  f"The notebook {name}.ipynb was not in the submission; it was "
                                  "graded as empty (score 0)."))
                out[name] = copy.deepcopy(rel_nb)
                continue
        fixed, nb_notes = preflight_notebook(path, rel_nb, name)
        notes.extend(nb_notes)
        out[name] = fixed
    return out, notes
