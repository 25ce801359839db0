"""Declared checks: the value subset (encode in a kernel → decode in the grader) and its comparison.

Values are encoded with the very code sent into kernels (:mod:`arabtexts.grading.kernel_extract`)
and decoded with the grader's defensive decoder, so these tests cover the path real submissions
take, without a kernel.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from arabtexts.grading import kernel_extract, serialize
from arabtexts.grading.compare import Options, explain, value_hash, values_equal
from arabtexts.grading.declarations import Check, DeclarationError, questions, strip_declarations
from arabtexts.grading.values import ErrorValue, Table, Unsupported


def v(x):
    """What the grader sees of a kernel value."""
    return serialize.decode(json.loads(json.dumps(kernel_extract.encode(x))))


def same(a, b, **opts):
    o = Options(**opts)
    result = values_equal(v(a), v(b), o)
    # the self-check's hashed comparison agrees with the grader's, by construction
    assert (value_hash(v(a), o) == value_hash(v(b), o)) == result
    return result


def test_tuples_always_ordered_sets_never_lists_by_flag():
    assert not same((6, 3), (3, 6))
    assert not same([(3, 6), (1, 2)], [(6, 3), (2, 1)])
    assert same([(3, 6), (1, 2)], [(1, 2), (3, 6)])
    assert not same([(3, 6), (1, 2)], [(1, 2), (3, 6)], ordered=True)
    assert same({"ب", "أ"}, {"ا", "ب"}, ordered=True)
    assert same(["العراق", "إيران"], ["ايران", "العـراق"])


def test_numbers_precision_and_numpy_scalars():
    assert same(np.int64(46), 46) and same(np.float64(0.5), 0.5)
    assert same(51.92, 51.9231, digits=2) and not same(51.92, 51.9231)
    assert same(15.8, 15.84, digits=1) and not same(15.8, 15.86, digits=1)
    assert same(0.1 + 0.2, 0.3)
    assert not same(1, True)
    assert v(np.bool_(True)) is True


def test_fold_false_is_exact():
    assert same("خصوصًا", "خصوصا")
    assert not same("خصوصًا", "خصوصا", fold=False)
    assert not same("a\nb", "a b", fold=False)


def test_index_named_like_a_column_and_unnamed_index():
    base = pd.DataFrame({"speaker": ["الكاظمي", "بايدن"], "n": [3, 2]})
    dup = base.set_index("speaker", drop=False)  # index named like a column: no crash
    assert same(dup, base)
    labelled = base.set_index(pd.Index(["x", "y"]))  # an unnamed index is not a column
    assert same(labelled, base)
    named = base.set_index("speaker")  # a named index is data
    assert same(named, base)
    assert not same(named, base.assign(n=[3, 1]))
    only = Options(columns=("speaker",))
    assert values_equal(v(base.assign(extra=[1, 2])), v(base), only)
    assert values_equal(v(named), v(base), only), "an index level may be named in columns"


def test_series_and_dicts():
    s = pd.Series({"العـراق": 46, "ايران": 12})
    assert same(s, {"العراق": 46, "إيران": 12})
    assert same(pd.Series([3, 1, 2]), [1, 2, 3])
    assert not same({"العراق": 46}, {"العراق": 47})


def test_figures_are_compared_by_what_they_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def chart(heights, title="الحضور"):
        fig, ax = plt.subplots()
        ax.bar(["أ", "ب"], heights)
        ax.set_title(title)
        return fig

    empty = plt.figure()
    a, b, c, d = chart([1, 2]), chart([1, 2]), chart([2, 1]), chart([1, 2], "آخر")
    assert same(a, b)
    assert not same(empty, a)
    assert not same(a, c)
    msgs = explain(v(d), v(a), label="chart")
    assert any("title" in m for m in msgs)
    plt.close("all")


def test_types_when_declared():
    c = Check.from_dict({"expr": "x", "type": "set", "visible": True}, 1)
    assert explain(v(["أ"]), v({"أ"}), c.options, label="x", required=c.type)
    assert explain(v({"أ"}), v({"أ"}), c.options, label="x", required=c.type) == []
    b = Check.from_dict({"expr": "is_name('x')", "type": "bool"}, 1)
    assert explain(v(np.bool_(True)), v(True), b.options, label=b.label, required=b.type) == []
    assert explain(v(1), v(True), b.options, label=b.label, required=b.type)


SECRET = "الجوابالسري"


@pytest.mark.parametrize("got, expected", [
    ("نص", SECRET),
    (["أ"], ["أ", SECRET]),
    ({"أ": 1}, {"أ": 1, SECRET: 2}),
    (pd.DataFrame({"w": ["أ"]}), pd.DataFrame({"w": ["أ", SECRET]})),
    ((1, "ب"), (1, SECRET)),
    (3, 4),
])
def test_messages_are_bilingual_and_never_show_the_expected_value(got, expected):
    msgs = explain(v(got), v(expected), label="hidden check 2")
    assert msgs
    for m in msgs:
        assert SECRET not in m and " · " in m
        assert m.startswith("hidden check 2: ")
    if isinstance(expected, int):
        assert all("4" not in m for m in msgs)


def test_hostile_objects_are_read_as_plain_data():
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

        def __repr__(self):
            return "597"

    class Sneaky(str):
        def __str__(self):
            return "right"

    assert v(Liar(3)) == 3 and not same(Liar(3), 597)
    assert v(Sneaky("wrong")) == "wrong"
    assert isinstance(v(lambda: 1), Unsupported)
    assert isinstance(v(object()), Unsupported)


def test_decoder_refuses_malformed_and_oversized_data():
    assert isinstance(serialize.decode({"t": "int", "v": "1" * 10_000}), ErrorValue)
    assert isinstance(serialize.decode({"t": "list", "v": "notalist"}), ErrorValue)
    assert isinstance(serialize.decode({"t": "exec", "v": "import os"}), ErrorValue)
    deep = {"t": "none"}
    for _ in range(500):
        deep = {"t": "list", "v": [deep]}
    assert isinstance(serialize.decode(deep), ErrorValue)
    assert isinstance(serialize.decode({"t": "df", "columns": [], "index_names": [], "index": [], "rows": [[1]]}),
                      ErrorValue)
    good = json.dumps({"nonce": "n1", "values": [kernel_extract.encode(1)]})
    assert serialize.decode_payload(good, "n1", 1) == [1]
    assert serialize.decode_payload(good, "other", 1) is None
    assert serialize.decode_payload(good, "n1", 2) is None
    assert serialize.decode_payload("x" * (serialize.MAX_PAYLOAD + 1), "n1", 1) is None
    big = kernel_extract.encode(["x" * 1000] * 10_000)
    assert big == {"t": "unsupported", "type": "too-large"}
    assert isinstance(v(pd.DataFrame({"a": [1]})), Table)


def test_declarations_are_validated_and_stripped():
    import nbformat

    with pytest.raises(DeclarationError):
        Check.from_dict({"expr": "x", "type": "tensor"}, 1)
    with pytest.raises(DeclarationError):
        Check.from_dict({"expr": "x", "digits": -1}, 1)
    with pytest.raises(DeclarationError):
        Check.from_dict({"expr": "x", "colour": "red"}, 1)
    cell = nbformat.v4.new_code_cell("assert True", metadata={
        "nbgrader": {"grade": True, "solution": False, "grade_id": "q1", "points": 2},
        "arabtexts": {"checks": [{"expr": "f('سري')", "label": "f on a hidden input"}], "other": 1}})
    nb = nbformat.v4.new_notebook(cells=[cell])
    (q,) = questions(nb)
    assert q.points == 2 and q.checks[0].label == "f on a hidden input"
    assert strip_declarations(nb) == 1
    assert cell.metadata["arabtexts"] == {"other": 1}
    with pytest.raises(DeclarationError):
        questions(nb)
