"""notebooks/05a_paper_structure.ipynb (the paper, part 1): keys recomputed, facts checked, runs headless.

The expected answers are recomputed here from the raw text of 002 (read straight from
``data/raw/``) and from the CSV tables read with the ``csv`` module, without the notebook's code.
Their hashes must equal the ones written in the notebook. The facts the lesson states (the
provenance of 002, the superscript digits of its markers, the causes of the footnotes without a
marker in the model answer) are recomputed too. The notebook is then executed as stored and with
model solutions filled in.
"""
from __future__ import annotations

import re
import statistics

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import (assert_teaching_frame, executed_as_stored, first_steps_with_code,
                              hint_sets, outputs, stream_text)

NB_PATH = ROOT / "notebooks" / "05a_paper_structure.ipynb"
DATA = ROOT / "data"
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

rows = notebook_support.csv_rows


def catalogue_row() -> dict:
    return next(r for r in rows("articles") if r["id"] == "002")


def raw_002() -> str:
    return (DATA / "raw" / catalogue_row()["file"]).read_text(encoding="utf-8")


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def markers_in_text(text: str) -> set[int]:
    """Bracketed superscript markers that are not at the start of a line."""
    return {int(m.translate(SUPERSCRIPT))
            for line in text.split("\n")
            for m in re.findall(rf"(?<=.)⁽([{SUP_CHARS}]+)⁾", line)}


def expected_answers() -> dict[int, object]:
    from arabtexts.normalize import normalize

    text = raw_002()
    lines = text.split("\n")
    refs = rows("references")
    entries = {int(r["number"]) for r in refs if r["section"] == "footnote"}
    years: dict[str, list[int]] = {}
    for r in refs:
        if r["section"] == "bibliography" and r["year"]:
            origin = "أجنبية (foreign)" if r["subsection"] == "foreign" else "عربية (Arabic)"
            years.setdefault(origin, []).append(int(r["year"]))
    # A: the marker of footnote 12 in the running text, as printed
    marker_12 = re.search(r"(?<=\S)⁽¹²⁾", text)
    # B: the part of the page that page_parts leaves out among the three options
    parts = {p["kind"] for p in rows("page_parts") if p["article_id"] == "002" and p["in_body"] == "no"}
    options = {"a": "conclusion", "b": "section-3", "c": "abstract"}
    return {
        1: sum(1 for line in lines if re.match(r"المطلب \S+: ", line)),
        2: sorted(entries - markers_in_text(text)),
        3: {k: float(statistics.median(v)) for k, v in years.items()},
        4: len(re.findall(re.escape(normalize("المصدر السابق")).replace(r"\ ", r"\s+"), normalize(text))),
        5: "b" if marker_12 and "⁽١٢⁾" not in text else "a",
        6: next(k for k, v in options.items() if v in parts),
    }


SOLUTIONS = {
    1: ('MY_HEADING = re.compile(r"^(?P<level>المبحث|المطلب) (?P<ordinal>\\S+): (?P<title>.+)$", re.M); '
        'answer_1 = sum(1 for m in MY_HEADING.finditer(text) if m["level"] == "المطلب")'),
    2: "answer_2 = sorted(with_entry - in_text)",
    3: 'answer_3 = bib.groupby("origin")["year"].median().to_dict()',
    4: 'reader.search.value = "المصدر السابق"; answer_4 = len(reader.matches())',
    5: 'answer_5 = "b"',
    6: 'answer_6 = "c"',
}


# ---------------------------------------------------------------------------------------------
# keys and facts


def test_answer_keys_match_the_raw_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = notebook_support.check_hashes(NB_PATH)
    assert sorted(calls) == [1, 2, 3, 4, 5, 6]
    for n, value in expected_answers().items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_facts_behind_the_exercises_are_in_the_raw_text():
    text = raw_002()
    exp = expected_answers()
    # the third section's Arabic heading is lost: two «المبحث» heading lines, three English subtitles
    assert len(re.findall(r"^المبحث \S+: ", text, flags=re.M)) == 2
    assert len(re.findall(r"^\([A-Z][^()\n]*Relations[^()\n]*\)$", text, flags=re.M)) == 3
    assert "وثلاث مباحث" in text
    assert exp[3]["أجنبية (foreign)"] > exp[3]["عربية (Arabic)"]
    assert exp[4] >= 2


def test_model_answer_explains_every_footnote_without_a_marker():
    text = raw_002()
    exp = expected_answers()[2]
    assert exp == [21, 44, 45, 46, 47, 48]
    # 21: printed as a bare superscript in the running text, which the ⁽…⁾ pattern cannot see
    assert "المواطنين²¹" in text and "⁽²¹⁾" not in text
    # 44–48: entries before the third section's English subtitle; 45–48 cite works on Russia/China
    third = text.index("(The Future of Iraqi–American Relations)")
    refs = {int(r["number"]): r for r in rows("references") if r["section"] == "footnote"}
    for n in range(44, 49):
        assert int(refs[n]["evidence_start"]) < third
    for n in range(45, 49):
        assert re.search("Russia|China", refs[n]["evidence"]), n
    # the section's closing paragraph, just before footnote 44's entry, still names Russia and China
    before_44 = text[int(refs[44]["evidence_start"]) - 1200:int(refs[44]["evidence_start"])]
    assert "روسيا" in before_44 and "الصين" in before_44
    # 40–43: neither a marker nor an entry
    assert not {40, 41, 42, 43} & (set(refs) | markers_in_text(text))
    md = next(c.source for c in notebook().cells if c.get("id") == "nb05a-model")
    md = re.sub(r"</?bdi>", "", md)             # bidi isolation does not change the words
    for token in ("44–48", "40–43", "**21**", "«المواطنين²¹»"):
        assert token in md


def test_provenance_digits_and_terms():
    """Review E7 (002 is not one of the three PDF extractions), E11 (⁽¹²⁾ not ⁽١٢⁾), one transliteration."""
    text = raw_002()
    src = source_text()
    assert "came out of a PDF" not in src
    assert "three of them (001, 000, 004) as PDF extractions" in src
    assert text.count("<https://") > 10 and re.search(r"\*[A-Z][^*\n]+\*", text)   # surviving markup
    assert "⁽١٢⁾" not in src and "⁽¹²⁾" in src
    assert "mabḥath" not in src and "maṭlab" not in src and "*mabhath*" in src


def test_teaching_frame():
    assert_teaching_frame(NB_PATH, "05-academic-paper", min_exercises=4)
    assert first_steps_with_code(NB_PATH) == 0 and len(hint_sets(NB_PATH)) == 4
    src = source_text()
    row = catalogue_row()
    for name in (row["author_ar"], row["author_en"].split(" (")[0], row["title_ar"]):
        assert name in src
    assert 'get_article("002")' in src and "paper.author_ar" in src  # citation printed from data
    assert "أهداف" in src and "الخلاصة" in src and "05b" in src
    for tool in ("ArticleReader",):
        assert tool in src
    # the heading pattern is the learner's to write: the course's comes after the exercise
    cells = [c.source for c in notebook().cells]
    ex1 = next(i for i, s in enumerate(cells) if "answer_1 = None" in s)
    course = next(i for i, s in enumerate(cells) if s.startswith("HEADING = re.compile"))
    assert course > ex1


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
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 1  # sources chart
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1  # the reader
    assert "numbers with neither a marker nor an entry: [40, 41, 42, 43]" in text


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    text = notebook_support.solved_text(notebook(), SOLUTIONS, run)
    for n in range(1, 5):
        assert f"✓ exercise {n}: correct" in text, text
    assert "✓ question A: correct" in text and "✓ question B: correct" in text
    assert "✗" not in text
