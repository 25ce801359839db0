"""Answer checking: for nbgrader tests, lecture notebooks and self-learners.

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

from .normalize import fold

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
