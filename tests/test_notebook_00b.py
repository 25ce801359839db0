"""notebooks/00b_context.ipynb: the context lesson. Every fact it states about the texts is
recomputed here from the raw files (read without the course package where possible), the
answer keys are recomputed, the hints are stepped, and the notebook runs headless both as
stored and with model solutions.
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

NB_PATH = ROOT / "notebooks" / "00b_context.ipynb"
RAW = ROOT / "data" / "raw"
IDS = ["001", "003", "000", "004", "002"]


def raw_texts() -> dict[str, str]:
    return {r["id"]: (RAW / r["file"]).read_text(encoding="utf-8")
            for r in notebook_support.csv_rows("articles")}


def bodies() -> dict[str, str]:
    return notebook_support.bodies()


def fold(s: str) -> str:
    """Tatweel and diacritics out (the normalisation the lesson relies on)."""
    return "".join(c for c in s if c != "\u0640" and not unicodedata.combining(c))


def expected() -> dict[int, object]:
    events = notebook_support.csv_rows("events")
    b = {k: fold(v) for k, v in bodies().items()}
    return {
        1: sorted({e["article_id"] for e in events if e["date"][:4].isdigit() and int(e["date"][:4]) < 2020}),
        2: [b[a].count("ميليشي") for a in IDS],
        3: sum(b[a].count("الموصل") for a in IDS),
        4: "b",
        5: "c",
    }


SOLUTIONS = {
    1: ('year = events["date"].str.slice(0, 4); known = year.str.isdigit(); '
        'answer_1 = sorted(events.loc[known & (year.where(known, "9999").astype(int) < 2020), '
        '"article_id"].unique())'),
    2: ('mentions = lambda a, w: len(find_normalized(get_article(a).body, w)); '
        'answer_2 = [mentions(a, "ميليشي") for a in ARTICLE_IDS]'),
    3: 'tool.query.value = "الموصل"; answer_3 = tool.count()',
    4: 'answer_4 = "b"',
    5: 'answer_5 = "c"',
}


def source() -> str:
    return notebook_support.source_text(NB_PATH)


# ------------------------------------------------------------------------------ keys and facts


def test_answer_keys_are_recomputed_from_the_texts():
    from arabtexts.grading import answer_hash

    calls = {int(n): h for n, h in re.findall(r'check\(answer_(\d+),\s*"([^"]+)"', source())}
    exp = expected()
    assert sorted(calls) == [1, 2, 3, 4, 5]
    for n, value in exp.items():
        assert answer_hash(value) == calls[n], (n, value)
    assert exp[1] == ["002"] and exp[2] == [0, 10, 0, 0, 0] and exp[3] == 3


def test_the_facts_the_lesson_states_are_in_the_texts():
    texts, b = raw_texts(), {k: fold(v) for k, v in bodies().items()}
    ev = {e["id"]: e for e in notebook_support.csv_rows("events")}
    src = source()
    # every milestone drawn «from the texts» is a row whose evidence sits at its offset
    ids = re.search(r"milestones = \[(.*?)\]", src, re.S).group(1)
    for eid in re.findall(r'"(E\d+)"', ids):
        e = ev[eid]
        s = int(e["evidence_start"])
        assert texts[e["article_id"]][s:s + len(e["evidence"])] == e["evidence"], eid
    assert ev["E039"]["date"] == "2003" and ev["E040"]["date"] == "2008"
    assert ev["E041"]["date"] == "2020-01-05" and ev["E055"]["date"] == "2025-09"
    # 003 prints the dates of three rounds, not of the fourth; 002's Table 1 dates all four
    assert [ev[i]["date_as_printed"] != "" for i in ("E007", "E008", "E009", "E011")] == [True] * 3 + [False]
    assert all(ev[i]["article_id"] == "002" and ev[i]["date"][:4].isdigit()
               for i in ("E043", "E044", "E045", "E046"))
    # the 2011 withdrawal: 001 names it, its year was lost, the value is outside knowledge
    ld = {r["id"]: r for r in notebook_support.csv_rows("lost_digits")}
    assert "2011" in ld["LD002"]["outside_knowledge"] and ld["LD002"]["article_id"] == "001"
    assert "الانسـحاب الأمريـكي مـن العـراق\nعام ،" in texts["001"]
    # no text names the SOFA (the lesson says so)
    for t in texts.values():
        assert "SOFA" not in t and "اتفاقية وضع القوات" not in fold(t) and "Status of Forces" not in t
    # framing: «ميليشي» only in 003 (10), «فصائل» in every body, «الفصائل» 6 times in 004
    assert [b[a].count("ميليشي") for a in IDS] == [0, 10, 0, 0, 0]
    assert all(b[a].count("فصائل") > 0 for a in IDS)
    assert b["004"].count("الفصائل") == 6
    assert "نون بوست" in fold(texts["004"])
    # the table of outlets agrees with the catalogue
    cat = {r["id"]: r for r in notebook_support.csv_rows("articles")}
    assert "Abu Dhabi" in cat["003"]["outlet_en"] and cat["001"]["outlet_en"] == cat["004"]["outlet_en"] == "Noon Post"
    assert "الجامعة العراقية" in texts["002"]


def test_lesson_structure():
    src = source()
    nb = nbformat.read(NB_PATH, as_version=4)
    mds = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert "**Time:**" in src and "**Prerequisites:**" in src and "المدة" in src
    assert "Idioms you will meet" in src and "Common mistakes" in src and "Glossary" in src
    assert "Further reading" in src and "Your turn" in src and "model answer" in src.lower()
    assert "assignments/source" not in src and "python3 course.py practice 01-kadhimi-washington" in src
    # every exercise statement and every section lead in both languages
    for head in ("### Exercise 1", "### Exercise 2", "### Exercise 3", "## 2.", "## 3.", "## 4."):
        cell = next(m for m in mds if head in m)
        assert 'dir="rtl"' in cell, head
    # stepped hints: a nudge and a method without code, then the code
    hints = re.findall(r"<details><summary>Hint 1[^<]*</summary>(.*?)</details>", src, re.S)
    assert len(hints) == 3
    for h in hints:
        assert "`" not in h and "<code" not in h and "=" not in h
    assert src.count("<summary>Hint 3 · the code</summary>") == 3
    # the learner writes a pandas chain and a function; the widget answers exercise 3
    assert "def mentions(article_id, stem):\n    ...   # ← your code" in src
    assert "ConcordanceExplorer()" in src
    # the map is drawn from the table's coordinates, without tiles
    assert "place_map" in src and "contextily" not in src and "openstreetmap" not in src.lower()


# ------------------------------------------------------------------------------ execution


@pytest.mark.slow
def test_runs_headless_as_stored():
    nb = executed_as_stored(NB_PATH)
    outs = outputs(nb)
    assert not [o for o in outs if o["output_type"] == "error"]
    text = stream_text(nb)
    assert text.count("no answer yet") == 5 and "✓" not in text
    assert "counted on: body" in text
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 2   # timeline and map


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    text = notebook_support.solved_text(nbformat.read(NB_PATH, as_version=4), SOLUTIONS, lambda nb: notebook_support.run(nb, NB_PATH))
    for n in (1, 2, 3):
        assert f"✓ exercise {n}: correct" in text, text
    for n in (4, 5):
        assert f"✓ question {n}: correct" in text, text
    assert "✗" not in text


def test_counts_of_the_lesson_include_no_page_furniture():
    """Every hit behind exercise 2 and 3 lies in an article body (and the support rebuild of the
    body agrees with the package's)."""
    from arabtexts.corpus import body_text
    from arabtexts.normalize import find_normalized

    texts = raw_texts()
    for a in IDS:
        assert notebook_support.bodies()[a] == body_text(a)
        for stem in ("ميليشي", "الموصل"):
            hits = [h for h in find_normalized(texts[a], stem)]
            inside = find_normalized(body_text(a), stem)
            assert notebook_support.outside_body(a, inside) == []
            assert len(hits) == len(inside)  # nothing of these in furniture: pages = bodies here
    # and the helper does catch furniture: 002's «بايدن» are all citations
    biden = find_normalized(texts["002"], "بايدن")
    assert biden and notebook_support.outside_body("002", biden) == biden
