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
