"""Tests of the extraction primitives on the real texts and on small synthetic cases."""
from __future__ import annotations

import pandas as pd
import pytest

from arabtexts.extract import (
    Match,
    find_dates,
    find_entities,
    find_enumerations,
    find_numbers,
    find_quotes,
    matches_frame,
)

EXTRACTORS = [find_dates, find_numbers, find_quotes, find_enumerations]


@pytest.fixture(scope="module")
def texts(raw_texts):
    return raw_texts


# ------------------------------------------------------------------ spans on every text

@pytest.mark.parametrize("extractor", EXTRACTORS, ids=lambda f: f.__name__)
def test_spans_point_into_the_raw_text(texts, extractor):
    for aid, text in texts.items():
        for m in extractor(text):
            assert isinstance(m, Match)
            assert 0 <= m.start < m.end <= len(text), (aid, m)
            assert text[m.start:m.end] == m.text, (aid, m)


def test_extractors_accept_empty_and_latin_text():
    for f in EXTRACTORS:
        assert f("") == []
    assert find_numbers("no digits here") == []


# ------------------------------------------------------------------ dates

def test_dates_of_003(texts):
    dates = find_dates(texts["003"])
    values = [d.value for d in dates]
    for iso in ["2021-07-30", "2020-06-11", "2020-08-19", "2021-04-07", "XXXX-12-31", "XXXX-07-28"]:
        assert iso in values, iso
    dec = next(d for d in dates if d.value == "XXXX-12-31")
    assert dec.text == "31 ديسمبر"
    assert dec.extra["relative"] == "next"        # «31 ديسمبر المقبل»
    assert dec.extra["year_guess"] == 2021
    assert dec.extra["precision"] == "day"
    dateline = dates[0]
    assert (dateline.text, dateline.value) == ("30 يوليو، 2021", "2021-07-30")
    # «مارس» never appears as a month here, and «يمارس» is not a date
    assert all(d.extra["month"] != 3 for d in dates)


def test_relative_dates_resolve_with_a_reference(texts):
    dates = find_dates(texts["003"], reference="2021-07-30")
    values = [d.value for d in dates]
    assert "2021-12-31" in values                 # «31 ديسمبر المقبل»
    assert "2021-04-07" in values                 # «7 أبريل الماضي»
    assert values.count("2021-04-07") == 2


def test_dates_of_the_paper_002(texts):
    dates = find_dates(texts["002"])
    by_value = {d.value: d for d in dates}
    assert by_value["2010-12-15"].text == "15 كانون الأول 2010"
    assert by_value["2011-06-30"].text == "30 حزيران 2011"
    assert by_value["2025-05"].text == "أيار 2025"
    assert by_value["2025-05"].extra["precision"] == "month"
    assert by_value["2020-01-05"].extra["system"] == "levantine"
    # the table of the four rounds of the strategic dialogue
    for iso in ["2020-06-11", "2020-08-19", "2021-04-07", "2021-07-26"]:
        assert iso in by_value
    # bare years in date context and English dates of the references
    years = [d for d in dates if d.extra["precision"] == "year"]
    assert len(years) > 50 and {"2003", "2008", "2021"} <= {d.value for d in years}
    assert "1956" not in {d.value for d in years}  # «ذي العدد (1956)» is a resolution number
    assert by_value["2012-02-07"].extra["system"] == "english"   # «7 Feb 2012»


def test_partial_dates_with_lost_digits(texts):
    d000 = find_dates(texts["000"])
    aug = [d for d in d000 if d.text == "أغسـطس/ آب"][0]
    assert aug.value == "XXXX-08"
    assert aug.extra["system"] == "paired" and aug.extra["lost_digits"] is True
    assert aug.extra["precision"] == "month"
    # the dateline of 001 «, أغسطس  |»
    first = find_dates(texts["001"])[0]
    assert (first.text, first.value, first.extra["lost_digits"]) == ("أغسطس", "XXXX-08", True)
    # «خلال عام ،»: a year whose digits were lost
    assert any(d.value == "XXXX" and d.extra["lost_digits"] for d in d000)
    # 004: «في  يناير/كانون الثاني الحاليّ»
    jan = [d for d in find_dates(texts["004"]) if d.extra["system"] == "paired"]
    assert len(jan) == 2 and all(d.extra["relative"] == "current" for d in jan)
    assert find_dates(texts["004"], reference="2024-01")[1].value == "2024-01"


def test_damaged_month_name_needs_its_pair(texts):
    octs = [d for d in find_dates(texts["000"]) if d.extra.get("damaged_name")]
    assert octs and all(d.text.startswith("كتوبر/") and d.value == "XXXX-10" for d in octs)
    assert find_dates("في كتوبر الماضي") == []


def test_synthetic_dates():
    [d] = find_dates("وقّع الاتفاق في ٣٠ تموز ٢٠٢١ ببغداد")
    assert (d.value, d.text, d.extra["system"]) == ("2021-07-30", "٣٠ تموز ٢٠٢١", "levantine")
    [d] = find_dates("في 15 يــناير/ كانون الثاني 2024")
    assert (d.value, d.extra["system"], d.text) == ("2024-01-15", "paired", "15 يــناير/ كانون الثاني 2024")
    [d] = find_dates("منذ ديسمبر/ كانون الأول 2011")
    assert d.value == "2011-12"
    assert [d.value for d in find_dates("بين عامي 2020 و2021")] == ["2020", "2021"]
    assert [d.value for d in find_dates("خلال الفترة (2014 – 2021)")] == ["2014", "2021"]
    assert find_dates("يمارس الضغط على الحكومة") == []
    assert find_dates("مارس الضغط على الحكومة") == []  # the verb, not March
    assert find_dates("زار أب العائلة") == []           # «أب» is not «آب»
    assert find_dates("بلغ العدد 2500 جندي") == []


# ------------------------------------------------------------------ numbers

def test_numbers_of_the_paper(texts):
    nums = find_numbers(texts["002"])
    troops = [n for n in nums if n.extra["unit"] == "جندي"]
    assert [n.value for n in troops][:2] == [2500, 1500]
    assert troops[0].text == "2,500 جندي"
    billions = {n.value for n in nums if n.extra["unit"] == "دولار"}
    assert {53_000_000_000, 2_260_000_000, 357_000_000} <= billions
    rng = next(n for n in nums if n.extra["range"])
    assert rng.extra["range"] == (80_000_000_000, 85_000_000_000)
    pct = [n.value for n in nums if n.extra["percent"]]
    assert pct == [230, 40]
    # no footnote markers, page numbers, list markers or years among the figures
    assert all(n.extra["role"] == "figure" for n in nums)
    assert 167 not in {n.value for n in nums}


def test_numbers_keep_all_flags_non_figures(texts):
    text = texts["002"]
    roles = {}
    for n in find_numbers(text, keep_all=True):
        roles.setdefault(n.extra["role"], []).append(n)
    assert {"figure", "year", "date", "page", "footnote", "list_marker", "issue", "label"} <= set(roles)
    assert any(n.text == "167" for n in roles["page"])            # «ص167»
    assert any(n.text == "52" for n in roles["issue"])            # «العدد (52)»
    # superscript footnote markers ⁽¹⁾ are not numbers at all
    assert all("⁽" not in n.text and "¹" not in n.text for ns in roles.values() for n in ns)


def test_numbers_of_003(texts):
    [n] = find_numbers(texts["003"])
    assert (n.value, n.text, n.extra["unit"]) == (18, "18 عاماً", "عام")


def test_synthetic_numbers():
    [n] = find_numbers("رصدت واشنطن ٥ مليارات دولار")
    assert (n.value, n.text, n.extra["unit"], n.extra["scale"]) == (
        5_000_000_000, "٥ مليارات دولار", "دولار", "مليارات")
    [n] = find_numbers("نحو 3,5 آلاف جندي")  # a comma before 1-2 digits is a decimal comma
    assert (n.value, n.text) == (3500, "3,5 آلاف جندي")
    [n] = find_numbers("بلغت 12,345,678 دولار")
    assert n.value == 12_345_678
    [n] = find_numbers("نحو 3.5 آلاف جندي")
    assert (n.value, n.extra["unit"]) == (3500, "جندي")
    [n] = find_numbers("بنسبة ١٢٫٥٪")
    assert (n.value, n.extra["percent"]) == (12.5, True)
    [n] = find_numbers("انخفضت 40 بالمئة")
    assert n.value == 40 and n.extra["percent"]
    [n] = find_numbers("أربعة آلاف جندي")
    assert (n.value, n.extra["written"], n.extra["unit"]) == (4000, True, "جندي")
    [n] = find_numbers("عقدت أربع جولات")
    assert (n.value, n.extra["unit"]) == (4, "جولات")
    assert find_numbers("م.د. نور سبع خميس علي") == []    # a name, not seven
    assert find_numbers("العراق⁽¹⁾ منذ عام 2003") == []
    assert find_numbers("1. تحليل طبيعة التحول") == []


# ------------------------------------------------------------------ quotations

def test_quote_with_speaker_in_004(texts):
    quotes = find_quotes(texts["004"])
    ryder = next(q for q in quotes if q.value.startswith("لست على علم"))
    assert ryder.extra["quote_type"] == "speech"
    assert ryder.extra["verb"] == "قال"
    assert "رايدر" in ryder.extra["speaker"] and "متحدث البنتاغون" in ryder.extra["speaker"]
    s, e = ryder.extra["speaker_span"]
    assert texts["004"][s:e] == ryder.extra["speaker"]
    assert ryder.text.startswith("“") and ryder.text.endswith("”")
    # the outlet's name is a term, and nobody "says" it
    noon = [q for q in quotes if q.value.replace("ــ", "") == "نون بوست"]
    assert len(noon) == 4
    assert all(q.extra["quote_type"] == "term" and q.extra["speaker"] is None for q in noon)


def test_quotes_of_003(texts):
    quotes = find_quotes(texts["003"])
    speech = [q for q in quotes if q.extra["quote_type"] == "speech"]
    speakers = [q.extra["speaker"] for q in speech]
    assert speakers.count("تولر") == 3
    toller = next(q for q in speech if q.value.startswith("هناك بعض الجهات"))
    assert (toller.extra["verb"], toller.extra["speaker_inherited"]) == ("وأكد", False)
    assert any(q.extra["speaker_inherited"] for q in speech)
    shamri = next(q for q in speech if q.value.startswith("استمرار استهداف"))
    assert shamri.extra["speaker"].startswith("نصر الشمري")
    terms = {q.value for q in quotes if q.extra["quote_type"] == "term"}
    assert {"حركة النجباء", "سرية"} <= terms


def test_quotes_of_000_and_titles_in_002(texts):
    macron = [q for q in find_quotes(texts["000"]) if q.extra["speaker"] == "ماكرون"]
    assert [q.value for q in macron][0] == "نحن هنا لتعزيز سيادة العراق وأمنه المستدام"
    q002 = find_quotes(texts["002"])
    assert sum(q.extra["quote_type"] == "title" for q in q002) >= 5
    assert any(q.value == "الحوار الاستراتيجي" and q.extra["quote_type"] == "term" for q in q002)


def test_synthetic_quotes():
    [q] = find_quotes("وقال وزير الخارجية فؤاد حسين: «العراق لن يكون ساحة لتصفية الحسابات».")
    assert q.extra["speaker"] == "وزير الخارجية فؤاد حسين"
    assert q.value == "العراق لن يكون ساحة لتصفية الحسابات"
    assert q.extra["marks"] == "«»"
    [q] = find_quotes("يرى الخبير أن “الانسحاب ليس قريبا”")
    assert (q.extra["speaker"], q.extra["verb"]) == ("الخبير", "يرى")
    assert find_quotes('قال "غير مغلق') == []


# ------------------------------------------------------------------ enumerations

def test_enumerations_of_003(texts):
    items = [i for i in find_enumerations(texts["003"]) if i.extra["style"] == "dash"]
    lists = {}
    for i in items:
        lists.setdefault(i.extra["list_id"], []).append(i)
    understandings, challenges = list(lists.values())
    assert [i.extra["index"] for i in understandings] == [1, 2, 3, 4, 5]
    assert understandings[0].extra["title"] == "تحويل وضع القوات الأمريكية"
    assert understandings[4].extra["title"] == "دعم إجراء الانتخابات العراقية"
    assert [i.extra["title"] for i in challenges] == [
        "مدى استجابة إيران لطلبات الكاظمي", "موقف ميليشيات طهران",
        "قدرة بغداد على تأمين الوجود الأمريكي"]
    assert understandings[0].extra["marker"] == "1-"
    # the news ticker at the top is a bullet list of five
    ticker = [i for i in find_enumerations(texts["003"]) if i.extra["style"] == "bullet"]
    assert len(ticker) == 5 and len({i.extra["list_id"] for i in ticker}) == 1


def test_enumerations_of_002(texts):
    items = find_enumerations(texts["002"])
    ordinals = [i for i in items if i.extra["style"] == "ordinal"]
    assert ordinals[0].value.startswith("الحوار الاستراتيجي بين العراق")
    assert ordinals[0].extra["index"] == 1 and ordinals[1].extra["index"] == 2
    dot_lists = {}
    for i in items:
        if i.extra["style"] == "dot":
            dot_lists.setdefault(i.extra["list_id"], []).append(i.extra["index"])
    sizes = [len(v) for v in dot_lists.values()]
    assert sizes[:3] == [5, 4, 4]           # aims, questions, hypotheses
    assert 10 in sizes                      # the Arabic references
    for idxs in dot_lists.values():
        assert idxs == list(range(idxs[0], idxs[0] + len(idxs)))


def test_footnotes_of_002_form_long_sequences(texts):
    notes = [i for i in find_enumerations(texts["002"]) if i.extra["style"] in ("paren", "footnote")]
    assert {i.extra["style"] for i in notes} == {"paren", "footnote"}
    first = [i for i in notes if i.extra["list_id"] == notes[0].extra["list_id"]]
    # «(1) (2) (3)» then superscript «⁴ ⁽⁵⁾ … ⁽¹⁰⁾» then «(11) …»: one sequence
    assert [i.extra["index"] for i in first][:12] == list(range(1, 13))


def test_synthetic_enumerations():
    text = "• أولى\n• ثانية\n\nنص\n(1) هامش\n(2) هامش آخر\nثانياً: قسم"
    items = find_enumerations(text)
    assert [(i.extra["style"], i.extra["index"], i.extra["list_id"]) for i in items] == [
        ("bullet", 1, 0), ("bullet", 2, 0), ("paren", 1, 1), ("paren", 2, 1), ("ordinal", 2, 2)]
    assert items[0].value == "أولى" and items[0].text == "• أولى"


# ------------------------------------------------------------------ entities

@pytest.fixture
def gazetteer():
    return pd.DataFrame({
        "id": ["kadhimi", "kadhimi", "usa", "usa", "usa", "iraq", "baghdad", "nujaba", "iran"],
        "variant": ["مصطفى الكاظمي", "الكاظمي", "الولايات المتحدة", "واشنطن",
                    "الولايات المتحدة الأمريكية", "العراق", "بغداد", "حركة النجباء", "إيران"],
        "type": ["person", "person", "place", "place", "place", "place", "place",
                 "organization", "place"],
    })


def test_entities_in_003(texts, gazetteer):
    text = texts["003"]
    ents = find_entities(text, gazetteer)
    counts = pd.Series([e.value for e in ents]).value_counts()
    assert counts["kadhimi"] >= 10 and counts["iraq"] >= 20 and counts["usa"] >= 10
    full = [e for e in ents if e.extra["variant"] == "الولايات المتحدة الأمريكية"]
    assert full and full[0].text == "الولايات المتحدة الأمريكية"
    assert any(e.text == "والكاظمي" and e.extra["prefix"] == "و" for e in ents)
    assert any(e.value == "nujaba" for e in ents)
    for e in ents:
        assert text[e.start:e.end] == e.text


def test_entities_ignore_tatweel_and_hamza(gazetteer, texts):
    ents = find_entities(texts["004"], gazetteer)
    assert any(e.text == "العــراق" and e.value == "iraq" for e in ents)
    ents = find_entities("زار ايران وللعراق", gazetteer)
    assert [(e.value, e.extra["prefix"]) for e in ents] == [("iran", ""), ("iraq", "ول")]
    assert find_entities("العراقية", gazetteer) == []   # no suffixes


# ------------------------------------------------------------------ frames

def test_matches_frame(texts):
    df = matches_frame(find_dates(texts["003"]))
    assert list(df.columns[:5]) == ["kind", "value", "start", "end", "text"]
    assert {"precision", "system", "lost_digits"} <= set(df.columns)
    assert (df["kind"] == "date").all()
    empty = matches_frame([])
    assert list(empty.columns) == ["kind", "value", "start", "end", "text"] and len(empty) == 0
    mixed = matches_frame(find_numbers(texts["002"]) + find_quotes(texts["004"]))
    assert set(mixed["kind"]) == {"number", "quote"}
