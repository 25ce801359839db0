"""Running lecture notebooks in tests: one place, and one execution per notebook and session.

``executed_as_stored(path)`` runs a notebook as it is stored (nbclient, kernel ``python3``,
working directory = the notebook's folder) once per test session and hands every caller its
own copy, so the generic check in ``test_notebooks.py`` and a notebook's own checks share the run.
"""
from __future__ import annotations

import copy
import csv
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
    (``body_start``/``body_end``) and ``page_parts.csv`` alone, independently of the package."""
    texts, parts = raw_texts(), csv_rows("page_parts")
    out = {}
    for row in csv_rows("articles"):
        n = len(texts[row["id"]])
        mask = [int(row["body_start"]) <= i < int(row["body_end"]) for i in range(n)]
        for p in parts:
            if p["article_id"] == row["id"]:
                s = int(p["evidence_start"])
                for i in range(s, s + len(p["evidence"])):
                    mask[i] = False
        out[row["id"]] = mask
    return out


def bodies() -> dict[str, str]:
    """The article bodies: raw texts with every non-body character blanked (line breaks kept)."""
    texts, masks = raw_texts(), body_masks()
    return {a: "".join(c if keep or c == "\n" else " " for c, keep in zip(texts[a], masks[a]))
            for a in texts}


def outside_body(article_id: str, spans) -> list[tuple[int, int]]:
    """The raw spans ``[(start, end), …]`` that touch a ticker, title block, footnote, source,
    reference, URL or marker. A lesson test asserts ``outside_body(a, spans) == []`` for the
    matches behind a count, so the test fails if the count includes page furniture."""
    mask = body_masks()[article_id]
    return [(s, e) for s, e in spans if not all(mask[s:e])]
