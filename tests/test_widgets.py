"""The notebook widgets: set controls from Python, check what they show.

No browser is needed: every tool keeps its logic in plain methods (``lines()``, ``table()``,
``render()``) and re-renders its HTML children whenever a control changes.
"""
from __future__ import annotations

import re
from html import escape as html_escape

import pandas as pd
import pytest

from arabtexts import widgets as wmod
from arabtexts.corpus import ARTICLE_IDS, get_article
from arabtexts.normalize import find_normalized, normalize
from arabtexts.paths import data_dir
from arabtexts.widgets import (
    ArticleReader,
    CompareTexts,
    ConcordanceExplorer,
    EntityHighlighter,
    FigureExplorer,
    TimelineExplorer,
)

RTL = '<div dir="rtl" lang="ar"'


def classes(w) -> tuple[str, ...]:
    return tuple(w._dom_classes)


def all_classes(w) -> set[str]:
    """CSS classes of a widget and all its descendants."""
    out = set(classes(w))
    for child in getattr(w, "children", ()):
        out |= all_classes(child)
    return out


def marks(html_text: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html_text, flags=re.S)


def has_table(name: str) -> bool:
    return (data_dir() / f"{name}.csv").exists()


# ---------------------------------------------------------------------------------------------
# helpers


def test_highlight_escapes_text_and_marks_spans():
    text = "قال <script>alert(1)</script> & الســياسة"
    s = text.index("الســياسة")
    out = wmod.highlight(text, [(s, s + len("الســياسة"))])
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert marks(out) == ["الســياسة"]


def test_highlight_drops_overlapping_spans():
    out = wmod.highlight("ابجدهوز", [(0, 4), (2, 6), (5, 7)])
    assert marks(out) == ["ابجد", "وز"]


def test_rtl_wrapper_and_message():
    assert wmod.rtl("x").startswith(RTL)
    m = wmod.message("a <b>", "عربي")
    assert "a &lt;b&gt;" in m and 'dir="rtl"' in m


def test_tools_display_themselves():
    tool = ConcordanceExplorer()
    bundle = tool._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


# ---------------------------------------------------------------------------------------------
# ArticleReader


def test_reader_classes_and_rtl_text():
    r = ArticleReader()
    assert "arabtexts-reader" in classes(r.widget)
    for part in ("article", "layer", "search", "meta", "text", "status"):
        assert f"arabtexts-reader-{part}" in all_classes(r.widget), part
    assert r.article.value == "001"
    assert r.text.value.startswith(RTL)
    assert "white-space:pre-wrap" in r.text.value
    assert "فراس إلياس" in r.meta.value  # the author of 001


def test_reader_switches_article_and_shows_metadata():
    r = ArticleReader()
    before = r.text.value
    r.article.value = "004"
    assert r.text.value != before
    assert "طه العاني" in r.meta.value
    assert "2024-01" in r.meta.value


def test_reader_normalised_search_finds_tatweel_spellings():
    r = ArticleReader("000")
    r.search.value = "السياسة"
    spans = r.matches()
    raw = get_article("000").text
    assert spans == find_normalized(raw, "السياسة")
    hits = [raw[s:e] for s, e in spans]
    assert "الســياسة" in hits or any("\u0640" in h for h in hits)  # a tatweel spelling found
    assert all(normalize(h) == "السياسة" for h in hits)
    assert len(marks(r.text.value)) == len(spans)
    assert f"{len(spans)} matches" in r.status.value


def test_reader_search_update_per_keystroke_and_clear():
    r = ArticleReader("001")
    r.search.value = "الكاظمي"
    n = len(marks(r.text.value))
    assert n == len(find_normalized(get_article("001").text, "الكاظمي")) > 0
    r.search.value = ""
    assert marks(r.text.value) == []
    assert r.status.value == ""


def test_reader_escapes_html_in_the_text():
    r = ArticleReader("002")  # its references contain <https://...> links
    assert "<https://" in get_article("002").text
    assert "<https://" not in r.text.value
    assert "&lt;https://" in r.text.value


def test_reader_layer_falls_back_to_raw_when_not_built():
    r = ArticleReader("001")
    r.layer.value = "clean"
    art = get_article("001")
    try:
        clean = art.clean
    except FileNotFoundError:
        assert r.current_layer() == "raw"
        assert r.current_text() == art.text
        assert "has not been built" in r.status.value
    else:
        assert r.current_layer() == "clean"
        assert r.current_text() == clean


# ---------------------------------------------------------------------------------------------
# ConcordanceExplorer


def test_concordance_classes():
    c = ConcordanceExplorer()
    assert "arabtexts-concordance" in classes(c.widget)
    got = all_classes(c.widget)
    for part in ("query", "width", "article", "results", "count", "per-article"):
        assert f"arabtexts-concordance-{part}" in got, part
    assert c.query.continuous_update is True


def test_concordance_lines_have_raw_spans():
    c = ConcordanceExplorer()
    assert c.count() == 0
    empty = c.results.value
    c.query.value = "الكاظمي"
    assert c.results.value != empty
    lines = c.lines()
    assert list(lines.columns) == ["article_id", "left", "keyword", "right", "start", "end"]
    expected = sum(len(find_normalized(get_article(a).body, "الكاظمي")) for a in ARTICLE_IDS)
    assert len(lines) == expected > 0
    for row in lines.itertuples():
        raw = get_article(row.article_id).text
        assert raw[row.start:row.end] == row.keyword
        assert normalize(row.keyword) == "الكاظمي"
    assert f">{expected}</b>" in c.summary.value
    assert c.results.value.startswith(RTL) or RTL in c.results.value
    assert marks(c.results.value) == [k for k in lines["keyword"]]


def test_concordance_per_article_counts_and_filter():
    c = ConcordanceExplorer("الكاظمي")
    counts = c.counts()
    assert list(counts.index) == list(ARTICLE_IDS)
    for aid in ARTICLE_IDS:
        assert counts[aid] == len(find_normalized(get_article(aid).body, "الكاظمي"))
    assert counts["004"] == 0  # listed with zero, not dropped
    c.article.value = "001"
    assert set(c.lines()["article_id"]) == {"001"}
    assert c.count() == counts["001"]
    assert list(c.counts().index) == ["001"]


def test_concordance_width_changes_context():
    c = ConcordanceExplorer("واشنطن", article="001", width=10)
    short = c.lines()
    c.width.value = 60
    long_ = c.lines()
    assert len(short) == len(long_)
    assert short["left"].str.len().max() <= 10
    assert long_["left"].str.len().max() > 10


def test_concordance_messages_and_escaping():
    c = ConcordanceExplorer()
    assert "Type a word" in c.results.value
    c.query.value = "<b>كلمة_غير_موجودة</b>"
    assert c.count() == 0
    assert "does not occur" in c.results.value
    assert "<b>كلمة" not in c.results.value and "&lt;b&gt;" in c.results.value


def test_concordance_tatweel_query_matches_plain_spelling():
    plain = ConcordanceExplorer("السياسة", article="000").count()
    assert plain == ConcordanceExplorer("الســياسة", article="000").count() > 0


# ---------------------------------------------------------------------------------------------
# EntityHighlighter

HAS_EXTRACT = wmod._optional_module("extract") is not None
ENTITY_TABLES = ("people", "organizations", "places")


def test_entities_classes_and_kinds_property():
    e = EntityHighlighter("004")
    assert "arabtexts-entities" in classes(e.widget)
    got = all_classes(e.widget)
    for part in ("article", "kinds", "legend", "counts", "text", "status"):
        assert f"arabtexts-entities-{part}" in got, part
    for k in EntityHighlighter.KINDS:
        assert f"arabtexts-entities-kind-{k}" in got
    e.kinds = ("date",)
    assert e.kinds == ("date",)
    assert e.kind_boxes["person"].value is False
    with pytest.raises(ValueError):
        e.kinds = ("weather",)
    assert e.text.value.startswith(RTL)


def test_entities_explain_what_is_missing():
    e = EntityHighlighter("004")
    if HAS_EXTRACT and all(has_table(t) for t in ENTITY_TABLES):
        assert e.status.value == ""
    else:
        assert "arabtexts-message" in e.status.value


@pytest.mark.skipif(not HAS_EXTRACT, reason="arabtexts.extract does not exist yet")
def test_entities_dates_and_numbers_from_extract():
    e = EntityHighlighter("002", kinds=("date", "number"))
    sp = e.spans()
    assert not sp.empty
    raw = get_article("002").text
    for row in sp.itertuples():
        assert raw[row.start:row.end] == row.text
    assert set(sp["kind"]) <= {"date", "number"}
    assert "arabtexts-ent-date" in e.text.value or "arabtexts-ent-number" in e.text.value
    c = e.counts(part="page")
    assert c["count"].sum() == len(sp)
    body = e.counts()  # footnotes and references of 002 are not counted
    inside = [all(get_body_mask("002")[row.start:row.end]) for row in sp.itertuples()]
    assert body["count"].sum() == sum(inside) < len(sp)
    e.kinds = ()
    assert e.spans().empty and marks(e.text.value) == []


@pytest.mark.skipif(not HAS_EXTRACT or not all(has_table(t) for t in ENTITY_TABLES),
                    reason="needs arabtexts.extract and data/people|organizations|places.csv")
def test_entities_people_from_gazetteer():
    e = EntityHighlighter("001", kinds=("person",))
    sp = e.spans()
    assert not sp.empty
    assert set(sp["kind"]) == {"person"}
    raw = get_article("001").text
    assert any("الكاظمي" in normalize(raw[s:t]) for s, t in zip(sp["start"], sp["end"]))
    assert "arabtexts-ent-person" in e.text.value
    assert "أشخاص" in e.legend.value
    counts = e.counts()
    assert "مصطفى الكاظمي" in set(counts["name"])  # Arabic names, not only ids
    assert e.counts(part="page")["count"].sum() == len(sp)
    mask = get_body_mask("001")  # the title block's names are highlighted, not counted
    assert counts["count"].sum() == sum(all(mask[s:t]) for s, t in zip(sp["start"], sp["end"]))
    assert "arabtexts-entities-table" in e.counts_html.value
    e.article.value = "004"
    assert set(e.spans()["start"]) != set(sp["start"])


# ---------------------------------------------------------------------------------------------
# TimelineExplorer


def test_timeline_classes_and_graceful_without_table():
    t = TimelineExplorer()
    assert "arabtexts-timeline" in classes(t.widget)
    got = all_classes(t.widget)
    for part in ("years", "article", "results", "chart", "status"):
        assert f"arabtexts-timeline-{part}" in got, part
    if not has_table("events"):
        assert "has not been written yet" in t.results.value
        assert t.table().empty


@pytest.mark.skipif(not has_table("events"), reason="data/events.csv does not exist yet")
def test_timeline_filters_by_year_and_article():
    t = TimelineExplorer()
    full = t.table()
    assert len(full) == len(t.events)  # all years, all texts, undated ones included
    assert "precision" in full.columns
    lo, hi = t.years.value
    t.include_undated.value = False
    dated = t.table()
    assert wmod._year_of(dated).notna().all()
    assert len(dated) == wmod._year_of(t.events).notna().sum()
    mid = (lo + hi) // 2
    t.years.value = (lo, mid)
    early = t.table()
    assert 0 < len(early) < len(dated)
    assert (wmod._year_of(early) <= mid).all()
    assert f">{len(early)}</b>" in t.status.value
    t.years.value = (lo, hi)
    t.article.value = "003"
    sub = t.table()
    assert len(sub) > 0 and set(sub["article_id"]) == {"003"}
    assert t.results.value.startswith(RTL)
    for row in sub.itertuples():  # every row is backed by its place in the raw text
        raw = get_article(row.article_id).text
        assert raw[row.evidence_start:row.evidence_start + len(row.evidence)] == row.evidence
        assert row.event_ar in t.results.value or html_escape(row.event_ar) in t.results.value


@pytest.mark.skipif(not has_table("events"), reason="data/events.csv does not exist yet")
def test_timeline_partial_dates_shown_as_such():
    t = TimelineExplorer(article="001")  # every digit of 001's dates was lost
    df = t.table()
    assert len(df) > 0
    lost = df[df["date"].str.startswith("XXXX")]
    assert (lost["precision"] == "year lost").all()
    assert "lost their year" in t.status.value
    assert t.dated().empty and t.chart.value == b""  # nothing can be drawn
    t.article.value = "003"
    assert t.chart.value[:4] == b"\x89PNG"
    month_only = t.table()[t.table()["date"].str.fullmatch(r"\d{4}-\d{2}")]
    assert (month_only["precision"] == "month").all()


def test_date_precision():
    assert wmod.date_precision("2020-08") == "month"
    assert wmod.date_precision("XXXX") == "year lost"
    assert wmod.date_precision("2021-07-30") == "day"


# ---------------------------------------------------------------------------------------------
# CompareTexts


def test_compare_classes_and_columns():
    c = CompareTexts("001", "004", top=10)
    assert "arabtexts-compare" in classes(c.widget)
    got = all_classes(c.widget)
    for part in ("left", "right", "top", "results", "shared"):
        assert f"arabtexts-compare-{part}" in got, part
    assert c.results.value.startswith(RTL)
    assert c.results.value.count("arabtexts-compare-column") == 2


def test_compare_distinctive_words_come_from_their_text():
    c = CompareTexts("001", "004", top=10)
    a, b = c.distinctive("001"), c.distinctive("004")
    assert len(a) == 10 and len(b) == 10
    assert set(a["word"]).isdisjoint(b["word"])
    art = get_article("001")   # the tool reads the repaired body (the raw one if not built)
    words_a = {normalize(w) for t in (art.text, art.clean) for w in re.findall(r"\w+", normalize(t))}
    assert set(a["word"]) <= words_a
    before = c.results.value
    c.right.value = "002"
    assert c.results.value != before


def test_compare_shared_words_occur_in_both():
    c = CompareTexts("003", "000", top=12)
    shared = c.shared()
    assert 0 < len(shared) <= 12
    assert (shared["count_a"] > 0).all() and (shared["count_b"] > 0).all()
    for w in shared["word"]:
        assert find_normalized(get_article("003").text, w)
        assert find_normalized(get_article("000").text, w)
        assert w in c.shared_html.value


def test_compare_same_text_twice_does_not_crash():
    c = CompareTexts("001", "001", top=5)
    assert len(c.distinctive("001")) == 5


# ---------------------------------------------------------------------------------------------
# FigureExplorer


def test_figures_classes_and_graceful_without_table():
    f = FigureExplorer()
    assert "arabtexts-figures" in classes(f.widget)
    got = all_classes(f.widget)
    for part in ("article", "unit", "results", "chart", "status"):
        assert f"arabtexts-figures-{part}" in got, part
    if not has_table("figures"):
        assert "has not been written yet" in f.results.value
        assert f.table().empty


@pytest.mark.skipif(not has_table("figures"), reason="data/figures.csv does not exist yet")
def test_figures_filter_by_article_and_unit():
    f = FigureExplorer()
    most_common = f.figures["unit"].value_counts().index[0]
    assert f.unit.value == most_common  # starts on the most common unit: a drawable chart
    assert set(f.table()["unit"]) == {most_common}
    assert f.chart.value[:4] == b"\x89PNG"
    assert len(f.bars()) == len(f.table())
    f.unit.value = wmod.ALL
    assert len(f.table()) == len(f.figures)
    assert f.bars().empty and "choose one unit" in f.status.value
    assert f.chart.value == b""
    f.article.value = "002"
    sub = f.table()
    assert len(sub) > 0 and set(sub["article_id"]) == {"002"}
    for row in sub.itertuples():
        raw = get_article(row.article_id).text
        assert raw[row.evidence_start:row.evidence_start + len(row.evidence)] == row.evidence
    assert f.results.value.startswith(RTL)
    f.article.value = "003"
    assert set(f.table()["article_id"]) <= {"003"}


# ---- issue 12: bodies, "N more", legible timeline, content words ------------------------------


def test_concordance_counts_bodies_and_shows_first_lines_then_n_more():
    from arabtexts.corpus import body_text

    c = ConcordanceExplorer("ا")                      # one letter: thousands of hits
    total = sum(len(find_normalized(body_text(a), "ا")) for a in ARTICLE_IDS)
    assert c.count() == total > 10 * c.SHOW
    assert marks(c.results.value).__len__() == c.SHOW
    assert "arabtexts-concordance-more" in c.results.value
    assert f"{total - c.SHOW} more" in c.results.value
    assert len(c.lines()) == total                    # .lines() gives them all
    # the ticker of 003 is not searched: «اتجاهات آسيوية» is only there
    c.query.value = "آسيوية"
    assert get_article("003").text.count("آسيوية") >= 1 and c.count() == 0
    # the clean layer: spans are clean offsets, the words are whole
    try:
        body_text("001", "clean")
    except RuntimeError as err:  # data/clean stale against the repair code: rebuild it
        pytest.skip(str(err))
    c = ConcordanceExplorer("زيارة", article="001", layer="clean")
    clean = get_article("001").clean
    assert c.count() > 0
    for row in c.lines().itertuples():
        assert clean[row.start:row.end] == row.keyword
    c.layer.value = "raw"
    assert c.count() < len(c.lines()) + 1             # raw: «زيارة» is broken over lines


def test_timeline_labels_never_overlap_and_cuts_are_marked():
    from arabtexts.widgets import shorten

    t = TimelineExplorer()                            # all texts: every dated event
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = t.figure()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    r = canvas.get_renderer()
    boxes = [x.get_window_extent(r) for x in ax.texts]
    assert len(boxes) == len(t.dated()) > 30
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    labels = [x.get_text() for x in ax.texts]
    full = set(t.dated()["event_ar"].map(lambda s: " ".join(str(s).split())))
    for lab in labels:
        assert lab in full or (lab.endswith("…") and any(f.startswith(lab[:-1]) for f in full))
        if lab.endswith("…"):                         # cut at a word boundary
            word = lab[:-1].split()[-1]
            assert any((" " + word + " ") in (" " + f + " ") for f in full if f.startswith(lab[:-1]))
    assert shorten("بغداد " * 20, 20).endswith("…") and len(shorten("بغداد " * 20, 20)) <= 21


def test_compare_texts_lists_content_words_only():
    c = CompareTexts("001", "004", top=15)
    for aid in ("001", "004"):
        words = list(c.distinctive(aid)["word"])
        assert len(words) == 15
        assert all(len(w) >= 3 and CompareTexts.content_word(w) for w in words)
        assert not {"عام", "مما", "والتي", "التي"} & set(words)
    shared = list(c.shared()["word"])
    assert shared and all(CompareTexts.content_word(w) for w in shared)


def get_body_mask(article_id: str) -> list[bool]:
    """Body characters of a raw text, rebuilt from the catalogue and page_parts.csv (no package)."""
    import csv

    from conftest import ROOT

    with open(ROOT / "data" / "articles.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == article_id)
    raw = get_article(article_id).text
    mask = [int(row["body_start"]) <= i < int(row["body_end"]) for i in range(len(raw))]
    with open(ROOT / "data" / "page_parts.csv", encoding="utf-8", newline="") as f:
        for p in csv.DictReader(f):
            if p["article_id"] == article_id:
                s = int(p["evidence_start"])
                mask[s:s + len(p["evidence"])] = [False] * len(p["evidence"])
    return mask


@pytest.mark.skipif(not HAS_EXTRACT, reason="arabtexts.extract does not exist yet")
def test_entity_counts_are_on_the_article_body_like_analysis():
    """004's byline names its author «طه العاني»: highlighted, but not a mention. The widget's
    body counts equal analysis.entity_counts for every person of 004."""
    from arabtexts.analysis import entity_counts

    e = EntityHighlighter("004", kinds=("person",))
    body, page = e.counts(), e.counts(part="page")
    assert body.attrs["part"] == "body" and page.attrs["part"] == "page"
    assert "taha_alani" in set(page["value"]) and "taha_alani" not in set(body["value"])
    table = entity_counts([get_article("004")], types=["person"])["004"]
    assert body.set_index("value")["count"].to_dict() == {k: v for k, v in table.items() if v}
    mask = get_body_mask("004")
    sp = e.spans()
    assert body["count"].sum() == sum(all(mask[s:t]) for s, t in zip(sp["start"], sp["end"]))
    assert "article body" in e.counts_html.value
    with pytest.raises(ValueError):
        e.counts(part="ticker")

