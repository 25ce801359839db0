"""notebooks/04_expel_coalition.ipynb: keys recomputed from the text, counts on the body, runs headless.

The expected answers of the practice exercises are recomputed here from the raw text of article
004 and ``data/quotes.csv`` (read straight from ``data/``), with plain Python over the normalised
text (``arabtexts.normalize.normalize``) and, for exercise 1, the extractor it is about
(``find_quotes``). The article body is rebuilt from the catalogue's ``body_start``/``body_end`` and
``data/page_parts.csv`` without ``arabtexts.corpus``; a count made on the whole page must give
another key. Their hashes must equal the ones written in the notebook. The notebook is then
executed twice with nbclient: as stored and with model solutions filled in.
"""
from __future__ import annotations

import re
from collections import Counter

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import (assert_teaching_frame, executed_as_stored, first_steps_with_code,
                              hint_sets, outputs, stream_text)

NB_PATH = ROOT / "notebooks" / "04_expel_coalition.ipynb"
DATA = ROOT / "data"
SIDES = ["البنتاغون", "واشنطن", "بغداد", "الحكومة العراقية"]
QUOTE_MARKS = "«»“”\""

rows = notebook_support.csv_rows


def catalogue_row() -> dict:
    return next(r for r in rows("articles") if r["id"] == "004")


def raw_004() -> str:
    return (DATA / "raw" / catalogue_row()["file"]).read_text(encoding="utf-8")


def body_004() -> str:
    """The raw text with everything outside the article body blanked (offsets kept)."""
    return notebook_support.bodies()["004"]


def quotes_004() -> list[dict]:
    return [r for r in rows("quotes") if r["article_id"] == "004"]


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def occurrences(text: str, term: str) -> int:
    """Occurrences of ``term`` in ``text``, both normalised, inside longer words too."""
    from arabtexts.normalize import normalize

    pattern = r"\s+".join(re.escape(w) for w in normalize(term).split())
    return len(re.findall(pattern, normalize(text)))


def expected_answers() -> dict[int, object]:
    from arabtexts.extract import find_quotes

    raw, body = raw_004(), body_004()
    q4 = quotes_004()
    direct = {r["quote"] for r in q4 if r["mode"] == "direct"}
    a1 = [m.value for m in find_quotes(raw) if m.extra["quote_type"] == "term" and m.value in direct]
    a2 = dict(Counter(r["speaker"] for r in q4))
    a3 = sorted({r["speaker"] for r in q4 if r["verb"] == "يستبعد"})
    a4 = {t: sorted({r["speaker"] for r in q4 if occurrences(r["quote"], t)})
          for t in ("البنتاغون", "الفصائل")}
    a5 = {term: occurrences(body, term) for term in SIDES}
    a6 = occurrences(body, "الفصائل")
    page_b = occurrences(raw, "بغداد")
    a7 = "c" if page_b > a5["بغداد"] else "a" if page_b < a5["بغداد"] else "b"
    # B: find_quotes finds none of the indirect statements, and none lies between quotation marks
    indirect = [r for r in q4 if r["mode"] == "indirect"]
    assert len(indirect) == 24                               # the number the question prints
    found_values = {m.value for m in find_quotes(raw)}
    assert not [r for r in indirect if r["quote"] in found_values]
    enclosed = 0
    for r in indirect:
        i = max(r["evidence"].find(r["quote"][:15]), 0)
        s = int(r["evidence_start"]) + i
        e = s + len(r["quote"])
        enclosed += raw[s - 1:s] in QUOTE_MARKS and raw[e:e + 1] in QUOTE_MARKS and raw[s - 1:s] != ""
    a8 = "b" if enclosed == 0 else "a"
    return {1: a1, 2: a2, 3: a3, 4: a4, 5: a5, 6: a6, 7: a7, 8: a8}


#: model solutions, substituted for the ``answer_N = None`` lines
SOLUTIONS = {
    1: ('answer_1 = [v for v in found[found["quote_type"] == "term"]["value"] '
        'if v in set(q4.loc[q4["mode"] == "direct", "quote"])]'),
    2: 'answer_2 = q4["speaker"].value_counts().to_dict()',
    3: 'answer_3 = list(q4.loc[q4["verb"] == "يستبعد", "speaker"].unique())',
    4: ('def speakers_naming(term):\n'
        '    return sorted({s for s, t in zip(q4["speaker"], q4["quote"]) if normalize(term) in normalize(t)})\n'
        'answer_4 = {t: speakers_naming(t) for t in ("البنتاغون", "الفصائل")}'),
    5: 'answer_5 = side_counts.to_dict()',
    6: 'factions.query.value = "الفصائل"; answer_6 = int(factions.counts()["004"])',
    7: 'answer_7 = "c"',
    8: 'answer_8 = "b"',
}


# ---------------------------------------------------------------------------------------------
# answer keys and facts


def test_answer_keys_match_the_raw_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = notebook_support.check_hashes(NB_PATH)
    assert sorted(calls) == list(range(1, 9))
    for n, value in expected_answers().items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_counts_are_on_the_article_body_not_the_page():
    """The title block names «بغداد» once more: a page count would give another key."""
    from arabtexts.grading import answer_hash

    raw, body = raw_004(), body_004()
    page = {term: occurrences(raw, term) for term in SIDES}
    exp = expected_answers()
    assert page["بغداد"] == exp[5]["بغداد"] + 1
    assert answer_hash(page) != notebook_support.check_hashes(NB_PATH)[5]
    title_block = raw[:int(catalogue_row()["body_start"])]
    assert occurrences(title_block, "بغداد") == 1
    assert body.count("\n") == raw.count("\n")


def test_exercises_are_worth_asking():
    exp = expected_answers()
    q4 = quotes_004()
    assert len(exp[1]) == 1                                  # one quoted word is real speech
    assert sum(exp[2].values()) == len(q4)
    assert sum(1 for r in q4 if r["mode"] == "indirect") > 5 * sum(1 for r in q4 if r["mode"] == "direct")
    assert len(exp[3]) >= 2 and set(exp[3]) <= set(exp[2])
    assert "ryder" not in exp[4]["البنتاغون"]                 # experts, not the spokesman's words
    # a plain `in` misses a speaker: «الفصائـل» is printed with tatweel in some statements
    plain = sorted({r["speaker"] for r in q4 if "الفصائل" in r["quote"]})
    assert plain != exp[4]["الفصائل"]
    assert all(v > 0 for v in exp[5].values()) and exp[6] > 0
    assert occurrences(body_004(), "ميليشي") == 0            # 004 says «الفصائل», never «ميليشيات»
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src
    bare = re.sub(r'"[\w\[\],]+:[0-9a-f]{16}"', '""', src)
    for n, value in exp.items():
        if n in (1, 2, 3, 4, 5):
            key = repr(value)
            assert not re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", bare), f"exercise {n}"


def test_model_answer_cites_real_statements():
    """Every statement id the model answer cites belongs to the speaker it is cited for."""
    md = next(c.source for c in notebook().cells if c.get("id") == "nb04-model")
    speaker_of = {r["id"]: r["speaker"] for r in quotes_004()}
    for block, speaker in (("al-Shammari", "ihsan_shammari"), ("Abu Raghif", "abu_raghif"),
                           ("al-Aasam", "aasam"), ("al-Qassab", "qassab")):
        line = next(l for l in md.split("\n- ") if block in l)
        ids = re.findall(r"q004_\d\d", line)
        assert ids and all(speaker_of[i] == speaker for i in ids), (block, ids)
    assert "«يستبعد»" in md


def test_teaching_frame_and_sources():
    assert_teaching_frame(NB_PATH, "04-expel-coalition", min_exercises=6)
    assert first_steps_with_code(NB_PATH) == 0 and len(hint_sets(NB_PATH)) == 6
    src = source_text()
    meta = catalogue_row()
    for col in ("author_ar", "author_en", "outlet_ar", "outlet_en"):
        assert meta[col] in src, col
    assert meta["published"] == "2024-01" and "January 2024" in src
    assert "أهداف" in src and "الخلاصة" in src
    for tool in ("ArticleReader(", "EntityHighlighter(", "ConcordanceExplorer("):
        assert tool in src
    for driven in ("reader.search.value", "verb_conc.query.value", "side_conc.query.value"):
        assert driven in src
    for call in ("find_quotes(", 'load_table("quotes")', "term_counts(", "heatmap(", "bar_chart(",
                 'part="body"'):
        assert call in src
    for verb in ("يؤكد", "يعتقد", "يستبعد", "يرى", "يشير"):
        assert verb in src
    assert '"يبين": "makes clear"' in src
    assert "arabic_reshaper" not in src and "python-bidi" not in src


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
    assert text.count("no answer yet") == 8
    assert "✓" not in text
    assert "verbs without a gloss: []" in text               # the glossary covers the table's verbs
    assert "counted: body" in text
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 3
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) >= 5


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    text = notebook_support.solved_text(notebook(), SOLUTIONS, run)
    for n in range(1, 7):
        assert f"✓ exercise {n}: correct" in text, text
    assert "✓ question A: correct" in text and "✓ question B: correct" in text
    assert "✗" not in text
