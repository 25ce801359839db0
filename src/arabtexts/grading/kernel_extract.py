"""The code the grader sends into a student's kernel to read the declared values (kernel side).

This file is sent as *text* over the kernel protocol (the kernel never needs the course's
``assignments/`` folder) and defines one function, ``encode(value)``, which turns a value into
JSON-ready data of the documented subset (see :mod:`arabtexts.grading.serialize` for the format).
It uses only the standard library and, when the value is one of theirs, numpy, pandas and
matplotlib.

Nothing here is trusted: the student's code runs in the same kernel and may replace any of it.
That is fine by design — whatever this code hands back is *data*, decoded defensively and
compared in the grader's own process against expected values the kernel never sees.

Base-class methods are called directly (``int.__repr__(x)``, ``str.__str__(x)``), so an
``int`` or ``str`` subclass with its own ``__repr__``/``__eq__`` is read as the plain value it
holds:

>>> class Liar(int):
...     def __eq__(self, other): return True
...     def __repr__(self): return "42"
>>> encode(Liar(7))
{'t': 'int', 'v': '7'}
>>> encode(("عام", 2021))
{'t': 'tuple', 'v': [{'t': 'str', 'v': 'عام'}, {'t': 'int', 'v': '2021'}]}
"""

MAX_NODES = 200_000
MAX_CHARS = 4_000_000


class _Budget:
    def __init__(self):
        self.nodes = 0
        self.chars = 0


class _TooLarge(Exception):
    pass


def _mod(x):
    return getattr(type(x), "__module__", "") or ""


def _scalar(x, b):
    """numpy / pandas scalars and the plain builtins, or None if x is not a scalar."""
    if x is None:
        return {"t": "none"}
    if isinstance(x, bool):
        return {"t": "bool", "v": bool.__bool__(x) if type(x) is not bool else x}
    if isinstance(x, int):
        return {"t": "int", "v": int.__repr__(x)}
    if isinstance(x, float):
        return {"t": "float", "v": float.__repr__(x)}
    if isinstance(x, str):
        s = str.__str__(x)
        b.chars += len(s)
        if b.chars > MAX_CHARS:
            raise _TooLarge()
        return {"t": "str", "v": s}
    m = _mod(x)
    name = type(x).__name__
    if m.startswith("numpy"):
        if name in ("bool_", "bool"):
            return {"t": "bool", "v": bool(x.item())}
        if hasattr(x, "dtype") and getattr(x, "ndim", 1) == 0:
            kind = x.dtype.kind
            if kind in "iu":
                return {"t": "int", "v": repr(int(x.item()))}
            if kind == "f":
                return {"t": "float", "v": repr(float(x.item()))}
            if kind in "US":
                return _scalar(str(x.item()), b)
    if m.startswith("pandas"):
        if name in ("NAType", "NaTType"):
            return {"t": "none"}
        if name == "Timestamp":
            return _scalar(x.isoformat(), b)
    if m == "datetime" and name in ("date", "datetime"):
        return _scalar(x.isoformat(), b)
    return None


def _labels(index, b):
    names = [encode(n, b) for n in index.names]
    rows = []
    for lab in index.tolist():
        lab = lab if isinstance(lab, tuple) and index.nlevels > 1 else (lab,)
        rows.append([encode(v, b) for v in lab])
    return names, rows


def _positional(index) -> bool:
    try:
        return index.nlevels == 1 and index.name is None and (index.dtype.kind in "iu" or len(index) == 0)
    except Exception:  # noqa: BLE001
        return False


def _figure(fig, b):
    axes = []
    for ax in list(fig.get_axes()):
        bars = []
        for p in ax.patches:
            if type(p).__name__ == "Rectangle":
                try:
                    bars.append([float(p.get_x()), float(p.get_y()), float(p.get_width()), float(p.get_height())])
                except Exception:  # noqa: BLE001
                    pass
        lines = []
        for ln in ax.get_lines():
            try:
                lines.append([[float(v) if not isinstance(v, str) else v for v in ln.get_xdata()],
                              [float(v) for v in ln.get_ydata()]])
            except Exception:  # noqa: BLE001
                lines.append([[], []])
        axes.append({
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "xticklabels": [t.get_text() for t in ax.get_xticklabels() if t.get_text()],
            "yticklabels": [t.get_text() for t in ax.get_yticklabels() if t.get_text()],
            "bars": bars,
            "lines": lines,
            "texts": [t.get_text() for t in ax.texts if t.get_text()],
        })
    sup = getattr(fig, "_suptitle", None)
    return {"t": "figure", "axes": encode(axes, b),
            "suptitle": encode(sup.get_text() if sup is not None else "", b)}


def encode(value, b=None):
    """JSON-ready data for ``value`` (see the module documentation)."""
    top = b is None
    b = b or _Budget()
    try:
        b.nodes += 1
        if b.nodes > MAX_NODES:
            raise _TooLarge()
        s = _scalar(value, b)
        if s is not None:
            return s
        m, name = _mod(value), type(value).__name__
        if m.startswith("pandas") and name == "DataFrame":
            inames, index = _labels(value.index, b)
            cols = [encode(c if not isinstance(c, tuple) else " ".join(map(str, c)), b) for c in value.columns]
            rows = [[encode(v, b) for v in row] for row in value.itertuples(index=False, name=None)]
            return {"t": "df", "columns": cols, "index_names": inames, "index": index, "rows": rows,
                    "positional": _positional(value.index)}
        if m.startswith("pandas") and name == "Series":
            inames, index = _labels(value.index, b)
            return {"t": "series", "name": encode(value.name, b), "index_names": inames, "index": index,
                    "values": [encode(v, b) for v in value.tolist()], "positional": _positional(value.index)}
        if m.startswith("pandas") and name.endswith("Index"):
            return {"t": "list", "v": [encode(v, b) for v in value.tolist()]}
        if m.startswith("numpy") and name == "ndarray":
            return {"t": "list", "v": [encode(v, b) for v in value.tolist()]}
        if m.startswith("matplotlib") and name == "Figure":
            return _figure(value, b)
        if m.startswith("matplotlib") and hasattr(value, "get_figure") and name.endswith("Axes"):
            return _figure(value.get_figure(), b)
        if isinstance(value, tuple):
            return {"t": "tuple", "v": [encode(v, b) for v in tuple.__iter__(value)]}
        if isinstance(value, list):
            return {"t": "list", "v": [encode(v, b) for v in list.__iter__(value)]}
        if isinstance(value, range):
            return {"t": "list", "v": [encode(v, b) for v in value]}
        if isinstance(value, (set, frozenset)):
            return {"t": "set", "v": [encode(v, b) for v in set.__iter__(set(value))]}
        if isinstance(value, dict):
            return {"t": "dict", "v": [[encode(k, b), encode(v, b)] for k, v in dict.items(value)]}
        return {"t": "unsupported", "type": name[:80]}
    except _TooLarge:
        if top:
            return {"t": "unsupported", "type": "too-large"}
        raise
    except RecursionError:
        return {"t": "unsupported", "type": "too-deep"}
