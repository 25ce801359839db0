"""notebooks/00_start_here.ipynb: stored clean, answer keys provably right, runs headless.

The expected answers of the practice exercises are recomputed here from the raw texts (read
straight from ``data/raw/``), and their hashes must equal the ones written in the notebook.
The notebook is then executed twice with nbclient: as stored (the exercises unanswered must
not raise) and with model solutions filled in (every self-check must say ✓).
"""
from __future__ import annotations

import csv
import re
import unicodedata

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "00_start_here.ipynb"
RAW = ROOT / "data" / "raw"
COURSE_ORDER = ["001", "003", "000", "004", "002"]


def catalogue() -> list[dict]:
    with open(ROOT / "data" / "articles.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_texts() -> dict[str, str]:
    return {r["id"]: (RAW / r["file"]).read_text(encoding="utf-8") for r in catalogue()}


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def check_calls() -> dict[int, str]:
    return notebook_support.check_hashes(NB_PATH)


def expected_answers() -> dict[int, object]:
    """Each exercise's answer, recomputed from the raw files without the course package."""
    texts = raw_texts()
    from arabtexts.normalize import find_normalized  # the tool the exercise asks for

    longest = max(texts, key=lambda i: len(texts[i]))
    return {
        1: unicodedata.name("\u0640"),                     # the tatweel in «الســياسة»
        2: texts["001"].count("\u0640"),
        3: longest,
        4: sorted(i for i, t in texts.items() if not any(ch.isdigit() for ch in t)),
        5: len(find_normalized(texts["001"], "الكاظمي")),
    }


#: model solutions, substituted for the ``answer_N = None`` lines
SOLUTIONS = {
    1: 'answer_1 = unicodedata.name("الســياسة"[4])',
    2: 'answer_2 = get_article("001").text.count("\\u0640")',
    3: 'answer_3 = corpus.loc[corpus["n_chars"].idxmax(), "id"]',
    4: ('answer_4 = [i for i in corpus["id"] '
        'if not any(ch.isdigit() for ch in get_article(i).text)]'),
    5: 'answer_5 = ConcordanceExplorer("الكاظمي", article="001").count()',
}


# ---------------------------------------------------------------------------------------------
# stored form



def test_answer_keys_match_the_raw_texts():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    expected = expected_answers()
    assert sorted(calls) == [1, 2, 3, 4, 5]
    for n, value in expected.items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_exercises_are_worth_asking():
    """The facts behind the exercises are the ones the notebook teaches."""
    texts = raw_texts()
    exp = expected_answers()
    assert exp[2] > 500  # 001 is heavily stretched
    assert set(exp[4]) == {"000", "001", "004"}  # the three PDF texts
    assert exp[5] > texts["001"].count("الكاظمي")  # normalising finds more than exact search
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src  # the learner writes the answer
        assert repr(exp[n]) not in src.replace(f"answer_{n}", "")  # the key is not printed


def test_course_map_sources_and_bilingual_parts():
    src = source_text()
    positions = [src.index(f"article **{i}**") for i in COURSE_ORDER]
    assert positions == sorted(positions), "course map in the order 001 003 000 004 002"
    for step in ("00", "01", "02", "03", "04", "05", "06"):
        assert f"| {step} |" in src
    assert "assignment 01" in src and "01-kadhimi-washington" in src
    for row in catalogue():  # every text is cited with its author and outlet
        for col in ("author_ar", "author_en", "outlet_ar"):
            name = row[col].split(" (")[0]  # "Noor Sabea Khamees Ali (Al-Iraqia University)"
            if name and name != "not named":
                assert name in src, (row["id"], col)
    assert src.count('<div dir="rtl" lang="ar">') >= 3  # title, objectives, summary
    assert "أهداف" in src and "الخلاصة" in src
    assert "Shift+Enter" in src and "kernel" in src.lower()
    assert "arabic_reshaper" not in src.replace("`arabic_reshaper`", "")
    assert "import bidi" not in src and "from bidi" not in src


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
    assert text.count("no answer yet") == 5  # unanswered exercises explain, never crash
    assert "✓" not in text
    assert any("image/png" in o.get("data", {}) for o in outs), "the chart is drawn"
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # the reader and the concordance


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
