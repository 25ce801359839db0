"""The extractor measurement: floors under the measured precision/recall, and a current report
(including the repair of rotated lines measured leave one text out)."""
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


# repair of rotated lines, leave one text out: kind -> recall floor (all three texts)
REPAIR_FLOORS = {"fragment": 0.45, "swap": 0.65, "multi": 0.6, "damaged": 0.64}  # measured 3/6, 32/47, 11/17, 46/70


@pytest.fixture(scope="module")
def repair_df(report_module):
    return report_module.repair_scores()


@pytest.mark.parametrize("kind", sorted(REPAIR_FLOORS))
def test_repair_floors(repair_df, kind):
    row = repair_df[(repair_df["article_id"] == "all") & (repair_df["kind"] == kind)].iloc[0]
    assert row["recall"] >= REPAIR_FLOORS[kind], row.to_dict()
    if kind == "damaged":  # overall the order step reads more lines right than the earlier steps
        assert row["right"] >= row["right_before"] + 10, row.to_dict()


def test_repair_changes_no_undamaged_line(repair_df):
    none = repair_df[repair_df["kind"] == "none"]
    assert set(none["article_id"]) == {"001", "000", "004", "all"}
    assert (none["changed"] == 0).all()


def test_committed_report_is_current(report_module, repair_df):
    committed = (ROOT / "docs" / "extractor-report.md").read_text(encoding="utf-8")
    fresh = report_module.render(report_module.measure(), "today", repair_df)
    assert report_module._table_part(committed) == report_module._table_part(fresh), (
        "docs/extractor-report.md is stale: run python scripts/extractor_report.py")
    assert "overlaps" in committed  # the matching rule is stated
    assert "leave one text out" in committed and "data/repair_lines.csv" in committed
