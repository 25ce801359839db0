"""Shared fixtures: the repository root, the raw texts."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def raw_texts() -> dict[str, str]:
    from arabtexts.corpus import ARTICLE_IDS, get_article

    return {i: get_article(i).text for i in ARTICLE_IDS}
