import csv
import hashlib

import pandas as pd
import pytest

from arabtexts.corpus import ARTICLE_IDS, UnknownArticleError, get_article, load_corpus
from conftest import ROOT, SEEDS


def _sums(path):
    out = {}
    for line in path.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def test_raw_files_match_checksum_file():
    sums = _sums(ROOT / "data" / "SHA256SUMS")
    assert len(sums) == 5
    for name, digest in sums.items():
        data = (ROOT / "data" / "raw" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_raw_files_are_the_seeds_byte_for_byte():
    if not (SEEDS / "SHA256SUMS").exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    seed_sums = _sums(SEEDS / "SHA256SUMS")
    ours = _sums(ROOT / "data" / "SHA256SUMS")
    with open(ROOT / "data" / "articles.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert ours[row["file"]] == seed_sums[row["original_file"]], row["id"]
            assert (ROOT / "data/raw" / row["file"]).read_bytes() == (SEEDS / row["original_file"]).read_bytes()


def test_load_corpus_is_a_dataframe_in_course_order():
    df = load_corpus()
    assert isinstance(df, pd.DataFrame)
    assert list(df["id"]) == list(ARTICLE_IDS) == ["001", "003", "000", "004", "002"]
    assert {"title_ar", "title_en", "author_ar", "published", "genre", "original_file", "text"} <= set(df.columns)
    # published is as precise as the text allows
    assert dict(zip(df["id"], df["published"])) == {
        "001": "2020-08", "003": "2021-07-30", "000": "2021-12", "004": "2024-01", "002": "2025"}
    # the 2021-12 review has lost every digit; the paper keeps them
    text = dict(zip(df["id"], df["text"]))
    assert not any(ch.isdigit() for ch in text["000"])
    assert "2,500" in text["002"]


def test_catalogue_facts_are_in_the_texts():
    # authors and the dated line of 003 are printed in the raw text
    assert "كتبه فراس إلياس" in get_article("001").text
    assert "كتبه طه العاني" in get_article("004").text
    assert "م.د. نور سبع خميس علي" in get_article("002").text
    assert "30 يوليو، 2021" in get_article("003").text
    assert "نون بوست" in get_article("004").text


def test_get_article_accepts_id_forms():
    a = get_article("003")
    assert a.id == "003" and a.meta["original_file"] == "003_312e9afe5603bd01.txt"
    assert get_article(3).id == "003"
    assert get_article("003_312e9afe5603bd01.txt").id == "003"
    assert get_article("2021-07-30_strategic-dialogue-round4").id == "003"


def test_unknown_id_lists_valid_ids():
    with pytest.raises(UnknownArticleError) as e:
        get_article("999")
    msg = str(e.value)
    for i in ARTICLE_IDS:
        assert i in msg
    assert "999" in msg


# ---- article bodies ----------------------------------------------------------------------

from arabtexts import corpus as C  # noqa: E402
from conftest import ROOT as _ROOT  # noqa: E402


def _rows(name):
    with open(_ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_page_parts_and_body_cover_every_page_exactly_once():
    """Outside [body_start, body_end) every character belongs to exactly one page part;
    parts never overlap, and each part's evidence sits at its offset."""
    cat = {r["id"]: r for r in _rows("articles")}
    for aid in ARTICLE_IDS:
        text = get_article(aid).text
        b0, b1 = int(cat[aid]["body_start"]), int(cat[aid]["body_end"])
        assert 0 <= b0 < b1 <= len(text)
        owner = [None] * len(text)
        for p in (r for r in _rows("page_parts") if r["article_id"] == aid):
            s = int(p["evidence_start"])
            e = s + len(p["evidence"])
            assert text[s:e] == p["evidence"], p["id"]
            assert p["kind"] in C.PART_KINDS, p["id"]
            assert (p["in_body"] == "yes") == (b0 <= s < b1), p["id"]
            for i in range(s, e):
                assert owner[i] is None, f"{p['id']} overlaps {owner[i]}"
                owner[i] = p["id"]
        uncovered = [i for i in range(len(text)) if not b0 <= i < b1 and owner[i] is None]
        assert uncovered == [], (aid, uncovered[:5])
        # the body is what remains
        mask = [b0 <= i < b1 and owner[i] is None for i in range(len(text))]
        assert [i for i, k in enumerate(mask) if k] == [
            i for s, e in C.body_spans(aid) for i in range(s, e)]


def test_body_starts_where_the_article_starts():
    starts = {aid: get_article(aid).text[C.body_spans(aid)[0][0]:][:20] for aid in ARTICLE_IDS}
    assert starts["001"].startswith("شكـل العـراق")      # after title and byline
    assert starts["003"].startswith("وقع الرئيس")         # after ticker, title, date line
    assert starts["004"].startswith("يــد مــن")          # first line (its «مز» moved to the end)
    assert starts["002"].startswith("المقدمة")            # after title block, abstract, keywords
    assert C.body_spans("000")[0][0] == 0                 # 000 kept no title
    assert get_article("003").text[C.body_spans("003")[-1][1]:].strip().startswith("لتحميل الموضوع")


def test_footnotes_and_references_of_002_are_outside_the_body():
    """Every footnote and bibliography entry curated in references.csv is outside the body,
    and the footnote parts are exactly the 58 footnotes of the table."""
    refs = [r for r in _rows("references") if r["article_id"] == "002"]
    assert len(refs) >= 100
    for r in refs:
        s = int(r["evidence_start"])
        assert not C.in_body("002", s, s + len(r["evidence"].splitlines()[0])), r["id"]
    notes = {int(r["evidence_start"]) for r in refs if r["section"] == "footnote"}
    parts = {int(p["evidence_start"]) for p in _rows("page_parts")
             if p["article_id"] == "002" and p["kind"] == "footnote"}
    assert len(notes) == 58 and parts == notes


def test_ticker_and_cited_people_are_not_in_the_body():
    for p in _rows("people"):
        if p["kind"] in ("ticker_author", "cited_author") and p["evidence"]:
            s = int(p["evidence_start"])
            assert not C.in_body(p["article_id"], s, s + len(p["evidence"])), p["id"]
    assert "أخبار المركز" in get_article("003").text and "أخبار المركز" not in get_article("003").body


def test_002_citations_leave_the_body():
    """E2 of the review: every «بايدن»/«Biden» of 002 is a citation; 22 % of its page tokens are
    Latin script (references), under 1 % of its body tokens."""
    import re

    from arabtexts.tokenize import tokenize

    raw = get_article("002").text
    hits = [m.start() for m in re.finditer(r"بايدن|biden", raw, re.I)]
    assert len(hits) == 6          # 2 Arabic titles, 2 English titles, 2 URL slugs
    assert not any(C.in_body("002", s) for s in hits)
    assert C.body_text("002").count("بايدن") + C.body_text("002").count("Biden") == 0

    def latin_share(t):
        toks = [x.text for x in tokenize(t)]
        return sum(bool(re.search("[A-Za-z]", x)) for x in toks) / len(toks)

    assert latin_share(raw) > 0.2
    assert latin_share(C.body_text("002")) < 0.01


def test_body_text_keeps_offsets_in_both_layers():
    for aid in ARTICLE_IDS:
        raw, body = get_article(aid).text, C.body_text(aid)
        assert len(body) == len(raw)
        assert all(b == r or b == " " for b, r in zip(body, raw))
        clean = get_article(aid).clean
        try:
            cbody = C.body_text(aid, "clean")
        except RuntimeError as err:  # data/clean stale against the repair code: rebuild it
            pytest.skip(str(err))
        assert len(cbody) == len(clean)
        assert all(b == c or b == " " for b, c in zip(cbody, clean))
    # the ticker is gone from the clean body too, the article is there
    assert "أخبار المركز" not in C.body_text("003", "clean")
    assert "وقع الرئيس الأمريكي" in C.body_text("003", "clean")
    with pytest.raises(ValueError, match="raw.*clean"):
        C.body_text("003", "annotated")


def test_load_corpus_body_part():
    page, body = load_corpus(), load_corpus(part="body")
    assert list(body["id"]) == list(page["id"])
    assert (body["n_chars"] == page["n_chars"]).all()          # offsets kept
    assert set(page["layer"]) == {"raw"}
    assert (page["body_start"] < page["body_end"]).all()
    b = dict(zip(body["id"], body["text"]))
    assert "أخبار المركز" not in b["003"] and "(References and Sources)" not in b["002"]
    with pytest.raises(ValueError, match="part"):
        load_corpus(part="article")


def test_page_parts_frame_and_in_body_errors():
    parts = C.page_parts("002")
    assert {"footnote", "references", "abstract_en", "marker", "source"} <= set(parts["kind"])
    t = get_article("002").text
    for row in parts.itertuples():
        assert t[row.start:row.end] == row.text
    with pytest.raises(IndexError):
        C.in_body("002", len(t), len(t) + 1)


def test_page_parts_table_is_up_to_date():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(_ROOT / "scripts" / "build_page_parts.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
