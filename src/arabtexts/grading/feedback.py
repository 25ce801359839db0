"""Feedback built from the trusted verdicts, with every output scrubbed.

``nbgrader generate_feedback`` renders the autograded notebook, whose test cells already show
the grader's verdicts (:mod:`.gradebook`), not anything the student's kernel printed there.
Two nbconvert pre-processors, listed in ``assignments/nbgrader_config.py``, make the rest safe:

- :class:`NeutraliseMarkers` (before nbgrader's ``ClearHiddenTests``): the text ``BEGIN HIDDEN
  TESTS`` / ``END HIDDEN TESTS`` written by a student in an answer cell or printed in an output
  is defused, so nothing a student writes can make feedback fail;
- :class:`ScrubOutputs` (before ``ClearHiddenTests``, so it still sees the hidden lines): every
  line of EVERY output (streams, results, displays, tracebacks) that contains a line of a hidden
  test, a line of the source solution, another student's id or a value of the grader's
  environment is removed and replaced by one plain note.

>>> scrub_text("a\\nassert secret_fn(RAW) == 3\\nb", ["assert secret_fn(RAW) == 3"])
('a\\nb', True)
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .preflight import BEGIN_HIDDEN, END_HIDDEN

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SCRUB_NOTE = "(lines removed from this output: they repeated grading material · حُذفت أسطر من هذا الناتج)"
MIN_LINE = 10
#: environment variables whose values are common words or paths, not secrets
_ENV_SKIP = {"PATH", "SHELL", "TERM", "LANG", "LC_ALL", "SHLVL", "PWD", "OLDPWD", "HOME", "USER", "LOGNAME",
             "_", "HOSTNAME", "MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV", "TZ", "LC_CTYPE", "PYTHONHASHSEED"}


def defuse(text: str) -> str:
    """``BEGIN HIDDEN TESTS`` → ``BEGIN HIDDEN-TESTS`` (and END): no longer a marker for nbgrader."""
    return text.replace(BEGIN_HIDDEN, "BEGIN HIDDEN-TESTS").replace(END_HIDDEN, "END HIDDEN-TESTS")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def region_lines(source: str, begin: str, end: str) -> list[str]:
    out, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
            continue
        if end in line:
            inside = False
            continue
        if inside and len(line.strip()) >= MIN_LINE:
            out.append(line.strip())
    return out


def secrets_for(nb, root: Path | None, assignment: str | None, notebook: str | None, student: str | None) -> list[str]:
    """Every string that must never appear in a student's feedback."""
    from .declarations import is_test_cell

    bad: list[str] = []
    for c in nb.cells:
        if is_test_cell(c):
            bad += region_lines(_src(c), BEGIN_HIDDEN, END_HIDDEN)
    if root and assignment and notebook:
        src = root / "source" / assignment / f"{notebook}.ipynb"
        if src.is_file():
            import nbformat

            snb = nbformat.read(str(src), as_version=4)
            for c in snb.cells:
                s = _src(c)
                bad += region_lines(s, BEGIN_HIDDEN, END_HIDDEN)
                bad += region_lines(s, "BEGIN SOLUTION", "END SOLUTION")
        sub = root / "submitted"
        if sub.is_dir():
            bad += [p.name for p in sub.iterdir() if p.is_dir() and p.name != student and len(p.name) >= 4]
    for k, v in os.environ.items():
        if k not in _ENV_SKIP and isinstance(v, str) and len(v) >= 8 and "\n" not in v:
            bad.append(v)
    return sorted(set(bad), key=len, reverse=True)


def _leaks(line: str, bad: list[str]) -> bool:
    t = _ANSI.sub("", line)
    return BEGIN_HIDDEN in t or END_HIDDEN in t or any(b in t for b in bad)


def scrub_text(text: str, bad: list[str]) -> tuple[str, bool]:
    lines = text.split("\n")
    keep = [ln for ln in lines if not _leaks(ln, bad)]
    return "\n".join(keep), len(keep) != len(lines)


def scrub_outputs(cell, bad: list[str]) -> bool:
    """Scrub one cell's outputs in place; True if anything was removed."""
    removed_any = False
    outputs = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            out["text"], removed = scrub_text(out.get("text", ""), bad)
        elif kind == "error":
            tb, removed = [], False
            for entry in out.get("traceback", []):
                t, r = scrub_text(entry, bad)
                removed |= r
                if t:
                    tb.append(t)
            out["traceback"] = tb
            for key in ("ename", "evalue"):
                t, r = scrub_text(str(out.get(key, "")), bad)
                removed |= r
                out[key] = t if t or key == "evalue" else "Error"
        else:
            removed = False
            data = out.get("data", {})
            for mime in list(data):
                v = data[mime]
                text = v if isinstance(v, str) else "".join(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else None
                if text is None:
                    if mime.endswith("json"):
                        import json

                        if _leaks(json.dumps(v, ensure_ascii=False), bad):
                            del data[mime]
                            removed = True
                    continue
                if mime.startswith("image/"):
                    continue
                new, r = scrub_text(text, bad)
                if r:
                    removed = True
                    if mime == "text/plain":
                        data[mime] = new
                    else:
                        del data[mime]
            if not data:
                continue
        removed_any |= removed
        outputs.append(out)
    if removed_any:
        import nbformat

        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=SCRUB_NOTE + "\n"))
    cell["outputs"] = outputs
    return removed_any


def _context(resources) -> tuple:
    meta = resources.get("metadata") or {}
    ng = resources.get("nbgrader") or {}
    path = meta.get("path")
    root = student = None
    if path:
        p = Path(path).resolve()
        # <root>/autograded/<student>/<assignment>
        if len(p.parts) >= 4 and p.parent.parent.name == "autograded":
            root, student = p.parent.parent.parent, p.parent.name
    return root, ng.get("assignment"), ng.get("notebook") or meta.get("name"), ng.get("student") or student


class NeutraliseMarkers(Preprocessor):
    """Defuse hidden-test markers written by a student (answer cells, their own cells, outputs)."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        from .declarations import is_test_cell

        if not is_test_cell(cell):
            cell["source"] = defuse(_src(cell))
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"] = defuse(out.get("text", ""))
        return cell, resources


class ScrubOutputs(Preprocessor):
    """Remove every output line that repeats a hidden test, a solution, another student or the environment."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        root, assignment, notebook, student = _context(resources)
        bad = secrets_for(nb, root, assignment, notebook, student)
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                scrub_outputs(cell, bad)
        return nb, resources
