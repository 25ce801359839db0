"""The documented value subset: produced in the student's kernel, parsed defensively in the grader.

Format (JSON; each value is an object with a tag ``t``):

========== ====================================================================
``str``     ``{"t": "str", "v": "العراق"}``
``int``     ``{"t": "int", "v": "46"}`` (decimal text: big integers survive)
``float``   ``{"t": "float", "v": "51.92"}`` (``repr``; ``nan``, ``inf`` allowed)
``bool``    ``{"t": "bool", "v": true}`` (numpy booleans too)
``none``    ``{"t": "none"}`` (``None``, ``pd.NA``, ``pd.NaT``)
``list``    ``{"t": "list", "v": [...]}`` (lists, numpy arrays, pandas Index)
``tuple``   ``{"t": "tuple", "v": [...]}``
``set``     ``{"t": "set", "v": [...]}``
``dict``    ``{"t": "dict", "v": [[key, value], ...]}``
``df``      a DataFrame: ``columns``, ``index_names``, ``index`` (one list of labels per row),
            ``rows``, ``positional`` (unnamed integer index)
``series``  a Series: ``name``, ``index_names``, ``index``, ``values``, ``positional``
``figure``  a matplotlib figure: ``axes`` (title, labels, tick labels, bars, lines, texts), ``suptitle``
``error``   the expression raised: ``type``, ``message``
``unsupported`` anything else: ``type``
========== ====================================================================

:func:`kernel_code` is the text sent into the kernel; :func:`decode` turns the kernel's JSON
into the inert objects of :mod:`.values`, refusing anything malformed, too large or too deep
(a hostile kernel may send anything at all).

>>> decode({"t": "tuple", "v": [{"t": "int", "v": "3"}, {"t": "int", "v": "6"}]})
(3, 6)
>>> decode({"t": "str", "v": "عام"})
'عام'
>>> decode({"t": "int", "v": "3e999"})
ErrorValue(type='BadData', message='malformed value')
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from .values import DictValue, ErrorValue, FigureValue, SeriesValue, SetValue, Table, Unsupported

#: largest JSON text accepted from a kernel for one value (bytes)
MAX_PAYLOAD = 16 * 2**20
MAX_DEPTH = 60
MAX_INT_DIGITS = 4000
#: the media type of the values a kernel displays for the grader
MIME = "text/x-arabtexts-values"


class BadData(ValueError):
    """The kernel's data is not in the documented subset."""


def kernel_code() -> str:
    """Python source defining ``encode`` (from :mod:`.kernel_extract`), to run in a kernel."""
    return (Path(__file__).with_name("kernel_extract.py")).read_text(encoding="utf-8")


def extraction_cell(exprs: list[str], nonce: str) -> str:
    """Code that evaluates each expression in the user namespace and displays the encoded results.

    Each expression is evaluated on its own (one failing expression does not hide the others);
    the result goes out as one ``display_data`` of type :data:`MIME`, tagged with ``nonce``.
    """
    return (
        "def _arabtexts_extract(_exprs, _nonce):\n"
        "    import json as _json\n"
        "    _ns = get_ipython().user_ns\n"
        "    _enc = _ns['_arabtexts_encode_ns']['encode']\n"
        "    _out = []\n"
        "    for _e in _exprs:\n"
        "        try:\n"
        "            _v = eval(_e, _ns)\n"
        "            _out.append(_enc(_v))\n"
        "        except BaseException as _x:\n"
        "            _out.append({'t': 'error', 'type': type(_x).__name__[:80],\n"
        "                         'message': str(_x)[:300] if not isinstance(_x, KeyboardInterrupt) else ''})\n"
        "    from IPython.display import display as _d\n"
        f"    _d({{{MIME!r}: _json.dumps({{'nonce': _nonce, 'values': _out}})}}, raw=True)\n"
        f"_arabtexts_extract({json.dumps(exprs, ensure_ascii=False)}, {nonce!r})\n"
        "del _arabtexts_extract\n"
    )


def setup_code() -> str:
    """Code that defines the encoder in the kernel under one private name."""
    return (
        "_arabtexts_encode_ns = {}\n"
        f"exec(compile({kernel_code()!r}, '<arabtexts-extract>', 'exec'), _arabtexts_encode_ns)\n"
    )


def _num_text(s) -> str:
    if not isinstance(s, str) or len(s) > MAX_INT_DIGITS + 2:
        raise BadData("number")
    return s


def _dec(d, depth: int):
    if depth > MAX_DEPTH:
        raise BadData("too deep")
    if not isinstance(d, dict):
        raise BadData("not an object")
    t = d.get("t")
    if t == "str":
        v = d.get("v")
        if not isinstance(v, str):
            raise BadData("str")
        return v
    if t == "int":
        s = _num_text(d.get("v"))
        if not s.lstrip("-").isdigit():
            raise BadData("int")
        return int(s)
    if t == "float":
        s = _num_text(d.get("v"))
        try:
            x = float(s)
        except ValueError as exc:
            raise BadData("float") from exc
        if s.strip().lower() not in ("nan", "inf", "-inf") and math.isinf(x):
            raise BadData("float")
        return x
    if t == "bool":
        v = d.get("v")
        if not isinstance(v, bool):
            raise BadData("bool")
        return v
    if t == "none":
        return None
    if t in ("list", "tuple", "set"):
        v = d.get("v")
        if not isinstance(v, list):
            raise BadData(t)
        items = [_dec(x, depth + 1) for x in v]
        if t == "list":
            return items
        if t == "tuple":
            return tuple(items)
        return SetValue(tuple(items))
    if t == "dict":
        v = d.get("v")
        if not isinstance(v, list) or not all(isinstance(p, list) and len(p) == 2 for p in v):
            raise BadData("dict")
        return DictValue(tuple((_dec(k, depth + 1), _dec(x, depth + 1)) for k, x in v))
    if t in ("df", "series"):
        names = d.get("index_names")
        index = d.get("index")
        if not isinstance(names, list) or not isinstance(index, list) or not all(isinstance(r, list) for r in index):
            raise BadData(t)
        inames = [_dec(n, depth + 1) for n in names]
        ilabels = [[_dec(x, depth + 2) for x in r] for r in index]
        positional = bool(d.get("positional") is True)
        if t == "df":
            cols, rows = d.get("columns"), d.get("rows")
            if not isinstance(cols, list) or not isinstance(rows, list) or \
                    not all(isinstance(r, list) and len(r) == len(cols) for r in rows):
                raise BadData("df")
            return Table([str(_dec(c, depth + 1)) for c in cols], inames, ilabels,
                         [[_dec(x, depth + 2) for x in r] for r in rows], positional)
        values = d.get("values")
        if not isinstance(values, list) or len(values) != len(ilabels):
            raise BadData("series")
        return SeriesValue(_dec(d.get("name", {"t": "none"}), depth + 1), inames, ilabels,
                           [_dec(x, depth + 1) for x in values], positional)
    if t == "figure":
        axes = _dec(d.get("axes", {"t": "list", "v": []}), depth + 1)
        if not isinstance(axes, list) or not all(isinstance(a, DictValue) for a in axes):
            raise BadData("figure")
        sup = _dec(d.get("suptitle", {"t": "str", "v": ""}), depth + 1)
        return FigureValue([dict(a.pairs) for a in axes], sup if isinstance(sup, str) else "")
    if t == "error":
        return ErrorValue(str(d.get("type", "Error"))[:80], str(d.get("message", ""))[:300])
    if t == "unsupported":
        return Unsupported(str(d.get("type", "?"))[:80])
    raise BadData(f"unknown tag {str(t)[:20]!r}")


def decode(data):
    """The inert value for one encoded value (an :class:`~.values.ErrorValue` if it is malformed)."""
    try:
        return _dec(data, 0)
    except (BadData, RecursionError, ValueError, TypeError):
        return ErrorValue("BadData", "malformed value")


def decode_payload(text: str, nonce: str, n: int) -> list | None:
    """The ``n`` values of one extraction output, or ``None`` if the text is not one
    (wrong nonce, wrong count, too large, not JSON)."""
    if not isinstance(text, str) or len(text) > MAX_PAYLOAD:
        return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("nonce") != nonce or not isinstance(obj.get("values"), list):
        return None
    if len(obj["values"]) != n:
        return None
    return [decode(v) for v in obj["values"]]
