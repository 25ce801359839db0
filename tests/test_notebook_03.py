"""notebooks/03_foreign_policy_2021.ipynb: stored clean, answer keys provably right, runs headless.

The expected answers of the practice exercises are recomputed here from the raw text of article
000 and the CSV tables (read straight from ``data/``), using only the package's extraction tools
that the exercises ask for (``find_entities``, ``find_normalized``). Their hashes must equal the
ones written in the notebook. The notebook is then executed twice with nbclient: as stored (the
exercises unanswered must not raise) and with model solutions filled in (every check says ✓).
"""
from __future__ import annotations

import json
import re

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "03_foreign_policy_2021.ipynb"
DATA = ROOT / "data"
EXERCISES = [1, 2, 3, 4, 5, 6]


rows = notebook_support.csv_rows


def raw_000() -> str:
    meta = next(r for r in rows("articles") if r["id"] == "000")
    return (DATA / "raw" / meta["file"]).read_text(encoding="utf-8")


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def markdown_text() -> str:
    return "\n".join(c.source for c in notebook().cells if c.cell_type == "markdown")


def check_calls() -> dict[int, str]:
    return notebook_support.check_hashes(NB_PATH)


def place_hits(text: str) -> list[tuple[str, int]]:
    """(place id, start) of every gazetteer hit of a place in ``text``."""
    from arabtexts.datasets import gazetteer
    from arabtexts.extract import find_entities

    place_ids = {r["id"] for r in rows("places")}
    return [(m.value, m.start) for m in find_entities(text, gazetteer()) if m.value in place_ids]


def expected_answers() -> dict[int, object]:
    from arabtexts.datasets import gazetteer
    from arabtexts.extract import find_entities
    from arabtexts.normalize import find_normalized

    raw = raw_000()
    types = {r["id"]: r["type"] for r in rows("places")}
    hits = place_hits(raw)

    # 1: different places per type
    per_type: dict[str, set] = {}
    for pid, _ in hits:
        per_type.setdefault(types[pid], set()).add(pid)
    a1 = {t: len(ids) for t, ids in per_type.items()}

    # 2: the names in the passage «العواصم العربية …» up to the next comma
    (s, _), = find_normalized(raw, "العواصم العربية")
    e = raw.index("،", s)
    a2 = [m.value for m in find_entities(raw[s:e], gazetteer())]

    # 3: places of the international part that the regional part does not name
    def heading_line(words: str) -> int:  # the start of the line holding a heading
        (pos, _), = find_normalized(raw, words)
        return raw.rfind("\n", 0, pos) + 1

    r0, i0, c0 = (heading_line(w) for w in ("البعد الإقليمي", "البعد الدولي", "ختاما"))
    regional = {p for p, st in hits if r0 <= st < i0}
    international = {p for p, st in hits if i0 <= st < c0}
    a3 = sorted(international - regional)

    # 4: months of the re-proposed initiatives
    a4 = [json.loads(r["attributes"])["month"] for r in rows("lists")
          if r["list_id"] == "regional-initiatives-000"
          and json.loads(r["attributes"])["action"] == "re-proposed"]

    # 5, 6: lost digits of 000
    ld0 = [r for r in rows("lost_digits") if r["article_id"] == "000"]
    a5 = [r["id"] for r in ld0 if r["recovered_value"] != "unknown"]
    a6 = sum(1 for r in ld0 if r["recovered_value"] == "unknown"
             and not r["outside_knowledge"].startswith("unknown"))
    return {1: a1, 2: a2, 3: a3, 4: a4, 5: a5, 6: a6}


#: model solutions, substituted for the ``answer_N = None`` lines
SOLUTIONS = {
    1: 'answer_1 = place_table.groupby("type")["id"].nunique().to_dict()',
    2: ('start = find_normalized(raw, "العواصم العربية")[0][0]; '
        'answer_2 = [m.value for m in find_entities(raw[start:raw.find("،", start)], gaz)]'),
    3: ('pl = ents[ents["table"] == "places"]; '
        'answer_3 = sorted(set(pl[pl["section"] == "international"]["value"]) '
        '- set(pl[pl["section"] == "regional"]["value"]))'),
    4: 'answer_4 = init[init["action"] == "re-proposed"]["month"].tolist()',
    5: 'answer_5 = ld0[ld0["recovered_value"] != "unknown"]["id"].tolist()',
    6: ('answer_6 = int(((ld0["recovered_value"] == "unknown") '
        '& ~ld0["outside_knowledge"].str.startswith("unknown")).sum())'),
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
    raw = raw_000()
    assert set(exp[1]) == {"country", "city", "region"}
    assert {"cairo", "amman", "doha"} <= set(exp[2])          # the Arab capitals of the text
    assert "washington" in exp[3] and "saudi_arabia" not in exp[3]
    assert exp[4] and all(1 <= m <= 12 for m in exp[4])
    assert 0 < len(exp[5]) < exp[6]                         # few recoveries, many outside-only values
    for lid in exp[5]:                                       # every recovery cites another text
        row = next(r for r in rows("lost_digits") if r["id"] == lid)
        assert row["recovered_from_article"] not in ("", "000")
    assert not any(ch.isdigit() for ch in raw)                # the premise of section 5
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src                    # the learner writes the answer
    bare = re.sub(r'"[\w\[\],]+:[0-9a-f]{16}"', '""', src)  # the hashes are not answers
    for n, value in exp.items():
        key = repr(value)
        assert not re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", bare), f"exercise {n}"


def test_outside_knowledge_is_never_typed_as_fact():
    """No value known only from outside the texts is written into the notebook's prose."""
    md = markdown_text()
    typed = set(re.findall(r"\d+(?:\.\d+)?", md))
    for r in rows("lost_digits"):
        if r["article_id"] != "000":
            continue
        for value in re.findall(r"\d+(?:\.\d+)?", r["outside_knowledge"]):
            if len(value) < 2 or value in {"2020", "2021", "2024"}:  # too generic; catalogue years
                continue
            assert value not in typed, f"{r['id']}: outside value {value} appears in the prose"


def test_names_assignment_sources_and_bilingual_parts():
    src = source_text()
    assert "assignment 03" in src and "assignments/source/03-foreign-policy-2021" in src
    assert "assignment 01" not in src.lower().replace("assignment 03", "")
    meta = next(r for r in rows("articles") if r["id"] == "000")
    assert meta["published"] == "2021-12" and "December 2021" in src
    assert "same PDF template" in src and "unsigned" in src.lower()
    assert src.count('<div dir="rtl" lang="ar">') >= 3
    assert "أهداف" in src and "الخلاصة" in src
    for tool in ("ArticleReader(", "EntityHighlighter(", "ConcordanceExplorer(", "TimelineExplorer("):
        assert tool in src
    for driven in ("reader.search.value", "reader.layer.value", "hl.kinds", "conc.query.value"):
        assert driven in src                              # the tools are driven from Python
    for call in ("find_entities(", "gazetteer()", "load_table(\"lost_digits\")", "find_dates("):
        assert call in src
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
    assert "same mentions as place_table: True" in text      # the tool agrees with the table
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
