"""What each autograded question checks: the declarations in a test cell's ``metadata.arabtexts``.

A test cell (nbgrader ``grade: true``, not a solution) declares its checks in
``metadata.arabtexts.checks`` (or, older notebooks, ``metadata.arabtexts.selfcheck``), a list
of dicts:

- ``expr`` (required): an expression evaluated in the student's namespace (and, for the expected
  value, in the source solution's): a name ``n_raw`` or a call ``remove_tatweel(RAW)``;
- ``label``: how the student is told which part failed (default: the expr if ``visible``,
  else "hidden check N");
- ``visible`` (default false): whether the expr may be shown to the student;
- ``ordered`` (default false): lists and table rows in the same order (tuples are always
  ordered, sets never);
- ``fold`` (default true): strings compared after :func:`arabtexts.normalize.fold`;
- ``digits``: numbers equal after rounding to this many decimals (else to 6 decimals, about the
  old tolerance of 1e-6, so that the grader and the hashed self-check agree exactly);
- ``type``: required kind (str, int, float, number, bool, list, tuple, set, dict, DataFrame,
  Series, figure, none);
- ``columns``: for tables, only these columns (an index level may be named here).

The verdict of a test cell is all-or-nothing: every check passes, and its visible tests ran
without error.

>>> c = Check.from_dict({"expr": "n_raw", "visible": True}, 1)
>>> c.label, c.options.ordered
('n_raw', False)
>>> Check.from_dict({"expr": "remove_tatweel('ـ')"}, 2).label
'hidden check 2'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .compare import TYPES, Options

__all__ = ["Check", "Question", "DeclarationError", "questions", "is_test_cell", "strip_declarations"]


class DeclarationError(ValueError):
    """A check is declared wrongly (a course author's mistake, reported before grading)."""


def _nbmeta(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def is_test_cell(cell) -> bool:
    m = _nbmeta(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


@dataclass(frozen=True)
class Check:
    expr: str
    label: str
    visible: bool = False
    type: str | None = None
    options: Options = field(default_factory=Options)

    @classmethod
    def from_dict(cls, d: dict, n: int) -> "Check":
        if not isinstance(d, dict) or not isinstance(d.get("expr"), str) or not d["expr"].strip():
            raise DeclarationError(f"check {n}: 'expr' (a non-empty string) is required")
        unknown = set(d) - {"expr", "label", "visible", "ordered", "fold", "digits", "type", "columns", "hash", "kind"}
        if unknown:
            raise DeclarationError(f"check {n} ({d['expr'][:40]}): unknown keys {sorted(unknown)}")
        typ = d.get("type")
        if typ is not None and typ not in TYPES:
            raise DeclarationError(f"check {n}: type {typ!r} is not one of {sorted(TYPES)}")
        digits = d.get("digits")
        if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or digits < 0):
            raise DeclarationError(f"check {n}: digits must be a non-negative int")
        cols = d.get("columns")
        if cols is not None and (not isinstance(cols, list) or not all(isinstance(c, str) for c in cols)):
            raise DeclarationError(f"check {n}: columns must be a list of column names")
        visible = bool(d.get("visible", False))
        label = d.get("label") or (d["expr"] if visible else f"hidden check {n}")
        opts = Options(ordered=bool(d.get("ordered", False)), fold=bool(d.get("fold", True)),
                       digits=digits, columns=tuple(cols) if cols is not None else None)
        return cls(d["expr"], str(label), visible, typ, opts)


@dataclass(frozen=True)
class Question:
    """One autograded test cell: its grade id, points and checks."""

    grade_id: str
    points: float
    checks: tuple

    @property
    def exprs(self) -> list[str]:
        return [c.expr for c in self.checks]


def cell_checks(cell) -> list[dict]:
    meta = (cell.get("metadata") or {}).get("arabtexts") or {}
    raw = meta.get("checks")
    if raw is None:
        raw = meta.get("selfcheck")
    return list(raw or [])


def questions(nb, *, require: bool = True) -> list[Question]:
    """The autograded questions of a (source or released) notebook, in order.

    With ``require``, a test cell without declarations is an error: without checks the grader
    could only trust the student's kernel.
    """
    out, missing = [], []
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        m = _nbmeta(cell)
        raw = cell_checks(cell)
        if not raw:
            missing.append(m.get("grade_id", "?"))
            continue
        checks = tuple(Check.from_dict(d, i) for i, d in enumerate(raw, 1))
        out.append(Question(m["grade_id"], float(m.get("points", 0) or 0), checks))
    if missing and require:
        raise DeclarationError("test cells without declared checks (metadata.arabtexts.checks): "
                               + ", ".join(missing))
    return out


def strip_declarations(nb) -> int:
    """Remove ``metadata.arabtexts`` declarations from every cell (for a released notebook).

    Returns how many cells had them. Other ``arabtexts`` metadata keys are kept.
    """
    n = 0
    for cell in nb.cells:
        meta = cell.get("metadata") or {}
        a = meta.get("arabtexts")
        if isinstance(a, dict) and ({"checks", "selfcheck"} & set(a)):
            a.pop("checks", None)
            a.pop("selfcheck", None)
            n += 1
            if not a:
                meta.pop("arabtexts")
    return n
