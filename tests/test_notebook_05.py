"""notebooks/05_academic_paper.ipynb: stored clean, answer keys provably right, runs headless.

The expected answers of the practice exercises are recomputed here from the raw text of 002
(read straight from ``data/raw/``) and from the CSV tables read with the ``csv`` module, without
the notebook's code. Their hashes must equal the ones written in the notebook. The notebook is
then executed twice with nbclient: as stored (unanswered exercises must not raise) and with
model solutions filled in (every self-check must say ✓).
"""
from __future__ import annotations

import json
import re
from datetime import date

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "05_academic_paper.ipynb"
DATA = ROOT / "data"
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
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


def check_calls() -> dict[int, str]:
    return {int(n): h for n, h in re.findall(r'check\(answer_(\d+),\s*"([^"]+)"', source_text())}


def expected_answers() -> dict[int, object]:
    text = raw_002()
    lines = text.split("\n")
    # 1: subsection headings: lines that start with «المطلب <ordinal>:»
    n_matalib = sum(1 for line in lines if re.match(r"المطلب \S+: ", line))
    # 2: footnotes with an entry (references.csv) whose marker is not in the running text
    in_text = {int(m.translate(SUPERSCRIPT))
               for line in lines
               for m in re.findall(r"(?<=.)⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾", line)}
    refs = rows("references")
    entries = {int(r["number"]) for r in refs if r["section"] == "footnote"}
    # 3: foreign-language bibliography entries
    foreign = sum(1 for r in refs if r["section"] == "bibliography" and r["language"] == "en")
    # 4: days between the first and the last row of Table 1, parsed from the tab-separated lines
    table = [line.split("\t") for line in lines if re.match(r"^\d\t\d{1,2} \S", line)]
    dates = []
    for _, printed, _results in table:
        m = re.fullmatch(r"(\d{1,2}) (.+) (\d{4})", printed)
        dates.append(date(int(m[3]), LEVANTINE_MONTHS[m[2]], int(m[1])))
    # 5: the two troop readings for 2020
    readings = sorted(float(r["value"]) for r in rows("figures") if r["figure_key"] == "us-troops-2020")
    # 6: the favoured scenario
    scen = [r for r in rows("lists") if r["list_id"] == "scenarios-002"]
    favoured = [r["item_ar"] for r in scen if json.loads(r["attributes"]).get("favoured")]
    assert len(table) == 4 and len(favoured) == 1
    return {1: n_matalib, 2: sorted(entries - in_text), 3: foreign,
            4: (max(dates) - min(dates)).days, 5: readings, 6: favoured[0]}


SOLUTIONS = {
    1: 'answer_1 = int((headings["level"] == "المطلب").sum())',
    2: "answer_2 = sorted(with_entry - in_text)",
    3: 'answer_3 = int((bib["language"] == "en").sum())',
    4: 'answer_4 = (rounds["date"].max() - rounds["date"].min()).days',
    5: 'answer_5 = troops.loc[troops["figure_key"] == "us-troops-2020", "value"].tolist()',
    6: 'answer_6 = scenarios.loc[scenarios["favoured"], "item_ar"].iloc[0]',
}


# ---------------------------------------------------------------------------------------------
# stored form and answer keys



def test_answer_keys_match_the_raw_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    expected = expected_answers()
    assert sorted(calls) == [1, 2, 3, 4, 5, 6]
    for n, value in expected.items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_facts_behind_the_exercises_are_in_the_raw_text():
    text = raw_002()
    exp = expected_answers()
    # the third section's Arabic heading is lost: two «المبحث» heading lines, three English subtitles
    assert len(re.findall(r"^المبحث \S+: ", text, flags=re.M)) == 2
    assert len(re.findall(r"^\([A-Z][^()\n]*Relations[^()\n]*\)$", text, flags=re.M)) == 3
    assert "وثلاث مباحث" in text
    # both 2020 readings are printed in the text
    for r in rows("figures"):
        if r["figure_key"] == "us-troops-2020":
            s = int(r["evidence_start"])
            assert text[s:s + len(r["evidence"])] == r["evidence"]
            assert r["value_as_printed"] in r["evidence"] and "2020" in r["evidence"]
    assert len(exp[5]) == 2 and exp[5][0] != exp[5][1]
    # the favoured scenario is backed by its evidence
    fav = next(json.loads(r["attributes"]) for r in rows("lists")
               if r["list_id"] == "scenarios-002" and json.loads(r["attributes"]).get("favoured"))
    s = fav["favoured_evidence_start"]
    assert text[s:s + len(fav["favoured_evidence"])] == fav["favoured_evidence"]
    assert exp[6] in fav["favoured_evidence"]
    # the footnotes without a marker include the partly lost section's (44–48)
    assert {44, 45, 46, 47, 48} <= set(exp[2])


def test_exercises_unanswered_and_keys_not_printed():
    src = source_text()
    for n, value in expected_answers().items():
        assert f"answer_{n} = None" in src
        if isinstance(value, str):
            assert value not in src.replace(f"answer_{n}", "")
        elif isinstance(value, list):
            assert repr(value) not in src


def test_assignment_citation_and_bilingual_parts():
    src = source_text()
    assert "assignment 05" in src and "05-" in src
    row = catalogue_row()
    for name in (row["author_ar"], row["author_en"].split(" (")[0], row["title_ar"]):
        assert name in src
    assert 'get_article("002")' in src and "paper.author_ar" in src  # citation printed from data
    assert src.count('<div dir="rtl" lang="ar">') >= 3
    assert "أهداف" in src and "الخلاصة" in src
    for tool in ("ArticleReader", "FigureExplorer", "ConcordanceExplorer"):
        assert tool in src
    assert "arabic_reshaper" not in src and "bidi" not in src


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
    assert text.count("no answer yet") == 6
    assert "✓" not in text
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 2  # sources chart, troop chart
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 3  # reader, figure explorer, concordance
    assert "same dates: True" in text and "evidence found at its place: True" in text


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    nb = notebook()
    for cell in nb.cells:
        for n, line in SOLUTIONS.items():
            cell.source = re.sub(rf"^answer_{n} = None.*$", lambda _m, s=line: s, cell.source,
                                 flags=re.M)
    nb = run(nb)
    assert not [o for o in outputs(nb) if o["output_type"] == "error"]
    text = stream_text(nb)
    for n in SOLUTIONS:
        assert f"✓ exercise {n}: correct" in text, text
    assert "✗" not in text
