"""Where the course's data lives.

The package is installed in editable mode from the repository, so the data folder is found
next to ``src/``. ``ARABTEXTS_DATA`` overrides it (for tests and unusual layouts).
"""
from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root (the folder holding ``data/`` and ``notebooks/``)."""
    env = os.environ.get("ARABTEXTS_ROOT")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The ``data/`` folder: ``raw/``, ``clean/``, ``articles.csv`` and the evidence tables."""
    env = os.environ.get("ARABTEXTS_DATA")
    if env:
        return Path(env)
    here = repo_root() / "data"
    if not here.is_dir():
        raise FileNotFoundError(
            f"The course data folder was not found at {here}. Install the package from the "
            "repository (pip install -e .) or set ARABTEXTS_DATA to the data/ folder."
        )
    return here
