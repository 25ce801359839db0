from arabtexts.normalize import (
    find_normalized, fold, fold_alef, normalize, remove_diacritics, remove_tatweel,
    to_western_digits,
)


def test_tatweel_free_tokens_of_000(raw_texts):
    raw = raw_texts["000"]
    assert raw.count("\u0640") == 1218
    clean = normalize(raw)
    assert "\u0640" not in clean
    assert "الســياسة" in raw and "السياسة" in clean


def test_normalisation_raises_word_counts_in_000(raw_texts):
    # measured: العراق occurs 26 times raw and 46 times after normalisation
    from arabtexts.tokenize import tokenize

    toks = [t.text for t in tokenize(raw_texts["000"])]
    assert sum(t == "العراق" for t in toks) == 26
    assert sum(normalize(t) == "العراق" for t in toks) == 46
    # distinct words: 1,345 as printed, 1,097 once tatweel alone is removed
    assert len(set(toks)) == 1345
    assert len({normalize(t, diacritics=False, alef=False) for t in toks}) == 1097


def test_each_step_and_options():
    assert remove_tatweel("شكـل العـراق") == "شكل العراق"
    assert remove_diacritics("خصوصًا الحاليّ") == "خصوصا الحالي"
    assert fold_alef("أإآٱ") == "اااا"
    assert to_western_digits("٣٠ تموز ٢٠٢١ و۲۰۲۴") == "30 تموز 2021 و2024"
    assert normalize("على الحكومة") == "على الحكومة"
    assert normalize("على الحكومة", alef_maqsura=True, taa_marbuta=True) == "علي الحكومه"
    assert normalize("أمريكا", alef=False) == "أمريكا"
    assert normalize("ــ", tatweel=False) == "ــ"
    assert normalize("\ufefb") == "لا"  # PDF lam-alef ligature


def test_empty_and_non_arabic_pass_through():
    assert normalize("") == ""
    assert normalize("Federal Reserve Bank of New York (2003)") == "Federal Reserve Bank of New York (2003)"
    n = normalize("", with_map=True)
    assert n.text == "" and n.offsets == (0,)


def test_input_not_mutated_and_type_checked():
    s = "الســياسة"
    normalize(s)
    assert s == "الســياسة"
    import pytest
    with pytest.raises(TypeError):
        normalize(b"bytes")


def test_offset_map_points_back_to_raw(raw_texts):
    for aid, raw in raw_texts.items():
        n = normalize(raw, with_map=True)
        assert len(n.offsets) == len(n.text) + 1
        # every kept character maps to an equal or equivalent raw character
        for i in range(0, len(n.text), 97):
            r = raw[n.offsets[i]]
            assert normalize(r) == n.text[i] or r == n.text[i], (aid, i)
    raw = raw_texts["000"]
    n = normalize(raw, with_map=True)
    i = n.text.index("السياسة الخارجية")
    s, e = n.raw_span(i, i + len("السياسة الخارجية"))
    assert raw[s:e] == "الســياسة الخارجيــة"


def test_find_normalized_spans_are_exact(raw_texts):
    raw = raw_texts["001"]
    spans = find_normalized(raw, "الولايات المتحدة")
    assert len(spans) >= 5
    for s, e in spans:
        assert normalize(raw[s:e]) == "الولايات المتحدة"
        assert raw[s] == "ا" and raw[e - 1] == "ة"


def test_fold_for_answer_comparison():
    assert fold("الولايـات المتحدة الأمريكيّة") == fold("الولايات المتحده الامريكيه")
    assert fold("  Iraq  ") == "iraq"


def test_spans_keep_the_marks_of_their_last_letter():
    """The review's «الأكثر اتساقاً»: the tanwin belongs to the keyword, not to the right context."""
    import unicodedata

    from arabtexts.analysis import kwic
    from arabtexts.corpus import get_article

    raw = get_article("002").text
    assert "اتساقاً" in raw
    k = kwic(raw, "اتساقا", part="page")
    assert len(k) >= 1
    for row in k.itertuples():
        assert row.keyword.endswith("ً") or not unicodedata.combining(raw[row.end:row.end + 1] or "a")
        assert not row.right or not unicodedata.combining(row.right[0])
        assert raw[row.start:row.end] == row.keyword
