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


def bodies() -> dict[str, str]:
    return notebook_support.bodies()


def expected_answers() -> dict[int, object]:
    """Each exercise's answer, recomputed from the raw files and the page parts."""
    texts, body = raw_texts(), bodies()
    from arabtexts.normalize import find_normalized  # the tool the exercise asks for

    words = {i: len(t.split()) for i, t in body.items()}
    return {
        1: unicodedata.name("\u0640"),                     # the tatweel in «الســياسة»
        2: body["001"].count("\u0640"),
        3: max(words, key=words.get),
        4: sorted(i for i, t in texts.items() if not any(ch.isdigit() for ch in t)),
        5: len(find_normalized(body["001"], "الكاظمي")),
        6: len([w for w in body["000"].split() if "\u0640" in w]),
        7: "b",
        8: "a",
    }


#: model solutions, substituted for the ``answer_N = None`` lines
SOLUTIONS = {
    1: 'answer_1 = unicodedata.name("الســياسة"[4])',
    2: 'answer_2 = get_article("001").body.count("\\u0640")',
    3: ('bodies = load_corpus(part="body"); '
        'answer_3 = bodies.loc[bodies["text"].str.split().str.len().idxmax(), "id"]'),
    4: ('answer_4 = sorted(i for i in corpus["id"] '
        'if not any(ch.isdigit() for ch in get_article(i).text))'),
    5: 'concordance.article.value = "001"; answer_5 = concordance.count()',
    6: ('stretched_words = lambda text: [w for w in text.split() if "\\u0640" in w]; '
        'answer_6 = len(stretched_words(get_article("000").body))'),
    7: 'answer_7 = "b"',
    8: 'answer_8 = "a"',
}


# ---------------------------------------------------------------------------------------------
# stored form



def test_answer_keys_match_the_raw_texts():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    expected = expected_answers()
    assert sorted(calls) == [1, 2, 3, 4, 5, 6, 7, 8]
    for n, value in expected.items():
        assert answer_hash(value) == calls[n], f"exercise {n}: key does not match {value!r}"


def test_exercises_are_worth_asking():
    """The facts behind the exercises are the ones the notebook teaches."""
    texts, body = raw_texts(), bodies()
    exp = expected_answers()
    assert exp[2] > 500  # 001 is heavily stretched
    assert set(exp[4]) == {"000", "001", "004"}  # the three PDF texts
    assert exp[5] > texts["001"].count("الكاظمي")  # normalising finds more than exact search
    from arabtexts.normalize import find_normalized

    page_hits = find_normalized(texts["001"], "الكاظمي")
    assert len(page_hits) == exp[5] + 1  # question 8: the one more is in the title
    (extra,) = [h for h in page_hits if h not in find_normalized(body["001"], "الكاظمي")]
    title_end = int(next(r for r in catalogue() if r["id"] == "001")["body_start"])
    assert extra[1] <= title_end and "يارة الكاظمي لواشنطن" in texts["001"][:title_end]
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src  # the learner writes the answer
        if n not in (7, 8):  # the key is not printed (as a token of its own)
            rest = src.replace(f"answer_{n}", "")
            assert not re.search(rf"(?<![\w.]){re.escape(repr(exp[n]))}(?![\w.])", rest), n


def test_provenance_and_dateline_claims():
    """E7: 002 kept its digits, has no tatweel run and carries conversion marks; E9: the day and
    the year of 001's dateline were lost."""
    texts = raw_texts()
    src = source_text()
    t = texts["002"]
    assert sum(ch.isdigit() for ch in t) > 1000 and t.count("\u0640") <= 1
    assert "**" in t and "\\$" in t and "](#)" in t
    assert "came from a PDF or from a word-processor file" in src
    byline = texts["001"][:120]
    assert ", أغسطس  | كتبه فراس إلياس" in byline  # nothing before the comma, nothing after the month
    assert "both the day and the year" in src and "the year of the date\nline was lost" not in src


def test_lesson_structure_hints_and_languages():
    import nbformat as _nbf

    src = source_text()
    nb = _nbf.read(NB_PATH, as_version=4)
    mds = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert "**Time:**" in src and "**Prerequisites:**" in src and "المدة" in src
    assert "### Idioms you will meet" in src and "Common mistakes" in src
    assert "Your turn" in src and "A model answer" in src and "Write your answer here" in src
    assert src.index("### Idioms you will meet") < src.index("load_corpus()\ncorpus[[")
    # stepped hints: the first step has no code, the third has it
    firsts = re.findall(r"<summary>Hint 1 · a nudge</summary>(.*?)</details>", src, re.S)
    assert len(firsts) == 6
    for h in firsts:
        assert "`" not in h and "<code" not in h and "(" not in h.replace("(U+", "")
    assert src.count("<summary>Hint 3 · the code</summary>") == 6
    # the learner writes a function and a pandas chain
    assert "def stretched_words(text):\n    ...   # ← your code" in src
    assert 'load_corpus(part="body")' in src
    # every exercise statement and every section lead has its Arabic
    for head in ("### Exercise 1", "### Exercises 2–4", "### Exercise 5", "### Exercise 6",
                 "### Check your understanding", "### Your turn", "## 1. The course map",
                 "## 2. JupyterLab", "## 3. Arabic in Python", "### 3.4 Direction",
                 "## 4. The corpus", "## 6. Two tools"):
        cell = next(m for m in mds if head in m)
        assert 'dir="rtl"' in cell, head
    # direction is taught, and the Arabic uses one term for normalisation
    assert "U+2066" in src and "<bdi>" in src and "isolate" in src
    assert "وحِّد" not in src and "التطبيع" in src
    assert "assignments/source" not in src
    assert "python3 course.py practice 01-kadhimi-washington" in src


def test_course_map_sources_and_bilingual_parts():
    src = source_text()
    positions = [src.index(f"article **{i}**") for i in COURSE_ORDER]
    assert positions == sorted(positions), "course map in the order 001 003 000 004 002"
    for step in ("00", "01", "02", "03", "04", "05", "06"):
        assert f"| {step} |" in src
    assert "assignment 01" in src and "01-kadhimi-washington" in src and "| 00b |" in src
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
    assert text.count("no answer yet") == 8  # unanswered exercises explain, never crash
    assert "✓" not in text
    assert any("image/png" in o.get("data", {}) for o in outs), "the chart is drawn"
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 2  # the reader and the concordance


@pytest.mark.slow
def test_model_solutions_pass_every_check():
    text = notebook_support.solved_text(notebook(), SOLUTIONS, run)
    for n in SOLUTIONS:
        kind = "question" if n in (7, 8) else "exercise"
        assert f"✓ {kind} {n}: correct" in text, text
    assert "✗" not in text


def test_layers_say_the_order_step_is_mostly_but_not_always_right():
    """§6: «Most scrambled lines read right again, but not all»: recomputed on the labelled
    lines (arabtexts.repair.measure), in English and in Arabic."""
    from arabtexts.repair import measure

    sc = {(r["article_id"], r["kind"]): r for r in measure.scores(measure.judge())}
    damaged = sc[("all", "damaged")]
    assert 0.5 < damaged["right"] / damaged["lines"] < 1
    src = " ".join(source_text().split())
    assert "Most scrambled lines read right again, but not all" in src
    assert "فعادت أكثر الأسطر المضطربة إلى ترتيبها، لا كلها" in src
    assert "judged by statistics learnt from the *other* texts" in src
