"""analysis: frequency tables, n-grams, concordance, distinctive words, key terms — on the real texts."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from arabtexts import analysis as A
from arabtexts.corpus import ARTICLE_IDS, get_article, load_corpus
from arabtexts.normalize import normalize


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return load_corpus()


# ---- inputs ------------------------------------------------------------------------------


def test_as_texts_accepts_every_form(corpus):
    art = get_article("003")
    assert A.as_texts(art, part="page") == {"003": art.text}
    assert A.as_texts(art) == {"003": art.body}            # a corpus page counts as its body
    assert list(A.as_texts(corpus)) == list(ARTICLE_IDS)
    assert list(A.as_texts(corpus.set_index("id")["text"])) == list(ARTICLE_IDS)
    assert A.as_texts([art], part="page") == {"003": art.text}
    assert A.as_texts({"x": "نص من عندي"}) == {"x": "نص من عندي"}   # own strings stay as given
    with pytest.raises(ValueError, match="part"):
        A.as_texts(art, part="article")
    with pytest.raises(TypeError):
        A.as_texts(42)


# ---- frequency tables ---------------------------------------------------------------------


def test_frequency_000_normalisation_merges_tatweel_forms():
    text = get_article("000").text
    norm = A.frequency_table(text)
    raw = A.frequency_table(text, normalized=False, drop_stopwords=False)
    assert list(norm.columns) == ["word", "count", "share"]
    assert norm.iloc[0]["word"] == "العراق"
    assert norm.iloc[0]["count"] == 46  # measured: 26 raw, 46 after normalisation
    assert raw.set_index("word").loc["العراق", "count"] == 26
    assert norm["count"].is_monotonic_decreasing
    assert norm["share"].sum() == pytest.approx(1.0)
    assert len(norm) < len(A.frequency_table(text, normalized=False))  # fewer distinct words


def test_frequency_stopwords_top_min_count(corpus):
    with_stops = A.frequency_table(corpus, drop_stopwords=False, top=5)
    assert "في" in set(with_stops["word"])
    assert "في" not in set(A.frequency_table(corpus)["word"])
    assert len(A.frequency_table(corpus, top=7)) == 7
    assert A.frequency_table(corpus, min_count=50)["count"].min() >= 50
    assert A.frequency_table(corpus, min_length=2)["word"].str.len().min() >= 2


def test_frequency_by_article_is_wide_and_consistent(corpus):
    wide = A.frequency_table(corpus, by_article=True)
    assert list(wide.columns) == list(ARTICLE_IDS)
    assert wide.loc["العراق", "000"] == 46
    pooled = A.frequency_table(corpus).set_index("word")["count"]
    assert (wide.sum(axis=1).sort_index() == pooled.sort_index()).all()
    assert wide.sum(axis=1).is_monotonic_decreasing
    assert A.frequency_table(corpus, by_article=True, top=3).shape == (3, 5)


# ---- n-grams -------------------------------------------------------------------------------


def test_ngrams_find_the_united_states(corpus):
    bi = A.ngrams(corpus, top=20)
    assert list(bi.columns) == ["ngram", "count"]
    assert bi.iloc[0]["ngram"] == "الولايات المتحدة"
    assert bi.iloc[0]["count"] > 50
    tri = A.ngrams(get_article("002").text, n=3)
    assert "الولايات المتحدة الامريكية" in set(tri["ngram"])


def test_ngrams_do_not_cross_punctuation_or_texts():
    assert A.ngrams("العراق. إيران")["ngram"].tolist() == []
    assert A.ngrams(["أمن العراق", "إيران تراقب"])["ngram"].tolist() == ["امن العراق", "ايران تراقب"]
    assert A.ngrams("أمن\nالعراق")["ngram"].tolist() == ["امن العراق"]  # a line break is no stop
    with pytest.raises(ValueError):
        A.ngrams("العراق", n=0)


# ---- kwic ----------------------------------------------------------------------------------


def test_kwic_kadhimi_over_corpus_with_raw_spans(corpus):
    k = A.kwic(corpus, "الكاظمي")
    assert list(k.columns) == ["article_id", "left", "keyword", "right", "start", "end"]
    assert set(k["article_id"]) >= {"001", "003", "000"}
    texts = dict(zip(corpus["id"], corpus["text"]))
    for row in k.itertuples():
        raw = texts[row.article_id]
        assert raw[row.start : row.end] == row.keyword
        assert normalize(row.keyword) == "الكاظمي"
    # some hits carry tatweel in the raw text: the span still covers the printed word
    assert any("\u0640" in w for w in k["keyword"])
    # default: the corpus itself
    assert len(A.kwic(query="الكاظمي")) == len(k)


def test_kwic_context_and_order():
    raw = "قال الكاظمي:\nإن العــراق دولة"
    k = A.kwic(raw, "العراق", width=8)
    assert k.loc[0, "keyword"] == "العــراق"
    s = raw.index("العــراق")
    assert k.loc[0, "start"] == s and len(k.loc[0, "left"]) == 8
    assert k.loc[0, "left"] == raw[s - 8 : s].replace("\n", " ")  # line breaks shown as spaces
    assert k.loc[0, "right"] == " دولة"
    assert k.loc[0, "article_id"] == "text"
    starts = A.kwic(get_article("002").text, "العراق")["start"]
    assert starts.is_monotonic_increasing


def test_kwic_phrase_across_line_break_and_whole_word_and_regex():
    raw = "أعلنت الولايات\nالمتحدة أن والعراق والعراقية العراق"
    assert A.kwic(raw, "الولايات المتحدة").loc[0, "keyword"] == "الولايات\nالمتحدة"
    assert len(A.kwic(raw, "العراق")) == 3
    assert A.kwic(raw, "العراق", whole_word=True)["keyword"].tolist() == ["العراق"]
    rx = A.kwic(raw, r"و?العراق\w*", regex=True)
    assert rx["keyword"].tolist() == ["والعراق", "والعراقية", "العراق"]
    assert A.kwic(raw, "").empty and list(A.kwic(raw, "  ").columns)[0] == "article_id"
    with pytest.raises(re.error):
        A.kwic(raw, "(", regex=True)


def test_kwic_normalized_false_is_exact():
    raw = "العــراق والعراق"
    assert A.kwic(raw, "العراق", normalized=False)["keyword"].tolist() == ["العراق"]
    assert len(A.kwic(raw, "العراق")) == 2


# ---- distinctive words ----------------------------------------------------------------------


def test_distinctive_words_log_odds(corpus):
    d = A.distinctive_words(corpus, top=30)
    assert list(d.columns) == ["article_id", "word", "score", "count"]
    assert list(d["article_id"].unique()) == list(ARTICLE_IDS)
    assert (d.groupby("article_id").size() == 30).all()
    d002 = set(d.loc[d["article_id"] == "002", "word"])
    assert "البحث" in d002  # the academic paper talks about its own research
    assert "المبحث" in set(A.distinctive_words(corpus, top=60).query("article_id == '002'")["word"])
    assert "لواشنطن" in set(d.loc[d["article_id"] == "001", "word"])  # the Washington visit
    assert "التحالف" in set(d.loc[d["article_id"] == "004", "word"])  # expel the coalition
    # scores are sorted within each article
    for _, g in d.groupby("article_id"):
        assert g["score"].is_monotonic_decreasing
    # counts are the article's own counts
    wide = A.frequency_table(corpus, by_article=True)
    for row in d.head(10).itertuples():
        assert wide.loc[row.word, row.article_id] == row.count


def test_distinctive_words_tf_idf_and_errors(corpus):
    d = A.distinctive_words(corpus, method="tf-idf", top=20)
    assert "البحث" in set(d.loc[d["article_id"] == "002", "word"])
    assert "البنتاغون" in set(d.loc[d["article_id"] == "004", "word"])
    # a word found in every text has idf 0
    everywhere = A.distinctive_words(corpus, method="tf-idf", top=100000)
    assert everywhere.loc[everywhere["word"] == "العراق", "score"].eq(0).all()
    with pytest.raises(ValueError):
        A.distinctive_words(corpus, method="chi2")
    with pytest.raises(ValueError):
        A.distinctive_words("نص واحد")


def test_distinctive_words_arabic_only_default(corpus):
    d = A.distinctive_words(corpus, top=20)
    assert d["word"].str.contains(r"[\u0621-\u064A]").all()
    latin = A.distinctive_words(corpus, top=20, arabic_only=False)
    assert latin.loc[latin["article_id"] == "002", "word"].str.contains(r"[A-Za-z0-9]").any()


# ---- key terms ------------------------------------------------------------------------------


TERMS = {
    "withdrawal": ["انسحاب", "الانسحاب"],
    "sovereignty": ["السيادة", "سيادة"],
    "Iran": ["إيران", "ايران"],
}


def test_term_counts_before_and_after_normalisation(corpus):
    raw = A.term_counts(corpus, TERMS, normalized=False)
    norm = A.term_counts(corpus, TERMS)
    assert list(norm.index) == list(ARTICLE_IDS) and list(norm.columns) == list(TERMS)
    assert norm.index.name == "article_id"
    assert (norm >= raw).all().all()
    assert (norm > raw).any().any()  # tatweel hid some occurrences
    # cross-check with kwic on one article
    n_iran = len(A.kwic(get_article("003").text, "إيران", whole_word=True))
    assert norm.loc["003", "Iran"] == n_iran


def test_term_counts_counts_each_occurrence_once():
    terms = {"US": ["الولايات المتحدة", "الولايات المتحدة الأمريكية", "واشنطن"]}
    df = A.term_counts("الولايات المتحدة الأمريكية وواشنطن، واشنطن", terms)
    assert df.loc["text", "US"] == 2
    assert A.term_counts("وواشنطن", terms, whole_word=False).loc["text", "US"] == 1
    assert A.term_counts("نص", {"empty": []}).loc["text", "empty"] == 0


# ---- article bodies by default ----------------------------------------------------------


def test_every_counting_helper_counts_bodies_and_says_so(corpus):
    """The ticker of 003 and the citations of 002 are not counted unless part="page"."""
    clean = load_corpus("clean")
    ticker_word = "اتجاهات"   # «مجلة "اتجاهات آسيوية"» in the ticker only
    raw003 = get_article("003").text
    assert raw003.count(ticker_word) >= 1 and get_article("003").body.count(ticker_word) == 0
    for frame in (corpus, clean):
        f_body = A.frequency_table(frame, by_article=True)
        f_page = A.frequency_table(frame, by_article=True, part="page")
        assert f_body.attrs["part"] == "body" and f_page.attrs["part"] == "page"
        assert ticker_word not in f_body.index or f_body.loc[ticker_word, "003"] == 0
        assert f_page.loc[ticker_word, "003"] >= 1
        k = A.kwic(frame, "بايدن")
        assert k.attrs["part"] == "body"
        assert "002" not in set(k["article_id"]) and "003" in set(k["article_id"])  # 002: citations only
        assert len(A.kwic(frame, "بايدن", part="page").query("article_id == '002'")) == 2
        t = A.term_counts(frame, {"b": ["بايدن"]})
        assert t.loc["002", "b"] == 0 and t.attrs["part"] == "body"
        assert A.term_counts(frame, {"b": ["بايدن"]}, part="page").loc["002", "b"] == 2
    n = A.ngrams(corpus, 2)
    assert n.attrs["part"] == "body"
    assert "اتجاهات اسيوية" not in set(n["ngram"])
    d = A.distinctive_words(corpus, top=30)
    assert d.attrs["part"] == "body"
    assert not d["word"].str.contains("[A-Za-z]").any()
    assert A.frequency_table("بغداد بغداد").attrs["part"] == "as given"


def test_kwic_on_bodies_keeps_raw_offsets(corpus):
    k = A.kwic(corpus, "الكاظمي")
    texts = dict(zip(corpus["id"], corpus["text"]))
    for row in k.itertuples():
        assert normalize(texts[row.article_id][row.start:row.end]) == "الكاظمي"


def test_entity_counts_on_bodies(corpus):
    e = A.entity_counts(corpus)
    p = A.entity_counts(corpus, part="page")
    assert list(e.columns) == list(ARTICLE_IDS) and e.attrs["part"] == "body"
    # E2: Biden's six hits in 002 are all citations
    assert p.loc["biden", "002"] == 6 and e.loc["biden", "002"] == 0
    assert e.loc["biden", "003"] >= 1
    # 003's only Future Center hit is the ticker
    fc = [i for i in e.index if "future" in i]
    assert fc and all(e.loc[i, "003"] == 0 for i in fc) and any(p.loc[i, "003"] > 0 for i in fc)
    assert (e <= p.loc[e.index]).all().all()
    assert e.sum(axis=1).is_monotonic_decreasing
    people = A.entity_counts(corpus, types="person")
    assert set(people.index) < set(e.index)


def test_distinctive_words_can_drop_function_words(corpus):
    from arabtexts.tokenize import is_function_word

    plain = A.distinctive_words(corpus, top=25)
    clean = A.distinctive_words(corpus, top=25, drop_function_words=True)
    assert plain["word"].map(is_function_word).any()          # «عام», «والتي» … are there
    assert not clean["word"].map(is_function_word).any()
    assert clean.groupby("article_id").size().eq(25).all()


def test_kwic_keyword_keeps_the_marks_of_its_last_letter_in_every_mode():
    """05b's concordance of «الأكثر اتساقاً»: the tanwin belongs to the keyword in every search
    mode (normalised, exact, regex), so the right context never starts with a combining mark."""
    import unicodedata

    raw = get_article("002").text
    expected = [m.start() for m in re.finditer("اتساقاً", raw)]
    assert expected, "002 prints «اتساقاً»"
    for query, kw in (("الأكثر اتساقاً", {}), ("اتساقا", {}), ("اتساقا", {"normalized": False}),
                      ("اتساقا", {"normalized": False, "regex": True}),
                      ("اتساقا", {"regex": True})):
        k = A.kwic(raw, query, part="page", **kw)
        ends = [s + len("اتساقاً") for s in expected]
        if query == "اتساقا":
            assert sorted(k["end"]) == ends, (query, kw)
        else:  # the phrase: only where «الأكثر» comes before
            assert len(k) >= 1 and set(k["end"]) <= set(ends)
        for row in k.itertuples():
            assert row.keyword.endswith("اتساقاً") and raw[row.start:row.end] == row.keyword
            assert not unicodedata.combining(row.right[0]), (query, kw, row.right)

