"""notebooks/06_synthesis.ipynb: stored clean, answer keys provably right, runs headless.

The expected answers are recomputed here from the CSV tables (read with the ``csv`` module)
and from the text files under ``data/`` with the package's primitives (``find_entities``,
``distinctive_words``, ``term_counts``, ``words``), without the notebook's code. Their hashes
must equal the ones written in the notebook. The notebook is then executed as stored and with
model solutions filled in.
"""
from __future__ import annotations

import re
from collections import defaultdict

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "06_synthesis.ipynb"
DATA = ROOT / "data"
COURSE_ORDER = ["001", "003", "000", "004", "002"]
TERMS = {"انسحاب": ["انسحاب"], "سيادة": ["سيادة"], "إيران": ["إيران", "طهران"]}


rows = notebook_support.csv_rows


def texts(layer: str) -> dict[str, str]:
    folder = {"raw": DATA / "raw", "clean": DATA / "clean"}[layer]
    files = {r["id"]: r["file"] for r in rows("articles")}
    return {a: (folder / files[a]).read_text(encoding="utf-8") for a in COURSE_ORDER}


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def check_calls() -> dict[int, str]:
    return {int(n): h for n, h in re.findall(r'check\(answer_(\d+),\s*"([^"]+)"', source_text())}


def expected_answers() -> dict[int, object]:
    from arabtexts.analysis import distinctive_words, term_counts
    from arabtexts.datasets import gazetteer
    from arabtexts.extract import find_entities
    from arabtexts.tokenize import words

    events = rows("events")
    texts_of = defaultdict(set)
    lost, printed = set(), set()
    for e in events:
        texts_of[e["event_key"]].add(e["article_id"])
        (lost if e["date"].startswith("XXXX") else printed).add(e["event_key"])
    # 3: people/organisations found by the gazetteer in every raw text
    gaz = gazetteer()
    kind = dict(zip(gaz["id"], gaz["table"]))
    found = [{m.value for m in find_entities(t, gaz)} for t in texts("raw").values()]
    everywhere = sorted(i for i in set.intersection(*found) if kind[i] in ("people", "organizations"))
    # 4: most distinctive word of 004, clean layer
    clean = texts("clean")
    d = distinctive_words(clean, top=1)
    top_004 = d.loc[d["article_id"] == "004", "word"].iloc[0]
    # 5: highest rate of Iran mentions per 1,000 words
    tc = term_counts(clean, TERMS, whole_word=False)
    rate = {a: tc.loc[a, "إيران"] / len(words(t)) * 1000 for a, t in clean.items()}
    # 6: lost digits recovered from another text
    recovered = sum(1 for r in rows("lost_digits") if r["recovered_value"] != "unknown")
    return {
        1: sum(1 for k, s in texts_of.items() if len(s) >= 2),
        2: len(lost & printed),
        3: everywhere,
        4: top_004,
        5: max(rate, key=rate.get),
        6: recovered,
    }


SOLUTIONS = {
    1: 'answer_1 = int((merged["n_texts"] >= 2).sum())',
    2: 'answer_2 = int((merged["year_lost_in"].notna() & merged["date"].notna()).sum())',
    3: ('answer_3 = actors.groupby("value")["article_id"].nunique()'
        '.loc[lambda s: s == 5].index.tolist()'),
    4: ('answer_4 = distinctive_words(clean, top=1)'
        '.set_index("article_id").loc["004", "word"]'),
    5: 'answer_5 = per_1000["إيران"].idxmax()',
    6: "answer_6 = len(recovered)",
}


# ---------------------------------------------------------------------------------------------
# stored form and answer keys



def test_answer_keys_match_the_tables_and_texts():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    expected = expected_answers()
    assert sorted(calls) == [1, 2, 3, 4, 5, 6]
    for n, value in expected.items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_facts_behind_the_exercises():
    exp = expected_answers()
    assert exp[1] >= exp[2] > 0          # the merge rescues some, not all, lost years
    assert len(exp[3]) >= 1
    raw = texts("raw")
    for ident in exp[3]:                 # each id's variants really occur in all five texts
        variants = next(r["variants"] for t in ("people", "organizations") for r in rows(t)
                        if r["id"] == ident).split("|")
        for aid, text in raw.items():
            assert any(v in text for v in variants), (ident, aid)
    # the recovered lost digits are printed in their recovery evidence
    for r in rows("lost_digits"):
        if r["recovered_value"] != "unknown":
            other = raw[r["recovered_from_article"]]
            s = int(r["recovered_evidence_start"])
            assert other[s:s + len(r["recovered_evidence"])] == r["recovered_evidence"]


def test_exercises_unanswered_and_keys_not_printed():
    src = source_text()
    for n, value in expected_answers().items():
        assert f"answer_{n} = None" in src
        if isinstance(value, (list, str)) and not (isinstance(value, str) and value in COURSE_ORDER):
            assert repr(value) not in src


def test_assignment_sources_and_bilingual_parts():
    src = source_text()
    assert "assignment 06" in src and "06-" in src
    for row in rows("articles"):
        for col in ("author_ar", "outlet_ar"):
            if row[col]:
                assert row[col] in src, (row["id"], col)
        assert f"**{row['id']}**" in src
    assert src.count('<div dir="rtl" lang="ar">') >= 3
    assert "أهداف" in src and "الخلاصة" in src
    for tool in ("TimelineExplorer", "CompareTexts", "EntityHighlighter", "distinctive_words",
                 "term_counts", "heatmap", "timeline("):
        assert tool in src
    assert "extractor-report.md" in src and "lost_digits" in src
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
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 4  # timeline, heatmap, terms, quality
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 3  # timeline explorer, entity highlighter, compare texts
    assert "repair recall:" in text and "repair precision:" in text


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
