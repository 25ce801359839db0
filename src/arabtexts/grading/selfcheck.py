"""The self-learner's check: the grader's declarations and comparison, against HASHED expected values.

``arabtexts selfcheck-keys`` runs each source solution once (:mod:`.expected`) and stores, for
every declared check, only a fingerprint of the expected value (:func:`.compare.value_hash`,
under the check's own options) and its kind. ``arabtexts selfcheck NOTEBOOK`` runs the
learner's notebook exactly as the grader does (:mod:`.execute`: visible tests, then the
declared expressions, values handed back as data) and compares fingerprints: a question is ✓
exactly when the grader would give it its points (numbers are compared after rounding — to
the check's ``digits``, else 6 decimals — in both), and every problem is listed.

>>> from arabtexts.grading.declarations import Check
>>> c = Check.from_dict({"expr": "n", "visible": True}, 1)
>>> key = make_check_key(c, 46)
>>> check_against_key(c, 46.0, key), check_against_key(c, 45, key)
([], ['n: the number is not right · العدد غير صحيح'])
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

from .compare import HASH_VERSION, _KIND_AR, _KIND_EN, _msg, _natural, explain, value_hash
from .declarations import Check, Question, questions as declared_questions
from .values import ErrorValue, Unsupported, kind_of

MAX_SHOWN = 12


def make_check_key(check: Check, expected) -> dict:
    return {"hash": value_hash(expected, check.options), "kind": kind_of(expected)}


def check_against_key(check: Check, got, key: dict) -> list[str]:
    """Problems of one value against a hashed key (empty: right), in the grader's words."""
    if isinstance(got, (ErrorValue, Unsupported)):
        return explain(got, None, check.options, label=check.label, show_error_text=check.visible)
    ek, gk = key.get("kind", ""), kind_of(got)
    if check.type:
        msgs = explain(got, got, check.options, label=check.label, required=check.type)
        if msgs:
            return msgs
    if _natural(gk) != _natural(ek) and not (gk == ek == "none"):
        return [_msg(check.label, f"expected {_KIND_EN.get(ek, ek)}, got {_KIND_EN.get(gk, gk)}",
                     f"المتوقع {_KIND_AR.get(ek, ek)}، والمعطى {_KIND_AR.get(gk, gk)}")]
    try:
        if value_hash(got, check.options) == key.get("hash"):
            return []
    except Exception:  # noqa: BLE001 - a value that cannot be canonicalised
        return explain(got, got, check.options, label=check.label)
    what = {"number": ("the number is not right", "العدد غير صحيح"), "str": ("the text is not right", "النص غير صحيح"),
            "seq": ("some items are missing, extra or out of order", "بعض العناصر ناقصة أو زائدة أو في غير ترتيبها"),
            "map": ("some keys or values are not right", "بعض المفاتيح أو القيم غير صحيحة"),
            "DataFrame": ("some rows or columns are not right", "بعض الصفوف أو الأعمدة غير صحيحة"),
            "figure": ("the figure does not draw what is expected", "الرسم لا يُظهر المتوقع")}.get(
        _natural(gk), ("the value is not right", "القيمة غير صحيحة"))
    if _natural(gk) == "number" and check.options.digits is not None:
        what = (f"the number is not right when rounded to {check.options.digits} decimal(s)",
                f"العدد غير صحيح بعد تقريبه إلى {check.options.digits} من المنازل العشرية")
    return [_msg(check.label, *what)]


# ------------------------------------------------------------------ keys


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keys_path(root: Path, assignment: str) -> Path:
    return root / "selfcheck" / f"{assignment}.json"


def _manual_points(nb) -> float:
    return sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.metadata.get("nbgrader", {}).get("solution"))


def make_keys(root: Path, assignment: str, *, timeout: float = 60) -> dict:
    """Hashed keys of an assignment from its SOURCE notebook's solution (run in a trusted kernel)."""
    import nbformat

    from .expected import compute

    src_dir = root / "source" / assignment
    notebooks = sorted(src_dir.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise SystemExit(f"{src_dir}: expected exactly one notebook, found {len(notebooks)}")
    src = notebooks[0]
    nb = nbformat.read(str(src), as_version=4)
    qs = declared_questions(nb)
    values = compute(nb, qs, timeout=timeout)
    out = []
    for q in qs:
        checks = []
        for c, raw, v in zip(q.checks, _raw_checks(nb, q.grade_id), values[q.grade_id]):
            entry = {k: raw[k] for k in ("expr", "label", "visible", "ordered", "fold", "digits", "type", "columns")
                     if k in raw}
            entry.update(make_check_key(c, v))
            checks.append(entry)
        out.append({"grade_id": q.grade_id, "points": q.points, "checks": checks})
    return {
        "assignment": assignment,
        "notebook": src.stem,
        "generated_from": f"source/{assignment}/{src.name}",
        "source_sha256": _sha(src),
        "hash_version": HASH_VERSION + "+checks",
        "autograded_points": sum(q.points for q in qs),
        "manual_points": _manual_points(nb),
        "questions": out,
    }


def _raw_checks(nb, grade_id: str) -> list[dict]:
    from .declarations import cell_checks

    for c in nb.cells:
        if (c.get("metadata") or {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return cell_checks(c)
    return []


def questions_from_keys(keys: dict) -> tuple[list[Question], list[list[dict]]]:
    qs, hashed = [], []
    for q in keys["questions"]:
        checks = tuple(Check.from_dict(c, i) for i, c in enumerate(q["checks"], 1))
        qs.append(Question(q["grade_id"], float(q["points"]), checks))
        hashed.append(q["checks"])
    return qs, hashed


def find_keys(root: Path, notebook: Path, assignment: str | None) -> dict:
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


def selfcheck(notebook: Path, *, root: Path, assignment: str | None = None, timeout: float = 60,
              echo=print, sandbox: bool = False) -> dict:
    """Score a notebook against the hashed keys; print per-question ✓/✗ with every problem."""
    import nbformat

    from .execute import Kernel, kernel_factory, run_notebook
    from .verdicts import visible_messages

    notebook = Path(notebook).resolve()
    keys = find_keys(root, notebook, assignment)
    src = root / keys["generated_from"]
    if src.exists() and _sha(src) != keys["source_sha256"]:
        echo("note: the assignment changed since its keys were made; results may be off "
             f"(course authors: arabtexts selfcheck-keys {keys['assignment']})")
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception as exc:  # noqa: BLE001
        echo(f"✗ {notebook.name} cannot be read as a notebook ({exc.__class__.__name__}). · تعذّرت قراءة الدفتر.")
        return {"score": 0.0, "max_score": keys["autograded_points"], "questions": []}
    if not str(keys.get("hash_version", "")).endswith("+checks") or \
            any("kind" not in c for q in keys.get("questions", []) for c in q.get("checks", [])):
        raise SystemExit(f"the self-check keys of {keys.get('assignment')} were made by an older version of the "
                         f"course: run `arabtexts selfcheck-keys {keys.get('assignment')}`")
    qs, hashed = questions_from_keys(keys)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory():
        run = run_notebook(nb, qs, Kernel(kernel_factory(sandbox=sandbox)), timeout=timeout)
    echo(f"Self-check of {notebook.name} · التقييم الذاتي  (assignment {keys['assignment']}, "
         f"{time.monotonic() - t0:.0f} s)")
    total, results = 0.0, []
    for q, hs in zip(qs, hashed):
        got = run.values.get(q.grade_id, [])
        # the grader's rule: the visible tests ran without error, and every check matches
        problems = visible_messages(run.visible_errors.get(q.grade_id))
        for c, g, key in zip(q.checks, got, hs):
            problems += check_against_key(c, g, key)
        ok = not problems
        pts = q.points if ok else 0.0
        total += pts
        results.append({"grade_id": q.grade_id, "ok": ok, "points": pts, "max_points": q.points,
                        "problems": problems})
        echo(f"  {'✓' if ok else '✗'} {q.grade_id:<12} {pts:g}/{q.points:g}")
        for m in problems[:MAX_SHOWN]:
            echo(f"      - {m}")
        if len(problems) > MAX_SHOWN:
            echo(f"      … and {len(problems) - MAX_SHOWN} more · و{len(problems) - MAX_SHOWN} غيرها")
    echo(f"Total · المجموع: {total:g}/{keys['autograded_points']:g} autograded points")
    if keys.get("manual_points"):
        echo(f"(+{keys['manual_points']:g} points of written answers, read by a teacher or compared "
             "with the model answer in the source notebook)")
    if run.died:
        echo(f"The notebook's kernel stopped early: {run.died}")
    return {"score": total, "max_score": keys["autograded_points"], "questions": results}
