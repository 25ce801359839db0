"""notebooks/05b_paper_evidence.ipynb (the paper, part 2): keys recomputed, facts checked, runs headless.

The expected answers are recomputed here from the raw text of 002 (read straight from
``data/raw/``, Table 1 parsed with its own Levantine/Iraqi month names) and from the CSV tables
read with the ``csv`` module, without the notebook's code. Their hashes must equal the ones written
in the notebook; the model answer's quotations must be in the raw text. The notebook is then
executed as stored and with model solutions filled in.
"""
from __future__ import annotations

import json
import re
from datetime import date

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import (assert_teaching_frame, executed_as_stored, first_steps_with_code,
                              hint_sets, outputs, stream_text)

NB_PATH = ROOT / "notebooks" / "05b_paper_evidence.ipynb"
DATA = ROOT / "data"
LEVANTINE_MONTHS = {"كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
                    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
                    "كانون الأول": 12}

rows = notebook_support.csv_rows


def catalogue_row() -> dict:
    return next(r for r in rows("articles") if r["id"] == "002")


def raw_002() -> str:
    return (DATA / "raw" / catalogue_row()["file"]).read_text(encoding="utf-8")


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def table_1_dates() -> list[date]:
    lines = raw_002().split("\n")
    table = [line.split("\t") for line in lines if re.match(r"^\d\t\d{1,2} \S", line)]
    assert len(table) == 4
    out = []
    for _, printed, _results in table:
        m = re.fullmatch(r"(\d{1,2}) (.+) (\d{4})", printed)
        out.append(date(int(m[3]), LEVANTINE_MONTHS[m[2]], int(m[1])))
    return out


def expected_answers() -> dict[int, object]:
    dates = table_1_dates()
    figures = [r for r in rows("figures") if r["article_id"] == "002"]
    per_year: dict[int, set[float]] = {}
    for r in figures:
        if r["unit"] == "troops" and re.fullmatch(r"\d{4}", r["year"]) and 2014 <= int(r["year"]) <= 2021:
            per_year.setdefault(int(r["year"]), set()).add(float(r["value"]))
    billions = [r for r in figures if r["unit"] == "billion USD"]
    largest = max(billions, key=lambda r: float(r["value_max"] or r["value"]))
    favoured = [r["item_ar"] for r in rows("lists")
                if r["list_id"] == "scenarios-002" and json.loads(r["attributes"]).get("favoured")]
    assert len(favoured) == 1
    # A: the first round is the same ISO day in 002 (Levantine/Iraqi) and 003 (Egyptian/Gulf)
    first = {e["article_id"]: e["date"] for e in rows("events") if e["event_key"] == "dialogue-round-1"}
    return {
        1: (max(dates) - min(dates)).days,
        2: {y: sorted(v) for y, v in per_year.items()},
        3: largest["id"],
        4: favoured[0],
        5: "a" if first["002"] == first["003"] == dates[0].isoformat() else "b",
    }


SOLUTIONS = {
    1: ('def parse_printed(p):\n'
        '    day, *month, year = p.split()\n'
        '    return date(int(year), MONTHS[" ".join(month)][0], int(day))\n'
        'parsed = rounds["التاريخ"].map(parse_printed)\n'
        'answer_1 = (max(parsed) - min(parsed)).days'),
    2: 'answer_2 = single.groupby("y")["value"].apply(lambda v: sorted(v.unique())).to_dict()',
    3: ('t = explorer.table(); '
        'answer_3 = t.loc[pd.to_numeric(t["value_max"]).fillna(t["value"]).idxmax(), "id"]'),
    4: ('mask = scenarios["attributes"].map(lambda a: json.loads(a).get("favoured", False)); '
        'answer_4 = scenarios.loc[mask, "item_ar"].iloc[0]'),
    5: 'answer_5 = "a"',
}


# ---------------------------------------------------------------------------------------------
# keys and facts


def test_answer_keys_match_the_raw_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = notebook_support.check_hashes(NB_PATH)
    assert sorted(calls) == [1, 2, 3, 4, 5]
    for n, value in expected_answers().items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_facts_behind_the_exercises_and_the_model_answer():
    text = raw_002()
    exp = expected_answers()
    assert exp[1] == 410                                     # the figure the lesson has always taught
    assert len(exp[2][2020]) == 2                            # two readings for 2020
    by_id = {r["id"]: r for r in rows("figures")}
    for fid in ("F003", "F008"):                             # both readings backed by their evidence
        r = by_id[fid]
        s = int(r["evidence_start"])
        assert text[s:s + len(r["evidence"])] == r["evidence"] and r["year"] == "2020"
    assert "نهاية عام 2020" in by_id["F003"]["evidence"]
    assert "شهد انخفاضاً كبيراً" in text
    # question A quotes both printed forms of the first round
    assert "\t11 حزيران 2020\t" in text
    raw_003 = (DATA / "raw" / next(r for r in rows("articles") if r["id"] == "003")["file"]).read_text(encoding="utf-8")
    assert "11 يونيو 2020" in raw_003
    assert by_id[exp[3]]["value_max"]                        # the largest sum is a range
    fav = next(json.loads(r["attributes"]) for r in rows("lists")
               if r["list_id"] == "scenarios-002" and json.loads(r["attributes"]).get("favoured"))
    s = fav["favoured_evidence_start"]
    assert text[s:s + len(fav["favoured_evidence"])] == fav["favoured_evidence"]
    assert exp[4] in fav["favoured_evidence"]
    src = source_text()
    for n, value in exp.items():
        assert f"answer_{n} = None" in src
    assert f'"{exp[3]}"' not in src and f"«{exp[4]}»" not in src


def test_month_systems_have_one_pair_of_names():
    """Review E5: the two systems are 'Levantine/Iraqi' and 'Egyptian/Gulf' names, never 'Gregorian'."""
    from arabtexts.extract import MONTH_SYSTEMS

    src = source_text()
    assert "Levantine/Iraqi names" in src and "Egyptian/Gulf" in src
    assert MONTH_SYSTEMS["levantine"]["en"].startswith("Levantine/Iraqi names")
    assert "Gregorian-derived" not in src and "Levantine month names" not in src
    assert "الأسماء الشامية/العراقية" in src and "الأسماء المصرية/الخليجية" in src


def test_teaching_frame():
    assert_teaching_frame(NB_PATH, "05-academic-paper", min_exercises=4)
    assert first_steps_with_code(NB_PATH) == 0 and len(hint_sets(NB_PATH)) == 4
    src = source_text()
    assert "أهداف" in src and "الخلاصة" in src and "05a" in src
    for tool in ("FigureExplorer", "ConcordanceExplorer", "find_dates", "io.StringIO"):
        assert tool in src


# ---------------------------------------------------------------------------------------------
# execution


def run(nb):
    return notebook_support.run(nb, NB_PATH)


@pytest.mark.slow
def test_runs_headless_as_stored():
    nb = executed_as_stored(NB_PATH)
    outs = outputs(nb)
    assert not [o for o in outs if o["output_type"] == "error"]
    text = stream_text(nb)
    assert text.count("no answer yet") == 5
    assert "✓" not in text
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 1  # the rebuilt troop chart
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # figure explorer, concordance
    assert "same dates: True" in text and "evidence found at its place: True" in text


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    text = notebook_support.solved_text(notebook(), SOLUTIONS, run)
    for n in range(1, 5):
        assert f"✓ exercise {n}: correct" in text, text
    assert "✓ question A: correct" in text
    assert "✗" not in text
