"""Tests of the PDF-damage repairer on the real texts, and of its labelled gold set.

Gold set (``data/repair_gold.csv``): broken spots of 000, 001 and 004 labelled by reading the
raw lines, plus hard negatives (a real word at a line end that must stay as it is).

* recall = gold positives whose correct word appears as a token of the repaired text made
  from that raw line / gold positives;
* precision = rejoined words (``kind="join"`` fixes) in ALL of 000, 001 and 004 that equal
  the gold correct word of their raw line / all rejoined words. A join on a line the gold set
  does not cover counts as wrong, so this is the strict reading.

Words are compared without tatweel, diacritics and edge punctuation, with alef/yaa/taa
folded (``repair._bare``). The floors sit just under the values measured when the gold set
was built (see ``data/clean/README.md``).
"""
from __future__ import annotations

import csv

import pytest

from arabtexts import repair as R
from arabtexts.corpus import ARTICLE_IDS, get_article
from arabtexts.paths import data_dir

PDF_IDS = ("000", "001", "004")
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.97


@pytest.fixture(scope="module")
def repaired():
    return {a: R.repair_article(a) for a in ARTICLE_IDS}


@pytest.fixture(scope="module")
def gold():
    with open(data_dir() / "repair_gold.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _region(rep: R.Repaired, start: int, end: int) -> str:
    idx = [i for i, o in enumerate(rep.offsets[:-1]) if start <= o < end]
    return rep.text[min(idx) : max(idx) + 1] if idx else ""


def _is_negative(row) -> bool:
    return row["note"].startswith("negative")


# ------------------------------------------------------------------ gold set


def test_gold_set_size_and_columns(gold):
    assert set(gold[0]) == {
        "article_id", "raw_line_no", "fragment", "context_as_printed", "correct_word",
        "raw_offset", "note",
    }
    positives = [g for g in gold if not _is_negative(g)]
    assert len(positives) >= 60
    assert sum(map(_is_negative, gold)) >= 5
    assert {g["article_id"] for g in gold} == set(PDF_IDS)


def test_gold_contexts_occur_at_their_offsets(gold):
    for g in gold:
        raw = get_article(g["article_id"]).text
        s = int(g["raw_offset"])
        ctx = g["context_as_printed"]
        assert raw[s : s + len(ctx)] == ctx, g
        assert raw.split("\n")[int(g["raw_line_no"])] == ctx
        assert g["fragment"] in ctx


def _recall(repaired, gold):
    hits = 0
    positives = [g for g in gold if not _is_negative(g)]
    for g in positives:
        rep = repaired[g["article_id"]]
        s = int(g["raw_offset"])
        toks = {R._bare(t) for t in _region(rep, s, s + len(g["context_as_printed"])).split()}
        hits += R._bare(g["correct_word"]) in toks
    return hits / len(positives)


def _precision(repaired, gold):
    wanted = {
        (g["article_id"], int(g["raw_line_no"]), R._bare(g["correct_word"]))
        for g in gold
        if not _is_negative(g)
    }
    joins = [(a, f) for a in PDF_IDS for f in repaired[a].fixes if f.kind == "join"]
    good = sum((a, f.line_no, R._bare(f.word)) in wanted for a, f in joins)
    return good / len(joins), len(joins)


def test_recall_against_gold(repaired, gold):
    assert _recall(repaired, gold) >= RECALL_FLOOR


def test_precision_against_gold(repaired, gold):
    precision, n = _precision(repaired, gold)
    assert n >= 60
    assert precision >= PRECISION_FLOOR


def test_hard_negatives_stay_words(repaired, gold):
    for g in filter(_is_negative, gold):
        rep = repaired[g["article_id"]]
        s = int(g["raw_offset"])
        toks = {R._bare(t) for t in _region(rep, s, s + len(g["context_as_printed"])).split()}
        assert R._bare(g["correct_word"]) in toks, g


# ------------------------------------------------------------------ real text


def test_brief_example_in_000(repaired):
    assert "وزيارات عديدة شهدتها العاصمة بغداد." in repaired["000"].text
    assert "يارات عديدة شهدتها العاصمة بغداد. وز" not in repaired["000"].text


def test_title_of_001(repaired):
    first = repaired["001"].text.split("\n")[0]
    assert first == "زيارة الكاظمي لواشنطن.. ماذا ينتظر من الولايات المتحدة؟"


def test_title_of_004_segment_order(repaired):
    first = repaired["004"].text.split("\n")[0]
    assert first.endswith("إلى أين تتجه العلاقات الأمريكية العراقية؟")


def test_akthar_in_001(repaired):
    assert "أكثر فاعلية في الساحة العراقية" in repaired["001"].text
    assert "لدور أمريكي أ\n" not in repaired["001"].text


def test_reversed_letter_chain(repaired):
    # «… ترامــب في ي ز» + «ــارة»: two cut letters in reverse order
    assert "عـبر زيــارة الكــاظمي لــواشنطن" in repaired["001"].text


def test_three_chunk_line_restored(repaired):
    assert "لتكــرار ســيناريو الانســحاب مــرة أخرى، كمــا فعــل الرئيــس الأمريــكي الســابق بــاراك أوباما" in repaired["001"].text


def test_four_chunk_line_restored(repaired):
    assert "كمـــا تبنـــت عمليـــة تـــوفير الحمايـــة لكـــل البعثـــات الدبلوماسية" in repaired["004"].text


def test_sentence_end_marks_rotation_point(repaired):
    assert "بدليل ما يحدث في سوريا واليمن ولبنان والعراق." in repaired["004"].text
    assert "بوجه زيارة الكاظمي لواشنطن." in repaired["001"].text


def test_offsets_map_back(repaired):
    for a in PDF_IDS:
        rep = repaired[a]
        assert len(rep.offsets) == len(rep.text) + 1
        assert rep.offsets[-1] == len(rep.source)
        for i, ch in enumerate(rep.text):
            if not ch.isspace():
                assert rep.source[rep.offsets[i]] == ch  # every printed character is real
    rep = repaired["000"]
    i = rep.text.index("وزيارات")
    s, e = rep.raw_span(i, i + len("وزيارات"))
    assert rep.source[s : e].startswith("يارات") and rep.source[s : e].endswith("وز")


def test_join_fix_records(repaired):
    fixes = [f for f in repaired["000"].fixes if f.kind == "join" and f.word == "وزيارات"]
    assert len(fixes) == 1
    f = fixes[0]
    assert f.before == repaired["000"].source[f.start : f.end]
    assert f.before == "يارات عديدة شهدتها العاصمة بغداد. وز"
    assert f.after == "وزيارات عديدة شهدتها العاصمة بغداد."
    assert R.repairs(get_article("000").text) == list(repaired["000"].fixes)


def test_page_break_noise_dropped(repaired):
    text = repaired["000"].text
    assert "\n\n\n" not in text
    assert "كالقاهرة وعمّان والدوحة وأبوظبي والكويت" in text  # a paragraph across a page break
    assert any(f.kind == "noise" for f in repaired["000"].fixes)


def test_paragraphs_and_headings(repaired):
    paras = repaired["004"].text.split("\n\n")
    assert "استفتاء إلكتروني" in paras
    assert "موقف البنتاغون" in paras
    assert any(p.endswith("وجود أي خطط حاليّة للانسحاب من العراق.") for p in paras)


def test_tatweel_and_lost_digit_gaps_kept(repaired):
    text = repaired["000"].text
    assert "ــ" in text
    assert "خلال عــام ، تحــولات" in text
    assert "في  مـــــارس/" in text


@pytest.mark.parametrize("aid", ["002", "003"])
def test_clean_texts_untouched(repaired, aid):
    rep = repaired[aid]
    assert rep.text == rep.source
    assert rep.fixes == ()


def test_idempotent_on_clean_layer(repaired):
    for a in PDF_IDS:
        once = repaired[a].text
        assert R.repair_text(once).text == once  # the clean layer is no longer hard-wrapped


def test_empty_and_type():
    assert R.repair_text("").text == ""
    assert R.repair_text("").offsets == (0,)
    assert R.find_lost_digits("") == []
    assert R.annotate_lost_digits("") == ""
    with pytest.raises(TypeError):
        R.repair_text(None)


# ------------------------------------------------------------------ lost digits


def test_lost_digits_found(repaired):
    text = repaired["000"].text
    spots = R.find_lost_digits(text)
    contexts = " ".join(c for _, _, c in spots)
    assert "خلال عــام ، تحــولات" in contexts
    assert len(spots) >= 25
    assert R.find_lost_digits(repaired["002"].text) == []
    assert R.find_lost_digits(repaired["003"].text) == []


def test_annotation_marks_visibly(repaired):
    ann = R.annotate_lost_digits(repaired["000"].text)
    assert f"خلال عــام {R.MARKER}، تحــولات" in ann
    assert f"في {R.MARKER} مـــــارس/" in ann
    dateline = R.annotate_lost_digits(repaired["001"].text).split("\n\n")[1]
    assert dateline == f", {R.MARKER} أغسطس {R.MARKER} | كتبه فراس إلياس"
    # nothing but markers (and their spacing) is added
    assert ann.replace(R.MARKER, "").split() == repaired["000"].text.split()


# ------------------------------------------------------------------ layers on disk


def test_committed_layers_match_regeneration():
    built = R.build_layers()
    assert len(built) == 5
    for name, (clean, annotated) in built.items():
        assert (data_dir() / "clean" / name).read_bytes() == clean.encode("utf-8"), name
        assert (data_dir() / "clean" / "annotated" / name).read_bytes() == annotated.encode(
            "utf-8"
        ), name


def test_corpus_reads_layers():
    art = get_article("001")
    assert art.clean.startswith("زيارة الكاظمي لواشنطن")
    assert R.MARKER in art.annotated


def test_a_page_break_inside_a_sentence_keeps_the_paragraph():
    """000 prints «… وتنمية القدرات في مجال البيانات», a blank line, then the sentence's rest
    («المتعلقــة بــالمرأة …», rotated). The full line with no sentence end cannot close a
    paragraph, so the blank line is bridged and the rotated line is read after its real
    neighbour, not as a paragraph start."""
    from arabtexts import repair as R

    raw = get_article("000").text
    lines = raw.split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.rstrip().endswith("في مجال البيانات"))
    assert lines[i + 1].strip() == "" and lines[i + 2].strip()
    assert R._runs_on(lines[i]) and not R._ends_paragraph(lines[i])
    clean = R.repair_text(raw).text
    assert "في مجال البيانات المتعلقــة بــالمرأة في القطــاعَين" in clean
    # a short last line or a line holding a sentence end still closes its paragraph
    assert not R._runs_on("أوباما عندما كان بايدن نائبًا له.")
    assert not R._runs_on("يارات عديدة شهدتها العاصمة بغداد. وز " * 3)
