"""notebooks/04_expel_coalition.ipynb: stored clean, answer keys provably right, runs headless.

The expected answers of the practice exercises are recomputed here from the raw text of article
004 and ``data/quotes.csv`` (read straight from ``data/``), with plain Python over the normalised
text (``arabtexts.normalize.normalize``) and, for exercise 1, the extractor it is about
(``find_quotes``). Their hashes must equal the ones written in the notebook. The notebook is then
executed twice with nbclient: as stored and with model solutions filled in.
"""
from __future__ import annotations

import re
from collections import Counter

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "04_expel_coalition.ipynb"
DATA = ROOT / "data"
EXERCISES = [1, 2, 3, 4, 5]
SIDES = ["البنتاغون", "واشنطن", "بغداد", "الحكومة العراقية"]


rows = notebook_support.csv_rows


def raw_004() -> str:
    meta = next(r for r in rows("articles") if r["id"] == "004")
    return (DATA / "raw" / meta["file"]).read_text(encoding="utf-8")


def quotes_004() -> list[dict]:
    return [r for r in rows("quotes") if r["article_id"] == "004"]


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def check_calls() -> dict[int, str]:
    return notebook_support.check_hashes(NB_PATH)


def occurrences(text: str, term: str) -> int:
    """Occurrences of ``term`` in ``text``, both normalised, inside longer words too."""
    from arabtexts.normalize import normalize

    pattern = r"\s+".join(re.escape(w) for w in normalize(term).split())
    return len(re.findall(pattern, normalize(text)))


def expected_answers() -> dict[int, object]:
    from arabtexts.extract import find_quotes

    raw = raw_004()
    q4 = quotes_004()
    direct = {r["quote"] for r in q4 if r["mode"] == "direct"}
    a1 = [m.value for m in find_quotes(raw) if m.extra["quote_type"] == "term" and m.value in direct]
    a2 = dict(Counter(r["speaker"] for r in q4))
    a3 = sorted({r["speaker"] for r in q4 if r["verb"] == "يستبعد"})
    a4 = sorted({r["speaker"] for r in q4 if occurrences(r["quote"], "البنتاغون")})
    a5 = {term: occurrences(raw, term) for term in SIDES}
    return {1: a1, 2: a2, 3: a3, 4: a4, 5: a5}


#: model solutions, substituted for the ``answer_N = None`` lines
SOLUTIONS = {
    1: ('answer_1 = [v for v in found[found["quote_type"] == "term"]["value"] '
        'if v in set(q4.loc[q4["mode"] == "direct", "quote"])]'),
    2: 'answer_2 = q4["speaker"].value_counts().to_dict()',
    3: 'answer_3 = list(q4.loc[q4["verb"] == "يستبعد", "speaker"].unique())',
    4: ('tc = term_counts(dict(zip(q4["id"], q4["quote"])), {"p": ["البنتاغون"]}, whole_word=False); '
        'answer_4 = list(q4.set_index("id").loc[tc.index[tc["p"] > 0], "speaker"].unique())'),
    5: 'answer_5 = side_counts.to_dict()',
}


# ---------------------------------------------------------------------------------------------
# stored form and content



def test_answer_keys_match_the_raw_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    assert sorted(calls) == EXERCISES
    for n, value in expected_answers().items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_exercises_are_worth_asking():
    exp = expected_answers()
    q4 = quotes_004()
    assert len(exp[1]) == 1                                  # one quoted word is real speech
    assert sum(exp[2].values()) == len(q4)
    assert sum(1 for r in q4 if r["mode"] == "indirect") > 5 * sum(1 for r in q4 if r["mode"] == "direct")
    assert len(exp[3]) >= 2 and set(exp[3]) <= set(exp[2])
    assert set(exp[4]) <= set(exp[2]) and "ryder" not in exp[4]   # experts, not the spokesman's words
    assert all(v > 0 for v in exp[5].values())
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src
    bare = re.sub(r'"[\w\[\],]+:[0-9a-f]{16}"', '""', src)
    for n, value in exp.items():
        key = repr(value)
        assert not re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", bare), f"exercise {n}"


def test_names_assignment_sources_and_bilingual_parts():
    src = source_text()
    assert "assignment 04" in src and "assignments/source/04-expel-coalition" in src
    meta = next(r for r in rows("articles") if r["id"] == "004")
    for col in ("author_ar", "author_en", "outlet_ar", "outlet_en"):
        assert meta[col] in src, col
    assert meta["published"] == "2024-01" and "January 2024" in src
    assert src.count('<div dir="rtl" lang="ar">') >= 3
    assert "أهداف" in src and "الخلاصة" in src
    for tool in ("ArticleReader(", "EntityHighlighter(", "ConcordanceExplorer("):
        assert tool in src
    for driven in ("reader.search.value", "verb_conc.query.value", "side_conc.query.value"):
        assert driven in src
    for call in ("find_quotes(", 'load_table("quotes")', "term_counts(", "heatmap(", "bar_chart("):
        assert call in src
    for verb in ("يؤكد", "يعتقد", "يستبعد", "يرى", "يشير"):
        assert verb in src
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
    assert text.count("no answer yet") == len(EXERCISES)
    assert "✓" not in text
    assert "verbs without a gloss: []" in text               # the glossary covers the table's verbs
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 3
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) >= 4


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
