"""Expected values: the SOURCE notebook's solution, run in its own trusted kernel, cached.

The source notebook (with solutions) is run exactly like a submission (:func:`.execute.run_notebook`,
visible tests only, the same extraction), but in a separate kernel that never runs student
code. The values are kept in the grader's process and in a cache file under the course
directory (``.arabtexts-cache/expected/``), keyed by a checksum of the source notebook, the
declarations and the extraction code; they are never sent into a student's kernel.

If the solution itself fails a check's expression or its visible tests, grading stops with a
clear message: a wrong answer key is the worst bug.

>>> cache_key(b"{}", "x") == cache_key(b"{}", "x")
True
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import serialize
from .declarations import DeclarationError, Question
from .execute import Kernel, kernel_factory, run_notebook
from .values import ErrorValue

CACHE_DIR = ".arabtexts-cache/expected"


def cache_key(source_bytes: bytes, extra: str) -> str:
    h = hashlib.sha256()
    h.update(source_bytes)
    h.update(extra.encode("utf-8"))
    h.update(serialize.kernel_code().encode("utf-8"))
    return h.hexdigest()[:24]


def _encode_back(v):
    """Decoded value → the kernel's JSON form (for the cache)."""
    from .values import DictValue, FigureValue, SeriesValue, SetValue, Table, Unsupported

    if v is None:
        return {"t": "none"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": repr(v)}
    if isinstance(v, float):
        return {"t": "float", "v": repr(v)}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [_encode_back(x) for x in v]}
    if isinstance(v, list):
        return {"t": "list", "v": [_encode_back(x) for x in v]}
    if isinstance(v, SetValue):
        return {"t": "set", "v": [_encode_back(x) for x in v.items]}
    if isinstance(v, DictValue):
        return {"t": "dict", "v": [[_encode_back(k), _encode_back(x)] for k, x in v.pairs]}
    if isinstance(v, Table):
        return {"t": "df", "columns": [{"t": "str", "v": c} for c in v.columns],
                "index_names": [_encode_back(n) for n in v.index_names],
                "index": [[_encode_back(x) for x in r] for r in v.index],
                "rows": [[_encode_back(x) for x in r] for r in v.rows], "positional": v.positional}
    if isinstance(v, SeriesValue):
        return {"t": "series", "name": _encode_back(v.name), "index_names": [_encode_back(n) for n in v.index_names],
                "index": [[_encode_back(x) for x in r] for r in v.index],
                "values": [_encode_back(x) for x in v.values], "positional": v.positional}
    if isinstance(v, FigureValue):
        return {"t": "figure", "axes": {"t": "list", "v": [_encode_back(DictValue(tuple(a.items()))) for a in v.axes]},
                "suptitle": {"t": "str", "v": v.suptitle}}
    if isinstance(v, ErrorValue):
        return {"t": "error", "type": v.type, "message": v.message}
    if isinstance(v, Unsupported):
        return {"t": "unsupported", "type": v.type}
    raise TypeError(type(v).__name__)


def compute(source_nb, questions: list[Question], *, timeout: float = 60.0, sandbox: bool = False,
            factory=None) -> dict[str, list]:
    """Run the solution and return ``{grade_id: [value, ...]}``; raise if the solution fails."""
    factory = factory or kernel_factory(sandbox=sandbox)
    run = run_notebook(source_nb, questions, Kernel(factory), timeout=timeout)
    problems = []
    if run.died:
        problems.append(f"the solution's kernel died: {run.died}")
    for q in questions:
        if q.grade_id in run.visible_errors:
            ename, evalue = run.visible_errors[q.grade_id]
            problems.append(f"{q.grade_id}: the visible tests fail on the solution ({ename}: {evalue[:200]})")
        for c, v in zip(q.checks, run.values.get(q.grade_id, [])):
            if isinstance(v, ErrorValue):
                problems.append(f"{q.grade_id}: check {c.expr!r} fails on the solution ({v.type}: {v.message[:200]})")
    if problems:
        raise DeclarationError("the source solution does not pass its own checks:\n  " + "\n  ".join(problems))
    return {q.grade_id: run.values[q.grade_id] for q in questions}


def expected_values(root: Path, assignment: str, notebook: str, source_nb, source_bytes: bytes,
                    questions: list[Question], *, timeout: float = 60.0, log=print) -> dict[str, list]:
    """Expected values of one source notebook, from the cache when its checksum matches."""
    decl = json.dumps([[q.grade_id, [c.__dict__["expr"] for c in q.checks]] for q in questions], ensure_ascii=False)
    key = cache_key(source_bytes, decl)
    path = Path(root) / CACHE_DIR / f"{assignment}--{notebook}--{key}.json"
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {gid: [serialize.decode(v) for v in vals] for gid, vals in data.items()}
        except (OSError, ValueError):
            pass
    log(f"computing expected values of {assignment}/{notebook} from the source solution (trusted kernel)")
    values = compute(source_nb, questions, timeout=timeout)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{assignment}--{notebook}--*.json"):
        old.unlink()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({gid: [_encode_back(v) for v in vals] for gid, vals in values.items()},
                              ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return values
