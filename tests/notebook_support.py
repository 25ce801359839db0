"""Running lecture notebooks in tests: one place, and one execution per notebook and session.

``executed_as_stored(path)`` runs a notebook as it is stored (nbclient, kernel ``python3``,
working directory = the notebook's folder) once per test session and hands every caller its
own copy, so the generic check in ``test_notebooks.py`` and a notebook's own checks share the run.
It is also the one place for what every lesson test shares: the article bodies rebuilt from the
tables (``bodies``, ``outside_body``) and the teaching frame (``hint_sets``, ``plain_text``,
``assert_teaching_frame`` …).
"""
from __future__ import annotations

import copy
import csv
import functools
import html
import os
import re
import time
from pathlib import Path

import nbformat

_CACHE: dict[tuple[str, int], tuple[nbformat.NotebookNode, float]] = {}


def run(nb: nbformat.NotebookNode, path: Path, *, timeout: int = 180) -> nbformat.NotebookNode:
    """Execute ``nb`` (in place) as if it were the file ``path``; return it."""
    from nbclient import NotebookClient

    # a kernel inherits the environment: MPLBACKEND=Agg would hide every inline figure
    saved = os.environ.pop("MPLBACKEND", None)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved
    return nb


def executed_as_stored(path: Path) -> nbformat.NotebookNode:
    """The stored notebook after a headless run (cached per session and file version)."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        t0 = time.monotonic()
        nb = run(nbformat.read(path, as_version=4), path)
        _CACHE[key] = (nb, time.monotonic() - t0)
    return copy.deepcopy(_CACHE[key][0])


def run_seconds(path: Path) -> float:
    """Wall time of the cached run of ``path`` (after :func:`executed_as_stored`)."""
    path = Path(path)
    return _CACHE[(str(path), path.stat().st_mtime_ns)][1]


def outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def stream_text(nb) -> str:
    return "".join(o.get("text", "") for o in outputs(nb) if o["output_type"] == "stream")


def errors(nb) -> list[dict]:
    return [o for o in outputs(nb) if o.get("output_type") == "error"]


def source_text(path: Path) -> str:
    """All cell sources of a stored notebook, joined (what a learner reads and runs)."""
    return "\n".join(c.source for c in nbformat.read(Path(path), as_version=4).cells)


def check_hashes(path: Path) -> dict[int, str]:
    """Exercise number → the answer hash written in ``check(answer_N, "<hash>" …)``."""
    found = re.findall(r'check\(answer_(\d+),\s*"([^"]+)"', source_text(path))
    return {int(n): h for n, h in found}


def csv_rows(name: str) -> list[dict]:
    """Rows of ``data/<name>.csv`` read with the csv module (independent of the package)."""
    with open(Path(__file__).resolve().parents[1] / "data" / f"{name}.csv", encoding="utf-8",
              newline="") as f:
        return list(csv.DictReader(f))


def raw_texts() -> dict[str, str]:
    """The five raw texts by id, read from ``data/raw/`` with the catalogue (no package)."""
    root = Path(__file__).resolve().parents[1] / "data" / "raw"
    return {r["id"]: (root / r["file"]).read_text(encoding="utf-8") for r in csv_rows("articles")}


def body_masks() -> dict[str, list[bool]]:
    """For every raw character: is it article body? Rebuilt from ``articles.csv``
    (``body_start``/``body_end``) and ``page_parts.csv`` alone, independently of the package.
    Every page part's ``evidence`` must be the raw text at its ``evidence_start``."""
    return {a: list(m) for a, m in _body_masks().items()}


@functools.lru_cache(maxsize=1)
def _body_masks() -> dict[str, tuple[bool, ...]]:
    texts, parts = raw_texts(), csv_rows("page_parts")
    out = {}
    for row in csv_rows("articles"):
        raw = texts[row["id"]]
        mask = [int(row["body_start"]) <= i < int(row["body_end"]) for i in range(len(raw))]
        for p in parts:
            if p["article_id"] == row["id"]:
                s = int(p["evidence_start"])
                assert raw[s:s + len(p["evidence"])] == p["evidence"], p["id"]
                mask[s:s + len(p["evidence"])] = [False] * len(p["evidence"])
        out[row["id"]] = tuple(mask)
    return out


def bodies() -> dict[str, str]:
    """The article bodies by id (catalogue order): raw texts with every non-body character
    blanked, line breaks and offsets kept. The one body rebuild of the lesson tests."""
    texts, masks = raw_texts(), _body_masks()
    return {a: "".join(c if keep or c == "\n" else " " for c, keep in zip(texts[a], masks[a]))
            for a in texts}


def outside_body(article_id: str, spans) -> list[tuple[int, int]]:
    """The raw spans ``[(start, end), …]`` that touch a ticker, title block, footnote, source,
    reference, URL or marker. A lesson test asserts ``outside_body(a, spans) == []`` for the
    matches behind a count, so the test fails if the count includes page furniture."""
    mask = _body_masks()[article_id]
    return [(s, e) for s, e in spans if not all(mask[s:e])]


# ---------------------------------------------------------------------------------------------
# the teaching frame shared by the lessons (every test_notebook_* imports these from here)

#: a hint step: <details><summary>Hint N · title</summary> body </details>
HINT_RE = re.compile(r"<details><summary>Hint (\d) · (.*?)</summary>(.*?)</details>", re.S)
#: an English heading (Arabic headings such as «## 2. التواريخ» are not split points)
EN_HEADING = re.compile(r"^#{2,3} (?:\d+[ab]?\. )?[A-Za-z].*$", re.M)


def plain_text(md: str) -> str:
    """Markdown without the bidi isolation tags (``<bdi>``, ``<code dir="ltr">``) and entities."""
    return html.unescape(re.sub(r"</?(?:bdi|code)(?:\s[^>]*)?>", "", md))


def markdown_sources(path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def hint_sets(path) -> list[list[tuple[int, str, str]]]:
    """For every markdown cell with stepped hints: [(step, title, body), …] in printed order."""
    return [[(int(n), t, b) for n, t, b in HINT_RE.findall(md)]
            for md in markdown_sources(path) if HINT_RE.search(md)]


def shows_code(text: str) -> bool:
    """Does a hint step show code (a code span, a call, an index, a comparison)?"""
    return bool("`" in text or re.search(r"\w\(|\w\[|==|!=|\bimport\b", text))


def first_steps_with_code(path) -> int:
    """How many exercises give code in their first hint step (the goal is none)."""
    return sum(shows_code(steps[0][2]) for steps in hint_sets(path))


def assert_idioms_before_use(path, idioms: tuple[str, ...]):
    """The «idioms you will meet» cell comes before the first code cell using any of ``idioms``."""
    seen_idioms = False
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("### Idioms you will meet"):
            seen_idioms = True
        elif cell.cell_type == "code" and any(k in cell.source for k in idioms):
            assert seen_idioms, f"used before the idioms cell: {cell.source[:60]!r}"
            return
    raise AssertionError(f"none of {idioms} is used")


def assert_teaching_frame(path, assignment: str, *, min_exercises: int = 5):
    """Time and prerequisites, Arabic leads, stepped hints, a «your turn» with a model answer, a
    conceptual check, a common-mistakes box, the idioms before use, a widget exercise, the
    practice command instead of the solutions, one digit system and one term for normalisation."""
    src = source_text(path)
    md = markdown_sources(path)
    assert "**Time:**" in src and "**Prerequisites:**" in src
    assert "المدة" in src and "المتطلبات" in src
    assert "assignments/source" not in src, "a lesson never points to the solutions"
    assert f"python3 course.py practice {assignment}" in src and f"`{assignment}`" in src
    # every section lead and every exercise statement is in English and in Arabic
    for cell in md:
        heads = list(EN_HEADING.finditer(cell))
        for h, nxt in zip(heads, heads[1:] + [None]):
            title = h.group(0)
            if re.match(r"## (\d|Summary)|### Exercises? ", title):
                segment = cell[h.end():nxt.start() if nxt else len(cell)]
                assert 'dir="rtl" lang="ar"' in segment, f"no Arabic for {title!r}"
    # hints in steps: a nudge, then the method, then the code; never code in the first step
    sets = hint_sets(path)
    assert len(sets) >= min_exercises
    for steps in sets:
        assert [n for n, _, _ in steps] == [1, 2, 3], steps
        assert "nudge" in steps[0][1] and "method" in steps[1][1] and "code" in steps[2][1]
    assert first_steps_with_code(path) == 0
    # an interpretive «your turn»: prompt, answer cell, model answer to compare with afterwards
    turn = [i for i, c in enumerate(md) if c.startswith("### Your turn")]
    assert len(turn) == 1
    assert md[turn[0] + 1].startswith("*Your answer")
    assert "<summary>Model answer" in md[turn[0] + 2]
    assert any(c.startswith("### Check your understanding") for c in md)
    assert any(c.startswith("### Common mistakes") for c in md)
    idioms = next(i for i, c in enumerate(md) if c.startswith("### Idioms you will meet"))
    assert any("(not code)" in c and "### Exercise" in c for c in md), "an exercise for a widget"
    assert not re.search("[\u0660-\u0669\u06F0-\u06F9]", src), "one digit system: Western digits"
    assert "وحّد النص" not in src and "وحِّد النص" not in src  # the term is «التطبيع»
    return idioms


def solved_text(nb, solutions: dict, run) -> str:
    """Put each model solution in place of its ``answer_N = None`` line, run the notebook with
    ``run`` (the lesson test's runner), require that no cell raised, and return what it printed:
    the lesson test then asserts every check says ✓ and none says ✗."""
    for cell in nb.cells:
        for n, line in solutions.items():
            cell.source = re.sub(rf"^answer_{n} = None.*$", lambda _m, s=line: s, cell.source, flags=re.M)
    nb = run(nb)
    assert not [o for o in outputs(nb) if o["output_type"] == "error"]
    return stream_text(nb)
