"""Answer comparison: one canonical form for the grader, the self-check and the lessons' ``check()``.

Three tools, one idea: an answer is reduced to a *canonical form* before it is compared
or hashed, so that the things a reader would call "the same answer" are equal.

- Arabic (and Latin) strings are compared after :func:`arabtexts.normalize.fold`:
  tatweel, diacritics, alef variants (أ إ آ ٱ), ى/ي, ة/ه, Latin case, Arabic-Indic digits
  and repeated white space do not matter.
- Lists, tuples and sets are compared element by element, **order ignored** unless
  ``ordered=True`` (the flag applies at every level of nesting). A list and a tuple with
  the same items are the same answer; so are a set and a list without duplicates.
- Dicts are compared key by key (keys folded too). A pandas ``Series`` with a labelled
  index is a dict (label → value); with an unnamed integer index it is a list.
- A pandas ``DataFrame`` is compared as a table: the set of (folded) column names and its
  rows (order ignored unless ``ordered=True``). A labelled index is treated as a column.
- Numbers compare with a tolerance (``int`` and ``float`` alike: ``46 == 46.0``);
  ``bool`` is not a number here.

>>> same_answer("الســياسة", "السياسة")
True
>>> same_answer(["العراق", "أمريكا"], ("امريكا", "العراق"))
True
>>> same_answer(["العراق", "أمريكا"], ["امريكا", "العراق"], ordered=True)
False
>>> answer_hash("الولايـات المتحدة") == answer_hash("الولايات المتحده")
True

:func:`check` is the self-check of the lecture notebooks: it compares an answer with a
hash and says ✓ or ✗ in English and Arabic, never revealing the expected value.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
from typing import Any

from ..normalize import fold

__all__ = ["same_answer", "answer_hash", "check", "canonical", "describe", "AnswerTypeError"]

#: bumped if the canonical form ever changes (old hashes would then stop matching)
HASH_VERSION = "arabtexts-answer-v1"
#: digits kept when a number is hashed (answers are compared to about 1e-6)
HASH_DIGITS = 6


class AnswerTypeError(TypeError):
    """An answer contains a value that cannot be compared (e.g. a function or a widget)."""


# --------------------------------------------------------------------------------------
# canonical form
# --------------------------------------------------------------------------------------


def _is_missing(x) -> bool:
    try:
        import pandas as pd

        return x is pd.NA or x is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def _num(x) -> float:
    return float(x)


def _sort_key(item) -> str:
    """A stable ordering of canonical items (numbers rounded so near-equal ones sort alike)."""
    return json.dumps(_rounded(item), ensure_ascii=False, sort_keys=True)


def _rounded(item):
    kind = item[0]
    if kind == "n":
        return ["n", _fmt_number(item[1])]
    if kind in ("list", "bag"):
        return [kind, [_rounded(i) for i in item[1]]]
    if kind == "dict":
        return ["dict", [[_rounded(k), _rounded(v)] for k, v in item[1]]]
    if kind == "table":
        return ["table", item[1], [[_rounded(c) for c in row] for row in item[2]]]
    return list(item)


def _fmt_number(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    r = round(x, HASH_DIGITS)
    if r == 0:
        r = 0.0  # no "-0.000000"
    return f"{r:.{HASH_DIGITS}f}"


def _pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return None
    return pd


def _index_is_positional(index) -> bool:
    """An unnamed integer index carries no meaning (it is a row number)."""
    pd = _pandas()
    if index.nlevels != 1 or index.name is not None:
        return False
    return pd.api.types.is_integer_dtype(index.dtype) or len(index) == 0


def canonical(value: Any, *, ordered: bool = False):
    """The canonical form of an answer: nested lists tagged with a kind.

    Kinds: ``s`` (folded string), ``n`` (number), ``b`` (bool), ``null``, ``list``
    (ordered sequence), ``bag`` (unordered collection, sorted), ``dict``, ``table``.

    >>> canonical("أمريكـا")
    ['s', 'امريكا']
    >>> canonical({"ب": 2, "أ": 1})
    ['dict', [[['s', 'ا'], ['n', 1.0]], [['s', 'ب'], ['n', 2.0]]]]
    """
    pd = _pandas()
    if value is None or _is_missing(value):
        return ["null"]
    if isinstance(value, bool):
        return ["b", value]
    if type(value).__name__ == "bool_":  # numpy.bool_
        return ["b", bool(value)]
    if isinstance(value, str):
        return ["s", fold(value)]
    if isinstance(value, numbers.Number):
        if isinstance(value, complex):
            raise AnswerTypeError("complex numbers are not supported as answers")
        x = _num(value)
        return ["n", x]
    if pd is not None and isinstance(value, pd.DataFrame):
        df = value
        if not _index_is_positional(df.index):
            df = df.reset_index()
        cols = [fold(str(c)) for c in df.columns]
        order = sorted(range(len(cols)), key=lambda i: cols[i])
        rows = []
        for row in df.itertuples(index=False, name=None):
            rows.append([canonical(row[i], ordered=ordered) for i in order])
        if not ordered:
            rows.sort(key=_sort_key)
        return ["table", [cols[i] for i in order], rows]
    if pd is not None and isinstance(value, pd.Series):
        if _index_is_positional(value.index):
            return canonical(value.tolist(), ordered=ordered)
        return canonical(dict(zip(value.index.tolist(), value.tolist())), ordered=ordered)
    if isinstance(value, dict):
        pairs = [[canonical(k, ordered=ordered), canonical(v, ordered=ordered)] for k, v in value.items()]
        pairs.sort(key=lambda kv: _sort_key(kv[0]))
        return ["dict", pairs]
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):  # numpy array / scalar
        return canonical(value.tolist(), ordered=ordered)
    if isinstance(value, (set, frozenset)):
        items = sorted((canonical(v, ordered=ordered) for v in value), key=_sort_key)
        return ["bag", items]
    if isinstance(value, (list, tuple, range)) or (
        pd is not None and isinstance(value, (pd.Index,))
    ):
        items = [canonical(v, ordered=ordered) for v in value]
        if ordered:
            return ["list", items]
        return ["bag", sorted(items, key=_sort_key)]
    if callable(value):
        raise AnswerTypeError(
            f"this answer is a function ({getattr(value, '__name__', 'callable')}); "
            "call it and check its result instead"
        )
    raise AnswerTypeError(
        f"answers of type {type(value).__name__} cannot be compared; "
        "use str, numbers, lists, sets, dicts or pandas objects"
    )


# --------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------


def _close(a: float, b: float, tol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _equal(x, y, tol: float) -> bool:
    kx, ky = x[0], y[0]
    if {kx, ky} == {"list", "bag"}:  # cannot happen within one `ordered` setting
        return False
    if kx != ky:
        return False
    if kx == "n":
        return _close(x[1], y[1], tol)
    if kx in ("s", "b"):
        return x[1] == y[1]
    if kx == "null":
        return True
    if kx in ("list", "bag"):
        return len(x[1]) == len(y[1]) and all(_equal(a, b, tol) for a, b in zip(x[1], y[1]))
    if kx == "dict":
        return len(x[1]) == len(y[1]) and all(
            _equal(ka, kb, tol) and _equal(va, vb, tol)
            for (ka, va), (kb, vb) in zip(x[1], y[1])
        )
    if kx == "table":
        return (
            x[1] == y[1]
            and len(x[2]) == len(y[2])
            and all(
                len(ra) == len(rb) and all(_equal(a, b, tol) for a, b in zip(ra, rb))
                for ra, rb in zip(x[2], y[2])
            )
        )
    return False  # pragma: no cover


def same_answer(a: Any, b: Any, *, ordered: bool = False, tol: float = 1e-6) -> bool:
    """``True`` if two answers are the same once folded and canonicalised.

    Strings fold (tatweel, diacritics, alef variants, ى/ي, ة/ه, case, spaces):

    >>> same_answer("الكـاظمي", "الكاظمي")
    True
    >>> same_answer("إيران", "ايران")
    True
    >>> same_answer("خصوصًا", "خصوصا")
    True
    >>> same_answer("العراق", "ايران")
    False

    Collections are compared element-wise, order ignored unless ``ordered=True``:

    >>> same_answer({"العراق", "واشنطن"}, ["واشنطن", "العـراق"])
    True
    >>> same_answer([1, 2, 3], [3, 2, 1], ordered=True)
    False
    >>> same_answer({"العراق": 46}, {"العـراق": 46.0})
    True

    Numbers compare with a tolerance; ``bool`` is not a number:

    >>> same_answer(0.1 + 0.2, 0.3)
    True
    >>> same_answer(1, True)
    False

    pandas objects: a Series with labels is a dict, a DataFrame a table of rows.

    >>> import pandas as pd
    >>> df1 = pd.DataFrame({"word": ["العراق", "إيران"], "n": [3, 2]})
    >>> df2 = pd.DataFrame({"n": [2, 3], "word": ["ايران", "العـراق"]})
    >>> same_answer(df1, df2)
    True
    >>> same_answer(df1.set_index("word")["n"], {"ايران": 2, "العراق": 3})
    True
    """
    return _equal(canonical(a, ordered=ordered), canonical(b, ordered=ordered), tol)


# --------------------------------------------------------------------------------------
# hashing and shapes
# --------------------------------------------------------------------------------------


def _shape(c) -> str:
    kind = c[0]
    if kind == "s":
        return "str"
    if kind == "n":
        return "number"
    if kind == "b":
        return "bool"
    if kind == "null":
        return "None"
    if kind in ("list", "bag"):
        inner = {_shape(i) for i in c[1]} - {"None"} or {_shape(i) for i in c[1]}
        if not inner:
            return "list[]"
        return f"list[{inner.pop() if len(inner) == 1 else 'mixed'}]"
    if kind == "dict":
        if not c[1]:
            return "dict[]"
        ks = {_shape(k) for k, _ in c[1]}
        vs = {_shape(v) for _, v in c[1]}
        k = ks.pop() if len(ks) == 1 else "mixed"
        v = vs.pop() if len(vs) == 1 else "mixed"
        return f"dict[{k},{v}]"
    if kind == "table":
        return "table"
    return "unknown"  # pragma: no cover


def describe(value: Any) -> str:
    """A short description of an answer's shape (never of its values).

    >>> describe(["العراق", "إيران"])
    'list[str]'
    >>> describe({"العراق": 46})
    'dict[str,number]'
    >>> describe(46)
    'number'
    """
    try:
        return _shape(canonical(value))
    except AnswerTypeError:
        return type(value).__name__


def answer_hash(value: Any, *, ordered: bool = False) -> str:
    """A short, stable fingerprint of an answer: ``"<shape>:<16 hex digits>"``.

    The shape (e.g. ``list[str]``, ``number``) is kept in clear so that :func:`check` can
    say "expected a list of strings, got int" without knowing the answer; the digits are a
    SHA-256 of the canonical form (strings folded, unordered collections sorted, numbers
    rounded to 6 decimals).

    >>> answer_hash("الكاظمي").split(":")[0]
    'str'
    >>> answer_hash("الكـاظمي") == answer_hash("الكاظمى")
    True
    >>> answer_hash([3, 1, 2]) == answer_hash([1, 2, 3])
    True
    >>> answer_hash([3, 1, 2], ordered=True) == answer_hash([1, 2, 3], ordered=True)
    False
    >>> answer_hash(46) == answer_hash(46.0000001)
    True
    """
    c = canonical(value, ordered=ordered)
    payload = json.dumps([HASH_VERSION, _rounded(c)], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return f"{_shape(c)}:{digest}"


# --------------------------------------------------------------------------------------
# self-check
# --------------------------------------------------------------------------------------

_EN = {"str": "a string", "number": "a number", "bool": "True or False", "None": "None",
       "table": "a table (DataFrame)", "mixed": "mixed values", "unknown": "a value"}
_EN_PLURAL = {"str": "strings", "number": "numbers", "bool": "booleans", "None": "None values",
              "table": "tables", "mixed": "mixed values"}
_AR = {"str": "نص", "number": "عدد", "bool": "قيمة منطقية (True/False)", "None": "لا شيء (None)",
       "table": "جدول (DataFrame)", "mixed": "قيم مختلطة", "unknown": "قيمة"}


def _split_shape(shape: str) -> tuple[str, str]:
    if "[" in shape and shape.endswith("]"):
        head, inner = shape.split("[", 1)
        return head, inner[:-1]
    return shape, ""


def _say_en(shape: str) -> str:
    head, inner = _split_shape(shape)
    if head == "list":
        return "a list" + (f" of {_EN_PLURAL.get(inner, inner)}" if inner and inner != "mixed" else "")
    if head == "dict":
        if inner and "," in inner:
            k, v = inner.split(",", 1)
            return f"a dict ({_EN_PLURAL.get(k, k)} → {_EN_PLURAL.get(v, v)})"
        return "a dict"
    return _EN.get(shape, shape)


def _say_ar(shape: str) -> str:
    head, inner = _split_shape(shape)
    if head == "list":
        return "قائمة" + (f" من {_AR.get(inner, inner)}" if inner and inner != "mixed" else "")
    if head == "dict":
        return "قاموس (dict)"
    return _AR.get(shape, shape)


def _compatible(expected: str, got: str) -> bool:
    if expected == got:
        return True
    eh, ei = _split_shape(expected)
    gh, gi = _split_shape(got)
    # an empty or partly-None collection has no clear element type
    return eh == gh and (not ei or not gi or "mixed" in (ei, gi) or gi == "None")


def check(answer: Any, expected_hash: str, *, ordered: bool = False, name: str | None = None) -> bool:
    """Check an answer against a hash from :func:`answer_hash`; print ✓ or ✗; return a bool.

    The message is in English and Arabic and never reveals the expected answer. A wrong
    type is named ("expected a list of strings, got int").

    >>> key = answer_hash(["الكاظمي", "ترامب"])
    >>> check(["ترامـب", "الكاظمي"], key, name="q1")
    ✓ q1: correct. | صحيح.
    True
    >>> check(3, key, name="q1")
    ✗ q1: expected a list of strings, got int. | المتوقع: قائمة من نص، والمعطى: عدد (int).
    False
    >>> check(["ترامب"], key, name="q1")
    ✗ q1: not yet right (the type, list, is fine; the values differ). | ليس صحيحًا بعد: النوع صحيح والقيم مختلفة.
    False
    """
    label = f"{name}: " if name else ""
    expected_shape = expected_hash.rsplit(":", 1)[0] if ":" in expected_hash else ""
    try:
        got = answer_hash(answer, ordered=ordered)
    except AnswerTypeError as exc:
        print(f"✗ {label}{exc}. | لا يمكن مقارنة هذا النوع من الإجابات ({type(answer).__name__}).")
        return False
    if got == expected_hash:
        print(f"✓ {label}correct. | صحيح.")
        return True
    got_shape = got.rsplit(":", 1)[0]
    pytype = type(answer).__name__
    if answer is None and expected_shape != "None":
        print(f"✗ {label}no answer yet (the value is None). | لم تُكتب إجابة بعد (القيمة None).")
        return False
    if expected_shape and not _compatible(expected_shape, got_shape):
        print(
            f"✗ {label}expected {_say_en(expected_shape)}, got {pytype}. | "
            f"المتوقع: {_say_ar(expected_shape)}، والمعطى: {_say_ar(got_shape)} ({pytype})."
        )
        return False
    head = _split_shape(got_shape)[0]
    print(
        f"✗ {label}not yet right (the type, {head}, is fine; the values differ). | "
        "ليس صحيحًا بعد: النوع صحيح والقيم مختلفة."
    )
    return False


# --------------------------------------------------------------------------------------
# declared checks: comparing the data a kernel handed in (see .values) with expected data
# --------------------------------------------------------------------------------------

from dataclasses import dataclass as _dataclass  # noqa: E402

from .values import (  # noqa: E402
    DictValue, ErrorValue, FigureValue, SeriesValue, SetValue, Table, Unsupported, kind_of,
)

#: kinds accepted by a check's ``type`` (numpy scalars are already plain bool/int/float here)
TYPES = {"str", "int", "float", "number", "bool", "list", "tuple", "set", "dict", "DataFrame",
         "Series", "figure", "none"}


@_dataclass(frozen=True)
class Options:
    """How one declared check compares (see :mod:`.declarations`)."""

    ordered: bool = False
    fold: bool = True
    digits: int | None = None
    columns: tuple | None = None


def _key(item) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, default=str)


def _cnum(x, o: Options):
    x = float(x)
    if not (math.isnan(x) or math.isinf(x)):
        # the stated precision, else 6 decimals: the grader and the hashed self-check agree exactly
        x = round(x, HASH_DIGITS if o.digits is None else o.digits) + 0.0
    return ["n", x]


def _table_columns(t: Table, o: Options):
    """(names, rows) of a table after the index rules: an unnamed index is ignored; a named index
    is a column unless a column of that name exists; with ``columns`` only those, from the
    columns or the index levels."""
    names = [fold(str(c)) for c in t.columns]
    rows = [list(r) for r in t.rows]
    inames = [fold(str(n)) if n is not None else None for n in t.index_names]
    if o.columns is not None:
        want = [fold(str(c)) for c in o.columns]
        out_rows = [[] for _ in rows]
        out_names = []
        for w in want:
            if w in names:
                j = names.index(w)
                for r, row in zip(out_rows, rows):
                    r.append(row[j])
            elif w in inames:
                j = inames.index(w)
                for r, lab in zip(out_rows, t.index):
                    r.append(lab[j] if j < len(lab) else None)
            else:
                raise _MissingColumn(w)
            out_names.append(w)
        return out_names, out_rows
    if not t.positional and all(n is not None for n in inames):
        for j, n in enumerate(inames):
            if n in names:
                continue
            names = names + [n]
            rows = [row + [lab[j] if j < len(lab) else None] for row, lab in zip(rows, t.index)]
    return names, rows


class _MissingColumn(Exception):
    pass


def canonical_value(v, o: Options = Options(), *, _in_figure: bool = False):
    """The canonical form of a decoded value (see :mod:`.values`) under a check's options.

    Tuples are always ordered, sets never; lists follow ``ordered``; strings are folded
    unless ``fold`` is false; numbers are rounded to ``digits`` when given.

    >>> canonical_value((6, 3)) == canonical_value((3, 6))
    False
    >>> canonical_value(["ب", "أ"]) == canonical_value(["ا", "ب"])
    True
    >>> canonical_value("إيران", Options(fold=False)) == canonical_value("ايران", Options(fold=False))
    False
    """
    if v is None:
        return ["null"]
    if isinstance(v, bool):
        return ["b", v]
    if isinstance(v, (int, float)):
        return _cnum(v, o)
    if isinstance(v, str):
        return ["s", fold(v) if o.fold else v]
    if isinstance(v, tuple):
        return ["list", [canonical_value(x, o, _in_figure=_in_figure) for x in v]]
    if isinstance(v, list):
        items = [canonical_value(x, o, _in_figure=_in_figure) for x in v]
        if o.ordered or _in_figure:
            return ["list", items]
        return ["bag", sorted(items, key=_key)]
    if isinstance(v, SetValue):
        return ["bag", sorted((canonical_value(x, o) for x in v.items), key=_key)]
    if isinstance(v, DictValue):
        pairs = [[canonical_value(k, o), canonical_value(x, o)] for k, x in v.pairs]
        return ["dict", sorted(pairs, key=lambda p: _key(p[0]))]
    if isinstance(v, SeriesValue):
        if v.positional:
            return canonical_value(list(v.values), o)
        labels = [lab[0] if len(lab) == 1 else tuple(lab) for lab in v.index]
        return canonical_value(DictValue(tuple(zip(labels, v.values))), o)
    if isinstance(v, Table):
        names, rows = _table_columns(v, o)
        order = sorted(range(len(names)), key=lambda i: names[i]) if o.columns is None else range(len(names))
        crows = [[canonical_value(r[i], o) for i in order] for r in rows]
        if not o.ordered:
            crows.sort(key=_key)
        return ["table", [names[i] for i in order], crows]
    if isinstance(v, FigureValue):
        axes = []
        for ax in v.axes:
            axes.append([[k, canonical_value(ax.get(k), o, _in_figure=True)] for k in sorted(ax)])
        return ["figure", canonical_value(v.suptitle, o), axes]
    raise AnswerTypeError(f"values of type {kind_of(v)} cannot be compared")


def _eq(x, y, tol: float) -> bool:
    if x[0] == "figure" or y[0] == "figure":
        return x[0] == y[0] and _eq(x[1], y[1], tol) and len(x[2]) == len(y[2]) and all(
            len(a) == len(b) and all(ka == kb and _eq(va, vb, tol) for (ka, va), (kb, vb) in zip(a, b))
            for a, b in zip(x[2], y[2]))
    return _equal(x, y, tol)


def _tol(o: Options) -> float:
    return 1e-12  # numbers are already rounded (see _cnum)


def values_equal(got, expected, o: Options = Options()) -> bool:
    """Whether two decoded values are the same answer under ``o``.

    >>> values_equal(51.9231, 51.92, Options(digits=2))
    True
    >>> values_equal(51.9231, 51.92)
    False
    """
    try:
        return _eq(canonical_value(got, o), canonical_value(expected, o), _tol(o))
    except (AnswerTypeError, _MissingColumn):
        return False


def value_hash(v, o: Options = Options()) -> str:
    """A fingerprint of a decoded value under ``o`` (the self-check's hashed key).

    Numbers are hashed rounded to ``digits`` (or to 6 decimals), strings folded unless told not.

    >>> value_hash((3, 6)) == value_hash((3.0000001, 6))
    True
    """
    c = canonical_value(v, o)
    payload = json.dumps([HASH_VERSION, "check", _rounded_value(c)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def _rounded_value(item):
    kind = item[0]
    if kind == "n":
        return ["n", _fmt_number(item[1])]
    if kind in ("list", "bag"):
        return [kind, [_rounded_value(i) for i in item[1]]]
    if kind == "dict":
        return ["dict", [[_rounded_value(k), _rounded_value(v)] for k, v in item[1]]]
    if kind == "table":
        return ["table", item[1], [[_rounded_value(c) for c in row] for row in item[2]]]
    if kind == "figure":
        return ["figure", _rounded_value(item[1]), [[[k, _rounded_value(v)] for k, v in ax] for ax in item[2]]]
    return list(item)


# ---- messages: which part failed and how, in English and Arabic, never the expected value

_KIND_EN = {"str": "a string", "int": "an int", "float": "a float", "number": "a number", "bool": "True or False",
            "none": "None", "list": "a list", "tuple": "a tuple", "set": "a set", "dict": "a dict",
            "DataFrame": "a DataFrame (table)", "Series": "a Series", "figure": "a matplotlib figure",
            "unsupported": "an unsupported value"}
_KIND_AR = {"str": "نصًّا (str)", "int": "عددًا صحيحًا (int)", "float": "عددًا عشريًّا (float)",
            "number": "عددًا", "bool": "قيمة منطقية (True/False)", "none": "None", "list": "قائمة (list)",
            "tuple": "صفًّا مرتّبًا (tuple)", "set": "مجموعة (set)", "dict": "قاموسًا (dict)",
            "DataFrame": "جدولًا (DataFrame)", "Series": "سلسلة (Series)", "figure": "رسمًا بيانيًّا (figure)",
            "unsupported": "قيمة غير مدعومة"}


def _kind_ok(required: str, got: str) -> bool:
    if required == got:
        return True
    if required == "number":
        return got in ("int", "float")
    return False


def _natural(kind: str) -> str:
    """Kinds that stand for one another when no ``type`` is declared (as the lessons' check())."""
    return {"int": "number", "float": "number", "tuple": "seq", "list": "seq", "set": "seq",
            "Series": "map", "dict": "map"}.get(kind, kind)


def _msg(label: str, en: str, ar: str) -> str:
    return f"{label}: {en} · {ar}"


def _counts(got_items, exp_items, tol) -> tuple[int, int]:
    """(missing, extra) between two lists of canonical items, as multisets."""
    rest = list(exp_items)
    extra = 0
    for g in got_items:
        for i, e in enumerate(rest):
            if _eq(g, e, tol):
                del rest[i]
                break
        else:
            extra += 1
    return len(rest), extra


def _explain_collection(label, cg, ce, tol, what_en="items", what_ar="عناصر") -> list[str]:
    out = []
    g, e = cg[1], ce[1]
    missing, extra = _counts(g, e, tol)
    if len(g) != len(e):
        out.append(_msg(label, f"has {len(g)} {what_en}, not the number expected",
                        f"فيها {len(g)} من ال{what_ar}، وهذا غير العدد المتوقع"))
    if missing or extra:
        out.append(_msg(label, f"{missing} expected {what_en} are missing and {extra} are not expected",
                        f"ينقص {missing} من ال{what_ar} المتوقعة، و{extra} غير متوقعة"))
    elif cg[0] == "list" or ce[0] == "list":
        out.append(_msg(label, f"the {what_en} are right but not in the expected order",
                        f"ال{what_ar} صحيحة لكن ترتيبها غير المتوقع"))
    return out


_EXPECTED_CACHE: dict = {}


def _canonical_expected(expected, o: Options):
    """canonical_value of an expected value, computed once per batch: every student's answer is
    compared with the same expected objects (the entry keeps the object, so its id stays its own)."""
    key = (id(expected), o)
    hit = _EXPECTED_CACHE.get(key)
    if hit is not None and hit[0] is expected:
        return hit[1]
    ce = canonical_value(expected, o)
    if len(_EXPECTED_CACHE) > 4096:
        _EXPECTED_CACHE.clear()
    _EXPECTED_CACHE[key] = (expected, ce)
    return ce


def explain(got, expected, o: Options = Options(), *, label: str = "answer", required: str | None = None,
            show_error_text: bool = False) -> list[str]:
    """Why ``got`` is not ``expected`` (empty list: it is right). Bilingual, never the expected value.

    >>> explain([1, 2], [1, 2, 3], label="n")
    ['n: has 2 items, not the number expected · فيها 2 من العناصر، وهذا غير العدد المتوقع', 'n: 1 expected items are missing and 0 are not expected · ينقص 1 من العناصر المتوقعة، و0 غير متوقعة']
    >>> explain((6, 3), (3, 6), label="span")
    ['span: the items are right but not in the expected order · العناصر صحيحة لكن ترتيبها غير المتوقع']
    >>> explain("3", 3, label="n_raw")
    ['n_raw: expected a number, got a string · المتوقع عددًا، والمعطى نصًّا (str)']
    """
    gk, ek = kind_of(got), kind_of(expected)
    if gk == "error":
        if got.type == "BadData":
            return [_msg(label, "the value could not be read back from your notebook",
                         "تعذّرت قراءة القيمة من دفترك")]
        text = f" ({got.message})" if show_error_text and got.message else ""
        if got.type == "NameError":
            return [_msg(label, f"is not defined: run or write the answer first{text}",
                         "غير معرّف: اكتب الإجابة أو شغّلها أولًا")]
        if got.type == "NotImplementedError":
            return [_msg(label, "is not answered yet (NotImplementedError)", "لم تُجب عنه بعد (NotImplementedError)")]
        if got.type in ("NoValue", "NotRun", "DeadKernel"):
            return [_msg(label, "could not be read from your notebook (the kernel stopped, or the notebook changed "
                                "how its cells run)", "تعذّرت قراءته من دفترك (توقّف المُشغِّل أو غُيّرت طريقة تشغيل الخلايا)")]
        if got.type == "Timeout":
            return [_msg(label, "took too long and was stopped (an endless loop?)",
                         "استغرق وقتًا طويلًا فأُوقف (حلقة لا تنتهي؟)")]
        return [_msg(label, f"raised {got.type}{text}", f"أثار خطأً من نوع {got.type}")]
    if gk == "unsupported":
        return [_msg(label, f"is of type {got.type}, which cannot be compared (use str, numbers, lists, "
                            "tuples, sets, dicts or pandas objects)",
                     f"من نوع {got.type} ولا يمكن مقارنته")]
    if ek in ("error", "unsupported"):
        return [_msg(label, "has no expected value (the course's solution failed here: tell your instructor)",
                     "لا توجد قيمة متوقعة (أخبر مدرّسك)")]
    if required and required in TYPES and not _kind_ok(required, gk):
        return [_msg(label, f"must be {_KIND_EN[required]}, got {_KIND_EN.get(gk, gk)}",
                     f"يجب أن يكون {_KIND_AR[required]}، والمعطى {_KIND_AR.get(gk, gk)}")]
    if _natural(gk) != _natural(ek) and not (gk == "none" and ek == "none"):
        want = required if required in TYPES else ("number" if _natural(ek) == "number" else ek)
        return [_msg(label, f"expected {_KIND_EN.get(want, want)}, got {_KIND_EN.get(gk, gk)}",
                     f"المتوقع {_KIND_AR.get(want, want)}، والمعطى {_KIND_AR.get(gk, gk)}")]
    try:
        cg = canonical_value(got, o)
    except _MissingColumn:
        return [_msg(label, "a required column is missing from the table", "ينقص الجدولَ عمودٌ مطلوب")]
    except AnswerTypeError:
        return [_msg(label, "contains a value that cannot be compared", "يحتوي قيمة لا يمكن مقارنتها")]
    try:
        ce = _canonical_expected(expected, o)
    except (_MissingColumn, AnswerTypeError):
        return [_msg(label, "has no usable expected value (tell your instructor)", "لا توجد قيمة متوقعة صالحة")]
    tol = _tol(o)
    if _eq(cg, ce, tol):
        return []
    if cg[0] != ce[0]:
        if {cg[0], ce[0]} <= {"list", "bag", "dict"}:
            return [_msg(label, f"expected {_KIND_EN.get(ek, ek)}, got {_KIND_EN.get(gk, gk)}",
                         f"المتوقع {_KIND_AR.get(ek, ek)}، والمعطى {_KIND_AR.get(gk, gk)}")]
        return [_msg(label, "the value is not right", "القيمة غير صحيحة")]
    kind = cg[0]
    if kind == "n":
        if o.digits is not None:
            return [_msg(label, f"the number is not right when rounded to {o.digits} decimal(s)",
                         f"العدد غير صحيح بعد تقريبه إلى {o.digits} من المنازل العشرية")]
        return [_msg(label, "the number is not right", "العدد غير صحيح")]
    if kind == "s":
        return [_msg(label, "the text is not right" + ("" if o.fold else " (compared exactly, letter by letter)"),
                     "النص غير صحيح" + ("" if o.fold else " (المقارنة حرفًا بحرف)"))]
    if kind in ("list", "bag"):
        out = _explain_collection(label, cg, ce, tol)
        return out or [_msg(label, "some items are not right", "بعض العناصر غير صحيحة")]
    if kind == "dict":
        gkeys = [k for k, _ in cg[1]]
        ekeys = [k for k, _ in ce[1]]
        missing, extra = _counts(gkeys, ekeys, tol)
        out = []
        if missing or extra:
            out.append(_msg(label, f"{missing} expected keys are missing and {extra} keys are not expected",
                            f"ينقص {missing} من المفاتيح المتوقعة، و{extra} مفاتيح غير متوقعة"))
        wrong = sum(1 for k, v in cg[1] for k2, v2 in ce[1] if _eq(k, k2, tol) and not _eq(v, v2, tol))
        if wrong:
            out.append(_msg(label, f"{wrong} value(s) are not right", f"{wrong} من القيم غير صحيحة"))
        return out or [_msg(label, "the mapping is not right", "القاموس غير صحيح")]
    if kind == "table":
        out = []
        if cg[1] != ce[1]:
            extra_cols = [c for c in cg[1] if c not in ce[1]]
            n_missing = len([c for c in ce[1] if c not in cg[1]])
            out.append(_msg(label, f"{n_missing} expected column(s) are missing"
                                   + (f"; not expected: {', '.join(map(str, extra_cols))}" if extra_cols else ""),
                            f"ينقص {n_missing} من الأعمدة المتوقعة"
                            + (f"؛ أعمدة غير متوقعة: {'، '.join(map(str, extra_cols))}" if extra_cols else "")))
            return out
        kind = "list" if o.ordered else "bag"
        out = _explain_collection(label, [kind, [["list", r] for r in cg[2]]], [kind, [["list", r] for r in ce[2]]],
                                  tol, "rows", "صفوف")
        return out or [_msg(label, "some rows are not right", "بعض الصفوف غير صحيحة")]
    if kind == "figure":
        out = []
        if len(cg[2]) != len(ce[2]):
            return [_msg(label, f"the figure has {len(cg[2])} plot area(s) (axes), not the number expected",
                         f"في الرسم {len(cg[2])} من مناطق الرسم، وهذا غير العدد المتوقع")]
        names_en = {"bars": "bars", "lines": "lines", "title": "title", "xlabel": "x-axis label",
                    "ylabel": "y-axis label", "xticklabels": "x tick labels", "yticklabels": "y tick labels",
                    "texts": "texts"}
        names_ar = {"bars": "الأعمدة", "lines": "الخطوط", "title": "العنوان", "xlabel": "عنوان المحور الأفقي",
                    "ylabel": "عنوان المحور الرأسي", "xticklabels": "تسميات المحور الأفقي",
                    "yticklabels": "تسميات المحور الرأسي", "texts": "النصوص"}
        for i, (a, b) in enumerate(zip(cg[2], ce[2]), 1):
            for (k, va), (_, vb) in zip(a, b):
                if not _eq(va, vb, tol):
                    out.append(_msg(label, f"plot {i}: the {names_en.get(k, k)} are not as expected",
                                    f"الرسم {i}: {names_ar.get(k, k)} ليست كما هو متوقع"))
        if not _eq(cg[1], ce[1], tol):
            out.append(_msg(label, "the figure's title is not as expected", "عنوان الرسم ليس كما هو متوقع"))
        return out or [_msg(label, "the figure does not draw what is expected", "الرسم لا يُظهر المتوقع")]
    return [_msg(label, "the value is not right", "القيمة غير صحيحة")]
