"""notebooks/02_strategic_dialogue.ipynb: stored clean, answer keys provably right, runs headless.

Each exercise's expected answer is recomputed here, independently of the notebook's code: from
the raw text of 003 (read straight from ``data/raw/``), the CSV tables (read with ``csv``), the
extractors the exercises are about, and ``datetime``. Its hash must equal the one in the
notebook. The notebook is then executed as stored and with model solutions filled in.
"""
from __future__ import annotations

import csv
import re
from datetime import date

import nbformat
import pytest

import notebook_support
from conftest import ROOT
from notebook_support import executed_as_stored, outputs, stream_text

NB_PATH = ROOT / "notebooks" / "02_strategic_dialogue.ipynb"
DATA = ROOT / "data"


def catalogue_row(article_id: str) -> dict:
    with open(DATA / "articles.csv", encoding="utf-8", newline="") as f:
        return next(r for r in csv.DictReader(f) if r["id"] == article_id)


def raw_text(article_id: str) -> str:
    return (DATA / "raw" / catalogue_row(article_id)["file"]).read_text(encoding="utf-8")


def table(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def notebook() -> nbformat.NotebookNode:
    return nbformat.read(NB_PATH, as_version=4)


def source_text() -> str:
    return notebook_support.source_text(NB_PATH)


def check_calls() -> dict[int, tuple[str, bool]]:
    """Exercise number -> (hash, ordered?) as written in the notebook."""
    out = {}
    for n, h, rest in re.findall(r'check\(answer_(\d+),\s*"([^"]+)"([^)]*)\)', source_text()):
        out[int(n)] = (h, "ordered=True" in rest)
    return out


def expected_answers() -> dict[int, object]:
    from arabtexts.extract import MONTHS, find_dates, find_enumerations, find_quotes

    raw = raw_text("003")
    published = catalogue_row("003")["published"]
    found_dates = find_dates(raw, reference=published)
    no_year = [m for m in found_dates if str(m.value).startswith("XXXX")]

    # exercise 2: month numbers of the dates found -> first name of each system in MONTHS
    first = {"gregorian": {}, "levantine": {}}
    for name, (num, system) in MONTHS.items():
        first[system].setdefault(num, name)
    month_numbers = {m.extra["month"] for m in found_dates if m.extra.get("month")}
    twins = {first["gregorian"][n]: first["levantine"][n] for n in month_numbers}

    # exercise 3: the last numbered list of the article, checked against the lists table
    items = find_enumerations(raw)
    last = max(m.extra["list_id"] for m in items)
    titles = [m.extra["title"] for m in items if m.extra["list_id"] == last]
    table_titles = [r["item_ar"] for r in table("lists") if r["list_id"] == "challenges-003"]
    assert titles == table_titles

    # exercise 4: the direct quotation of the table that find_quotes finds without a speaker
    quotes = find_quotes(raw)
    speakerless = []
    for r in table("quotes"):
        if r["article_id"] != "003" or r["mode"] != "direct":
            continue
        s = int(r["evidence_start"])
        e = s + len(r["evidence"])
        assert raw[s:e] == r["evidence"]
        hits = [q for q in quotes if q.start < e and s < q.end]
        if hits and all(q.extra["speaker"] is None for q in hits):
            speakerless.append(r["id"])
    assert len(speakerless) == 1

    # exercise 5: events of 003 whose period starts after the publication date
    def period_start(iso: str) -> date:
        parts = [int(p) for p in iso.split("-")]
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    pub = date.fromisoformat(published)
    ahead = [r for r in table("events") if r["article_id"] == "003" and period_start(r["date"]) > pub]
    assert {r["date_qualifier"] for r in ahead} <= {"planned", "by (deadline)", "end of (deadline)"}

    return {
        1: len(no_year),
        2: twins,
        3: titles,
        4: speakerless[0],
        5: len(ahead),
    }


SOLUTIONS = {
    1: 'answer_1 = int(dates["value"].str.startswith("XXXX").sum())',
    2: ("_g, _l = {}, {}\n"
        "for _name, (_n, _sys) in MONTHS.items():\n"
        "    (_g if _sys == 'gregorian' else _l).setdefault(_n, _name)\n"
        "answer_2 = {_g[int(n)]: _l[int(n)] for n in dates['month'].dropna().unique()}"),
    3: 'answer_3 = items[items["list_id"] == items["list_id"].max()]["title"].tolist()',
    4: ("answer_4 = [r.id for r in direct.itertuples() if quotes_found[(quotes_found['start'] < "
        "r.evidence_start + len(r.evidence)) & (r.evidence_start < quotes_found['end'])]"
        "['speaker'].isna().all()][0]"),
    5: 'answer_5 = sum(parse_date(d).start > pd.Timestamp(art.published) for d in ev3["date"])',
}


# ---------------------------------------------------------------------------------------------
# stored form and content



def test_answer_keys_match_the_text_and_tables():
    from arabtexts.grading import answer_hash

    calls = check_calls()
    expected = expected_answers()
    assert sorted(calls) == sorted(expected) == [1, 2, 3, 4, 5]
    for n, value in expected.items():
        key, ordered = calls[n]
        assert answer_hash(value, ordered=ordered) == key, f"exercise {n}: key does not match {value!r}"
    assert calls[3][1], "the challenges are checked in printed order"


def test_exercises_are_worth_asking():
    exp = expected_answers()
    assert exp[1] > 0  # some dates keep no year even with a reference
    assert len(exp[2]) >= 4 and all(g != l for g, l in exp[2].items())
    assert len(exp[3]) == 3
    assert exp[5] > 0
    src = source_text()
    for n in exp:
        assert f"answer_{n} = None" in src
        if not isinstance(exp[n], int):
            assert repr(exp[n]) not in src.replace(f"answer_{n}", "")
    assert exp[4] not in src  # the id of the quotation is found, not printed


def test_bilingual_parts_assignment_ticker_and_sources():
    src = source_text()
    assert src.count('<div dir="rtl" lang="ar">') >= 3
    assert "أهداف" in src and "الخلاصة" in src and "objectives" in src.lower()
    assert "assignment **02**" in src and "assignments/source/02-strategic-dialogue" in src
    assert "ticker" in src and "ticker_author" in src and "body_start" in src
    for field in ("art.author_ar", "art.title_ar", "art.outlet_ar", "art.published"):
        assert field in src
    for api in ("find_dates(", "MONTHS", "find_enumerations(", "find_quotes(", "matches_frame(",
                "timeline(", "ArticleReader(", "EntityHighlighter(", "TimelineExplorer(",
                'load_table("lists")', 'load_table("quotes")', 'load_table("events")'):
        assert api in src, api
    assert "arabic_reshaper" not in src and "bidi" not in src
    assert "open(" not in src and "to_csv" not in src and "savefig" not in src


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
    assert text.count("no answer yet") == 5 and "✓" not in text
    assert any("image/png" in o.get("data", {}) for o in outs), "the timeline is drawn"
    widgets = [o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 3  # reader, entity highlighter, timeline explorer


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
