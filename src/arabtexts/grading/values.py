"""The plain values a student's kernel hands to the grader (the decoded side of :mod:`.serialize`).

A submission is graded on *data only*: every declared check is evaluated in the student's
kernel, serialised there to JSON by :mod:`.kernel_extract`, and decoded here into these
small, inert Python objects. None of them can run code: a custom ``__eq__``, an ``int``
subclass or a patched builtin in the student's kernel can change the data handed in, never how
the grader compares it.

Plain ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``tuple`` are used as they
are; the classes below stand for the rest.

>>> t = Table(columns=["كلمة", "عدد"], index_names=[None], index=[[0], [1]],
...           rows=[["العراق", 3], ["إيران", 2]], positional=True)
>>> t.n_rows
2
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SetValue:
    """A set (its items in any order)."""

    items: tuple


@dataclass(frozen=True)
class DictValue:
    """A dict as (key, value) pairs, in the student's order."""

    pairs: tuple


@dataclass(frozen=True)
class Table:
    """A pandas DataFrame as data: column names, index (names and one row of labels per row), rows."""

    columns: list
    index_names: list
    index: list
    rows: list
    positional: bool = True

    @property
    def n_rows(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class SeriesValue:
    """A pandas Series: a list when its index is positional (unnamed integers), else label → value."""

    name: object
    index_names: list
    index: list
    values: list
    positional: bool = True


@dataclass(frozen=True)
class FigureValue:
    """What a matplotlib figure draws: per axes its title, axis labels, tick labels, bars, lines, texts.

    ``axes`` is a list of dicts with the keys ``title``, ``xlabel``, ``ylabel``, ``xticklabels``,
    ``yticklabels``, ``bars`` (list of [x, y, width, height]), ``lines`` (list of [xdata, ydata])
    and ``texts``; ``suptitle`` is the figure's own title.
    """

    axes: list
    suptitle: str = ""


@dataclass(frozen=True)
class ErrorValue:
    """The check's expression raised in the student's kernel (or never produced a value)."""

    type: str
    message: str = ""


@dataclass(frozen=True)
class Unsupported:
    """A value outside the documented subset (a function, a widget, an open file …)."""

    type: str
    detail: str = field(default="")


def kind_of(value) -> str:
    """The documented kind of a decoded value: str, int, float, bool, none, list, tuple, set,
    dict, DataFrame, Series, figure, error or unsupported.

    >>> kind_of(3), kind_of(3.0), kind_of(True), kind_of("نص"), kind_of((1, 2))
    ('int', 'float', 'bool', 'str', 'tuple')
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, tuple):
        return "tuple"
    if isinstance(value, list):
        return "list"
    return {SetValue: "set", DictValue: "dict", Table: "DataFrame", SeriesValue: "Series",
            FigureValue: "figure", ErrorValue: "error", Unsupported: "unsupported"}.get(type(value), "unsupported")
