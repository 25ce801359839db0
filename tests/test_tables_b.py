"""Tests for the evidence-backed tables of part B: events, figures, lists, references, lost_digits.

Every row must point at its exact place in the raw text; the spot checks pin real facts of the
texts, so a wrong row fails here before it becomes a wrong answer key.
"""
from __future__ import annotations

import calendar
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arabtexts.corpus import get_article
from arabtexts.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TABLES = ["events", "figures", "lists", "references", "lost_digits"]
DIGITLESS = {"000", "001", "004"}  # texts whose digits were all dropped by the PDF extraction


def load(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {i: get_article(i).text for i in ["000", "001", "002", "003", "004"]}


def _digits(s: str) -> str:
    return normalize(s).replace(",", "").replace("٬", "")


def _in(needle: str, hay: str) -> bool:
    """Containment after normalisation (tatweel, diacritics, alef) and white-space folding."""
    f = lambda x: " ".join(normalize(x).lower().split())  # noqa: E731
    return f(needle) in f(hay)


# --------------------------------------------------------------------------- all tables
@pytest.mark.parametrize("name", TABLES)
def test_evidence_verifies_at_offset(name, texts):
    rows = load(name)
    assert rows, name
    for r in rows:
        t = texts[r["article_id"]]
        s = int(r["evidence_start"])
        assert r["evidence"], r["id"]
        assert t[s:s + len(r["evidence"])] == r["evidence"], (name, r["id"])


@pytest.mark.parametrize("name", TABLES)
def test_ids_unique_and_columns(name):
    rows = load(name)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), name
    for col in ("article_id", "evidence", "evidence_start"):
        assert all(r[col] != "" for r in rows), (name, col)


# --------------------------------------------------------------------------- events
DATE = re.compile(r"^(?P<y>\d{4}|XXXX)(?:-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>\d{2}))?)?$")


def test_event_dates_are_iso_or_partial_iso():
    for r in load("events"):
        m = DATE.match(r["date"])
        assert m, (r["id"], r["date"])
        if m["d"]:
            year = 2000 if m["y"] == "XXXX" else int(m["y"])
            assert 1 <= int(m["d"]) <= calendar.monthrange(year, int(m["m"]))[1], r["id"]
        if m["y"] == "XXXX":
            # only texts that lost their digits may have a lost year, and the note must say so
            assert r["article_id"] in DIGITLESS, r["id"]
            assert r["note"], r["id"]


def test_event_date_as_printed_inside_evidence_and_consistent():
    for r in load("events"):
        dp = r["date_as_printed"]
        if not dp:
            assert "ndated" in r["note"] or "no date" in r["note"], r["id"]
            continue
        assert dp in r["evidence"], r["id"]
        years = re.findall(r"(?<!\d)(\d{4})(?!\d)", dp)
        if years:  # a printed year must be the start year of the ISO date
            assert r["date"].startswith(years[0]), (r["id"], dp, r["date"])
        day = re.match(r"^(\d{1,2})\s", dp)
        if day and r["date"].count("-") == 2:
            assert int(r["date"][-2:]) == int(day.group(1)), r["id"]


def test_event_keys_merge_the_dialogue_rounds():
    rows = load("events")
    by_key = {}
    for r in rows:
        by_key.setdefault(r["event_key"], set()).add(r["article_id"])
    for k in ("dialogue-round-1", "dialogue-round-2", "dialogue-round-3", "dialogue-round-4"):
        assert {"002", "003"} <= by_key[k], k
    assert {"002", "003", "000"} <= by_key["combat-mission-end-2021"]


def test_spot_003_round_dates():
    got = {(r["event_key"], r["date"]) for r in load("events") if r["article_id"] == "003"}
    assert ("dialogue-round-1", "2020-06-11") in got
    assert ("dialogue-round-2", "2020-08-19") in got
    assert ("dialogue-round-3", "2021-04-07") in got
    assert ("combat-mission-end-2021", "2021-12-31") in got
    r1 = next(r for r in load("events") if r["article_id"] == "003" and r["event_key"] == "dialogue-round-1")
    assert "افتراضياً" in r1["evidence"] and r1["date_as_printed"] == "11 يونيو 2020"
    r2 = next(r for r in load("events") if r["article_id"] == "003" and r["event_key"] == "dialogue-round-2"
              and r["date"] == "2020-08-19")
    assert "واشنطن" in r2["evidence"]


def test_spot_paper_dated_events():
    got = {(r["event_key"], r["date"], r["date_as_printed"]) for r in load("events") if r["article_id"] == "002"}
    assert ("unsc-1956-2010-12-15", "2010-12-15", "15 كانون الأول 2010") in got
    assert ("dfi-arrangements-end-2011-06-30", "2011-06-30", "30 حزيران 2011") in got
    assert ("executive-order-renewal-2025-05", "2025-05", "أيار 2025") in got
    assert ("dialogue-round-4", "2021-07-26", "26 تموز 2021") in got
    assert ("parliament-vote-2020-01-05", "2020-01-05", "5 كانون الثاني 2020") in got


# --------------------------------------------------------------------------- figures
WORD_NUMBERS = {"أربع": 4, "الخمس": 5, "ثالث": 3}


def test_figures_value_matches_printed():
    for r in load("figures"):
        float(r["value"])
        vp = r["value_as_printed"]
        assert vp and vp in r["evidence"], r["id"]
        if vp in WORD_NUMBERS:
            assert float(r["value"]) == WORD_NUMBERS[vp], r["id"]
            continue
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", _digits(vp))]
        assert float(r["value"]) == nums[0], (r["id"], vp)
        if r["value_max"]:
            assert float(r["value_max"]) == nums[-1], r["id"]
        if r["year"]:
            for y in re.findall(r"\d{4}", r["year"]):
                assert y in r["evidence"] or r["figure_key"] == "years-since-us-entry", (r["id"], y)


def test_spot_both_2020_troop_readings_kept():
    rows = [r for r in load("figures") if r["figure_key"] == "us-troops-2020"]
    values = sorted(float(r["value"]) for r in rows)
    assert values == [2500.0, 5000.0]
    assert all(r["article_id"] == "002" and r["year"] == "2020" for r in rows)
    assert all("two ways" in r["note"] for r in rows)
    ev = {float(r["value"]): r["evidence"] for r in rows}
    assert "نهاية عام 2020" in ev[2500.0] and "2,500" in ev[2500.0]
    assert "حتى عام 2020" in ev[5000.0] and "5,000" in ev[5000.0]


def test_spot_troop_series_describing_the_lost_figure():
    got = {(r["year"], float(r["value"])) for r in load("figures") if r["unit"] == "troops"}
    for pair in [("2014", 1500), ("2015", 4000), ("2016", 5200), ("2021", 2500), ("2015-2017", 5200)]:
        assert pair in got, pair


def test_spot_003_figure():
    r = next(r for r in load("figures") if r["article_id"] == "003")
    assert float(r["value"]) == 18 and r["qualifier"] == "more than" and "أكثر من 18 عاماً" in r["evidence"]


# --------------------------------------------------------------------------- lists
def _list(list_id):
    return sorted((r for r in load("lists") if r["list_id"] == list_id), key=lambda r: int(r["item_no"]))


def test_list_items_in_evidence_and_numbered():
    groups = {}
    for r in load("lists"):
        a = json.loads(r["attributes"]) if r["attributes"] else {}
        if not a.get("item_ar_repaired"):
            assert _in(r["item_ar"], r["evidence"]), r["id"]
        assert r["item_en"], r["id"]
        groups.setdefault(r["list_id"], []).append(int(r["item_no"]))
    for lid, nos in groups.items():
        assert sorted(nos) == list(range(1, len(nos) + 1)), lid


def test_spot_003_five_understandings_three_challenges():
    u = _list("understandings-003")
    assert [r["item_ar"] for r in u] == [
        "تحويل وضع القوات الأمريكية", "إقامة شراكة سياسية طويلة الأمد", "تعزيز استقلال العراق عن طهران",
        "عدم تحول العراق إلى قاعدة لتهديد المنطقة", "دعم إجراء الانتخابات العراقية"]
    c = _list("challenges-003")
    assert [r["item_ar"] for r in c] == [
        "مدى استجابة إيران لطلبات الكاظمي", "موقف ميليشيات طهران", "قدرة بغداد على تأمين الوجود الأمريكي"]
    for r in u + c:
        assert r["evidence"].startswith(f"{r['item_no']}- "), r["id"]


def test_spot_000_initiative_months():
    rows = _list("regional-initiatives-000")
    assert [json.loads(r["attributes"])["month"] for r in rows] == [1, 2, 5, 8, 11]


def test_spot_paper_table_and_favoured_scenario(texts):
    rounds = _list("dialogue-rounds-002")
    assert [json.loads(r["attributes"])["date"] for r in rounds] == ["2020-06-11", "2020-08-19", "2021-04-07", "2021-07-26"]
    sc = _list("scenarios-002")
    assert [r["item_ar"] for r in sc] == ["احتمال الشراكة المستقرة", "احتمال التراجع", "احتمال الاستمرار"]
    fav = [r for r in sc if json.loads(r["attributes"]).get("favoured")]
    assert [r["item_ar"] for r in fav] == ["احتمال الاستمرار"]
    a = json.loads(fav[0]["attributes"])
    s = a["favoured_evidence_start"]
    assert texts["002"][s:s + len(a["favoured_evidence"])] == a["favoured_evidence"]
    assert "ترجيح احتمال الاستمرار" in a["favoured_evidence"]
    assert len(_list("conclusions-002")) == 5
    assert len(_list("recommendations-political-002")) == 5
    assert len(_list("recommendations-academic-002")) == 6


# --------------------------------------------------------------------------- lost digits
def test_lost_digits_rows(texts):
    for r in load("lost_digits"):
        assert r["article_id"] in DIGITLESS, r["id"]
        assert not re.search(r"\d", r["evidence"]), r["id"]
        assert r["missing"], r["id"]
        assert r["outside_knowledge"], r["id"]
        if r["recovered_value"] == "unknown":
            assert not r["recovered_evidence"] and not r["recovered_from_article"], r["id"]
            continue
        src = r["recovered_from_article"]
        assert src and src != r["article_id"], r["id"]
        s = int(r["recovered_evidence_start"])
        assert texts[src][s:s + len(r["recovered_evidence"])] == r["recovered_evidence"], r["id"]
        assert r["recovered_value"] in _digits(r["recovered_evidence"]), r["id"]


def test_lost_digits_cover_the_telltale_patterns(texts):
    """Every double space between words and every «عام» before a comma in 000/001/004 is either a
    lost_digits row or in the short list of checked layout artefacts below."""
    artefacts = {("001", "لواشنطن.   عدد")}  # RTL line breaking, no number lost (read in full)
    spans = {}
    for r in load("lost_digits"):
        s = int(r["evidence_start"])
        spans.setdefault(r["article_id"], []).append((s, s + len(r["evidence"])))
    for aid in sorted(DIGITLESS):
        t = texts[aid]
        ok_art = [t.find(a) for (x, a) in artefacts if x == aid]
        for m in re.finditer(r"(?<=\S)[ \t]{2,}(?=\S)|(?<!\S)(?:عام|لعام)[ \t]*،", t.replace("ـ", "\x00")):
            pos = m.start()
            if any(s <= pos < e for s, e in spans.get(aid, [])):
                continue
            if any(0 <= a <= pos < a + 20 for a in ok_art):
                continue
            pytest.fail(f"{aid}@{pos}: {t[max(0, pos - 30):pos + 20]!r} is neither a lost_digits row nor a known artefact")


def test_spot_lost_digits():
    rows = load("lost_digits")
    by = {(r["article_id"], r["evidence_start"]): r for r in rows}
    assert any(r["article_id"] == "001" and r["evidence"] == ", أغسطس  |" and r["missing"] == "day+year" for r in rows)
    assert any(r["article_id"] == "004" and r["evidence"] == ", يناير  |" for r in rows)
    troops = next(r for r in rows if "جندي" in r["evidence"])
    assert troops["recovered_value"] == "2500" and troops["recovered_from_article"] == "002"
    kad = next(r for r in rows if "مايو" in r["evidence"])
    assert kad["recovered_value"] == "2020"
    assert len(by) == len(rows)


# --------------------------------------------------------------------------- references
def test_references_footnote_numbers():
    fn = [int(r["number"]) for r in load("references") if r["section"] == "footnote"]
    assert fn == list(range(1, 40)) + list(range(44, 63))  # 40–43 were lost with part of a section


def test_references_fields():
    rows = load("references")
    numbers = {r["number"] for r in rows if r["section"] == "footnote"}
    for r in rows:
        assert r["language"] in {"ar", "en"} and r["article_id"] == "002", r["id"]
        assert r["kind"], r["id"]
        if r["year"]:
            assert r["year"] in r["evidence"], r["id"]
        if r["refers_to"]:
            assert r["refers_to"] in numbers and int(r["refers_to"]) < int(r["number"]), r["id"]
        if r["kind"] != "cross-reference" and r["title"]:
            assert _in(r["title"].split(":")[0][:30], r["evidence"].replace("\\$", "$")), r["id"]
    bib = [r for r in rows if r["section"] == "bibliography"]
    assert [len([r for r in bib if r["subsection"] == s]) for s in ("ar-research", "ar-web", "foreign")] == [10, 2, 34]


def test_references_csv_is_rebuilt_by_the_script():
    rc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_references.py"), "--check"]).returncode
    assert rc == 0, "data/references.csv differs from `python scripts/build_references.py`"


# --------------------------------------------------------------------------- completeness
# Digit runs in 002/003 that are deliberately NOT rows, each rule with its exact number of matches.
EXCLUDED = [
    ("002", r"(?:منذ|بعد)\s+(?:عام\s+)?(?:2021|2003)|[Ss]ince 2021", 44, "framing periods 'since/after 2021|2003' (title, headings, aims)"),
    ("002", r"(?m)^\s*\d\.\s", 79, "item numbers of enumerations"),
    ("002", r"(?:جدول|شكل) رقم \(1\)", 5, "table and figure numbers"),
    ("002", r"\(4[4-8]\)", 10, "footnote markers printed with ASCII digits"),
    ("002", r"(?:من عام|ما بين عامي) \(2014 – 2021\)|خلال الفترة من 2014 إلى 2021", 3, "period covered by the lost figure"),
    ("002", r"بين عامي 2020 و 2021", 2, "period of the dialogue rounds (rounds are events)"),
    ("002", r"تحولات عام 2021|الانسحاب الأمريكي عام 2021|في عام 2025، ويستند", 3, "years used as reference points in framing/assessment"),
    ("002", r"اتفاقية عام 2008", 1, "repeat mention of the 2008 SFA (event sfa-2008)"),
    ("003", r"30 يوليو، 2021", 1, "publication date (data/articles.csv)"),
]


def test_every_digit_in_002_and_003_is_accounted_for(texts):
    spans = {"002": [], "003": []}
    fields = {"references": None, "figures": ["value_as_printed", "year", "measures"],
              "events": ["date_as_printed", "event_ar"], "lists": ["item_no", "item_ar", "attributes"]}
    for name, cols in fields.items():
        for r in load(name):
            if r["article_id"] in spans:
                s = int(r["evidence_start"])
                spans[r["article_id"]].append((s, s + len(r["evidence"]), None if cols is None else " ".join(r[c] for c in cols)))
    for aid, rx, n, why in EXCLUDED:
        ms = list(re.finditer(rx, texts[aid]))
        assert len(ms) == n, (rx, len(ms))
        spans[aid].extend((m.start(), m.end(), None) for m in ms)
    missing = []
    for aid in spans:
        t = texts[aid]
        for m in re.finditer(r"\d(?:[\d,.]*\d)?", t):
            run = m.group().replace(",", "")
            if not any(s <= m.start() and m.end() <= e and (f is None or run in f.replace(",", ""))
                       for s, e, f in spans[aid]):
                missing.append((aid, m.start(), t[max(0, m.start() - 30):m.end() + 10]))
    assert not missing, missing[:10]
