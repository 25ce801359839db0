"""arabtexts.grading: same_answer, answer_hash, check."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from arabtexts.grading import AnswerTypeError, answer_hash, canonical, check, describe, same_answer


@pytest.mark.parametrize(
    "a, b",
    [
        ("الســياسة", "السياسة"),  # tatweel
        ("الحاليّ", "الحالي"),  # shadda
        ("خصوصًا", "خصوصا"),  # tanwin
        ("أمريكا", "امريكا"),  # hamza on alef
        ("إيران", "ايران"),
        ("الآن", "الان"),  # madda
        ("على", "علي"),  # alef maqsura
        ("الحكومة", "الحكومه"),  # taa marbuta
        ("٢٠٢١", "2021"),
        ("  الولايات   المتحدة ", "الولايات المتحدة"),
        ("Noon Post", "noon post"),
    ],
)
def test_arabic_strings_fold(a, b):
    assert same_answer(a, b)
    assert answer_hash(a) == answer_hash(b)


@pytest.mark.parametrize("a, b", [("العراق", "إيران"), ("الكاظمي", "الكاظم"), ("1", 1), ("", None)])
def test_different_answers(a, b):
    assert not same_answer(a, b)
    assert answer_hash(a) != answer_hash(b)


def test_collections_order():
    assert same_answer(["أ", "ب"], ("ب", "أ"))
    assert same_answer({"أ", "ب"}, ["ب", "ا"])
    assert not same_answer(["أ", "ب"], ["ب", "أ"], ordered=True)
    assert same_answer(["أ", "ب"], ["ا", "ب"], ordered=True)
    assert not same_answer(["أ", "أ"], ["أ"])  # multiplicity matters
    assert same_answer([["أ", 1], ["ب", 2]], [["ب", 2], ["أ", 1]])
    assert answer_hash([1, 2]) != answer_hash([1, 2, 2])


def test_nested_ordered_flag_applies_to_all_levels():
    assert same_answer([[1, 2], [3]], [[3], [2, 1]])
    assert not same_answer([[1, 2], [3]], [[3], [2, 1]], ordered=True)


def test_dicts_and_series():
    d = {"العراق": 46, "إيران": 12}
    s = pd.Series({"العـراق": 46, "ايران": 12})
    assert same_answer(d, s)
    assert answer_hash(d) == answer_hash(s)
    assert not same_answer(d, {"العراق": 46, "إيران": 13})
    assert not same_answer(d, {"العراق": 46})
    # positional Series is a list
    assert same_answer(pd.Series([3, 1, 2]), [1, 2, 3])
    assert same_answer(pd.Series(["أ", "ب"]).value_counts(), {"ا": 1, "ب": 1})


def test_dataframes():
    a = pd.DataFrame({"word": ["العراق", "إيران"], "count": [46, 12]})
    b = pd.DataFrame({"count": [12, 46], "word": ["ايران", "العـراق"]})
    assert same_answer(a, b)
    assert answer_hash(a) == answer_hash(b)
    assert not same_answer(a, b, ordered=True)
    # sorted frame keeps a permuted integer index: still positional
    assert same_answer(a.sort_values("count"), a)
    # a labelled index counts as a column
    assert same_answer(a.set_index("word"), b)
    assert not same_answer(a, a.assign(count=[46, 13]))
    assert not same_answer(a, a.rename(columns={"count": "n"}))
    assert describe(a) == "table"


def test_numbers_tolerance():
    assert same_answer(46, 46.0)
    assert same_answer(0.1 + 0.2, 0.3)
    assert not same_answer(46, 47)
    assert same_answer(1e-9, 0)
    assert not same_answer(True, 1)
    assert same_answer(float("nan"), float("nan"))
    assert answer_hash(0.30000000000000004) == answer_hash(0.3)
    assert answer_hash(-0.0) == answer_hash(0)
    assert same_answer(0.5, 0.5000001, tol=1e-3)
    assert not same_answer(0.5, 0.51, tol=1e-3)


def test_numpy_values():
    np = pytest.importorskip("numpy")
    assert same_answer(np.int64(3), 3)
    assert same_answer(np.array([1, 2]), [2, 1])
    assert same_answer(np.bool_(True), True)


def test_hash_format_and_stability():
    h = answer_hash(["الكاظمي", "ترامب"])
    shape, digest = h.split(":")
    assert shape == "list[str]" and len(digest) == 16
    # the canonical form is versioned; this exact value must not change silently,
    # or every self-check key of the course breaks
    assert answer_hash(46) == answer_hash(46.0)
    assert answer_hash("العراق") == answer_hash("العـراق")
    assert answer_hash("العراق") not in ("", "str:")
    assert "العراق" not in h and "الكاظمي" not in h


def test_functions_are_refused():
    with pytest.raises(AnswerTypeError):
        canonical(len)
    with pytest.raises(AnswerTypeError):
        canonical(object())


def test_check_messages(capsys):
    key = answer_hash(["الكاظمي", "ترامب"])
    assert check(["ترامب", "الكـاظمي"], key, name="q1") is True
    out = capsys.readouterr().out
    assert "✓" in out and "صحيح" in out

    assert check(3, key, name="q1") is False
    out = capsys.readouterr().out
    assert "expected a list of strings, got int" in out
    assert "المتوقع" in out

    assert check(["ترامب"], key) is False
    out = capsys.readouterr().out
    assert "✗" in out and "values differ" in out
    # never reveals the answer
    assert "الكاظمي" not in out

    assert check(None, key) is False
    assert "None" in capsys.readouterr().out

    assert check(print, key) is False
    assert "function" in capsys.readouterr().out


def test_check_number_and_dict_messages(capsys):
    assert not check("46", answer_hash(46))
    assert "expected a number, got str" in capsys.readouterr().out
    assert not check([1], answer_hash({"أ": 1}))
    assert "expected a dict" in capsys.readouterr().out
    assert check(46.0, answer_hash(46))
    assert check([], answer_hash([])) and not check(["x"], answer_hash([]))
    capsys.readouterr()
    assert not math.isnan(0.0)


def test_check_ordered(capsys):
    key = answer_hash(["ب", "أ"], ordered=True)
    assert check(["ب", "ا"], key, ordered=True)
    assert not check(["ا", "ب"], key, ordered=True)
