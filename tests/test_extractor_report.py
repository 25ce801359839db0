"""The extractor measurement: floors under the measured precision/recall, and a current report."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report_module():
    pytest.importorskip("arabtexts.extract")
    spec = importlib.util.spec_from_file_location("extractor_report", ROOT / "scripts" / "extractor_report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def scores(report_module):
    df = report_module.measure()
    return df[df["article_id"] == "all"].set_index("extractor")


# floors a little under what was measured (see docs/extractor-report.md)
FLOORS = {
    "dates": (0.20, 0.85),
    "numbers": (0.80, 0.85),
    "quotes": (0.18, 0.85),
    "entities (people)": (0.95, 0.95),
    "entities (organizations)": (0.95, 0.95),
    "entities (places)": (0.95, 0.90),
}


@pytest.mark.parametrize("extractor", sorted(FLOORS))
def test_floors(scores, extractor):
    p_floor, r_floor = FLOORS[extractor]
    row = scores.loc[extractor]
    assert row["precision"] >= p_floor, (extractor, row["precision"])
    assert row["recall"] >= r_floor, (extractor, row["recall"])


def test_every_article_and_extractor_is_measured(report_module):
    df = report_module.measure()
    assert set(df["article_id"]) == {"001", "003", "000", "004", "002", "all"}
    assert set(FLOORS) == set(df["extractor"])


def test_committed_report_is_current(report_module):
    committed = (ROOT / "docs" / "extractor-report.md").read_text(encoding="utf-8")
    fresh = report_module.render(report_module.measure(), "today")
    assert report_module._table_part(committed) == report_module._table_part(fresh), (
        "docs/extractor-report.md is stale: run python scripts/extractor_report.py")
    assert "overlaps" in committed  # the matching rule is stated
