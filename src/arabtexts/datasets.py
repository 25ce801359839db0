"""The evidence-backed tables under ``data/``.

Every row of every table names the article it comes from (``article_id``), quotes the exact
passage of the raw text that backs it (``evidence``) and gives the passage's place in the raw
file (``evidence_start``, a Python ``str`` index). So every fact can be shown, checked and
cited at its place:

>>> from arabtexts.corpus import get_article
>>> start = locate("003", "مصطفى الكاظمي")
>>> get_article("003").text[start:start + len("مصطفى الكاظمي")]
'مصطفى الكاظمي'

The tables are documented column by column in ``data/README.md``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .corpus import ARTICLE_IDS, get_article
from .paths import data_dir

#: the tables, each stored as ``data/<name>.csv``
TABLES: tuple[str, ...] = (
    "people",
    "organizations",
    "places",
    "events",
    "figures",
    "quotes",
    "lists",
    "references",
    "lost_digits",
    "page_parts",
)

#: the columns every row of every table carries
EVIDENCE_COLUMNS: tuple[str, ...] = ("article_id", "evidence", "evidence_start")

#: the tables the gazetteer (spelling variants of named entities) is built from
ENTITY_TABLES: tuple[str, ...] = ("people", "organizations", "places")

# Columns converted from text to numbers when a table is loaded. Everything else stays text
# (ids such as "004" keep their leading zeros). Integer columns use pandas' nullable Int64,
# so an empty cell becomes <NA> rather than turning the column into floats.
_INT_NAMES = frozenset({
    "evidence_start", "start", "end", "evidence_end", "year", "month", "day",
    "order", "position", "n_items", "n_digits", "count", "footnote", "number", "item_no",
})
_INT_SUFFIXES = ("_start", "_end")
_FLOAT_NAMES = frozenset({"value", "lat", "lon"})


class UnknownTableError(KeyError):
    """Raised for a table name that is not one of :data:`TABLES`; the message lists them."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def table_path(name: str) -> Path:
    """The CSV file of a table: ``data/<name>.csv``.

    >>> table_path("people").name
    'people.csv'
    """
    _check_name(name)
    return data_dir() / f"{name}.csv"


def _check_name(name) -> None:
    if name not in TABLES:
        raise UnknownTableError(
            f"Unknown table {name!r}; valid tables are: {', '.join(TABLES)}"
        )


def _to_number(series: pd.Series, kind: str) -> pd.Series:
    """Convert a text column to numbers; leave it as text if any non-empty cell is not one."""
    text = series.fillna("").astype(str).str.strip()
    converted = pd.to_numeric(text.where(text != "", None), errors="coerce")
    if (converted.isna() & (text != "")).any():
        return series  # mixed content («نحو 2500»): keep the text, convert nothing
    return converted.astype("Int64" if kind == "int" else "Float64")


def load_table(name: str) -> pd.DataFrame:
    """Load one table of :data:`TABLES` from ``data/<name>.csv`` as a DataFrame.

    Ids stay text (``"004"`` keeps its zeros); ``evidence_start`` and the other position
    columns become integers. An unknown name raises :class:`UnknownTableError` listing the
    valid names.

    >>> people = load_table("people")
    >>> people.set_index("id").loc["kadhimi", "name_ar"]
    'مصطفى الكاظمي'
    >>> load_table("peoples")
    Traceback (most recent call last):
    ...
    arabtexts.datasets.UnknownTableError: Unknown table 'peoples'; valid tables are: people, organizations, places, events, figures, quotes, lists, references, lost_digits, page_parts
    """
    path = table_path(name)
    if not path.exists():
        raise FileNotFoundError(f"Table {name!r} has not been written yet: {path} is missing.")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for col in df.columns:
        if col in _INT_NAMES or col.endswith(_INT_SUFFIXES):
            df[col] = _to_number(df[col], "int")
        elif col in _FLOAT_NAMES:
            df[col] = _to_number(df[col], "float")
    return df


def available_tables() -> list[str]:
    """The names of the tables whose CSV file exists (in the order of :data:`TABLES`).

    >>> "people" in available_tables()
    True
    """
    return [n for n in TABLES if (data_dir() / f"{n}.csv").exists()]


@lru_cache(maxsize=None)
def _raw(article_id: str) -> str:
    return get_article(article_id).text


def locate(article_id, evidence: str, nth: int = 0) -> int:
    """The offset of the ``nth`` occurrence (0-based) of ``evidence`` in the raw text.

    A helper for curators: copy a passage from the raw file, ask where it is. The match is
    exact (no normalisation): «الســياسة» and «السياسة» are different strings here.

    >>> locate("001", "الكاظمي") < locate("001", "الكاظمي", nth=1)
    True
    >>> locate("001", "كلمة غير موجودة في النص")
    Traceback (most recent call last):
    ...
    ValueError: 'كلمة غير موجودة في النص' does not occur in the raw text of 001
    """
    if not evidence:
        raise ValueError("evidence must be a non-empty string")
    raw = _raw(get_article(article_id).id)
    positions = []
    i = raw.find(evidence)
    while i != -1:
        positions.append(i)
        i = raw.find(evidence, i + 1)
    if not positions:
        raise ValueError(f"{evidence!r} does not occur in the raw text of {article_id}")
    if not 0 <= nth < len(positions):
        raise ValueError(
            f"{evidence!r} occurs {len(positions)} time(s) in {article_id} "
            f"(at {positions}); nth={nth} is out of range"
        )
    return positions[nth]


def evidence_span(row) -> tuple[int, int]:
    """The ``[start, end)`` span of a row's evidence in its raw text.

    >>> row = load_table("people").set_index("id").loc["kadhimi"]
    >>> s, e = evidence_span(row)
    >>> "الكاظمي" in get_article(row["article_id"]).text[s:e]
    True
    """
    start = int(row["evidence_start"])
    return start, start + len(row["evidence"])


def _evidence_groups(columns) -> list[tuple[str, str, str]]:
    """(article column, evidence column, start column) for every evidence in a table.

    The main one is ``article_id``/``evidence``/``evidence_start``; a table may back further
    facts the same way, e.g. ``role_article_id``/``role_evidence``/``role_evidence_start``
    (people) or ``recovered_from_article``/``recovered_evidence``/``recovered_evidence_start``
    (lost_digits). Without its own article column, an evidence refers to ``article_id``.
    """
    groups = []
    for col in columns:
        if col == "evidence" or col.endswith("_evidence"):
            prefix = col[: -len("evidence")]
            candidates = (f"{prefix}article_id", f"{prefix}from_article", "article_id")
            art = next(c for c in candidates if c in columns or c == "article_id")
            groups.append((art, col, f"{col}_start"))
    return groups


def verify_evidence(name: str | None = None) -> list[str]:
    """Check every row's evidence against the raw text; return the problems found.

    For each row, ``raw[evidence_start:evidence_start + len(evidence)]`` must equal
    ``evidence``. Further evidence columns (``role_evidence`` with ``role_evidence_start``
    and ``role_article_id``) are checked the same way when they are filled in. With
    ``name=None`` every table whose CSV exists is checked. An empty list means all is well.

    >>> verify_evidence("people")
    []
    """
    names = available_tables() if name is None else [name]
    problems: list[str] = []
    for table in names:
        df = load_table(table)
        missing = [c for c in EVIDENCE_COLUMNS if c not in df.columns]
        if missing:
            problems.append(f"{table}: missing column(s) {missing}")
            continue
        for art_col, ev_col, start_col in _evidence_groups(list(df.columns)):
            if start_col not in df.columns:
                problems.append(f"{table}: column {ev_col!r} has no {start_col!r}")
                continue
            required = ev_col == "evidence"
            for i, row in df.iterrows():
                where = f"{table} row {i} (id={row.get('id', '?')}) {ev_col}"
                ev = row[ev_col]
                if not isinstance(ev, str) or not ev:
                    if required:
                        problems.append(f"{where}: empty evidence")
                    continue
                aid = str(row[art_col])
                if aid not in ARTICLE_IDS:
                    problems.append(f"{where}: unknown article id {aid!r}")
                    continue
                if pd.isna(row[start_col]):
                    problems.append(f"{where}: no {start_col}")
                    continue
                s = int(row[start_col])
                raw = _raw(aid)
                got = raw[s:s + len(ev)]
                if got != ev:
                    hint = raw.find(ev)
                    problems.append(
                        f"{where}: not at {s} in {aid}: found {got!r}"
                        + (f"; it does occur at {hint}" if hint >= 0 else "; it does not occur at all")
                    )
    return problems


def gazetteer() -> pd.DataFrame:
    """One row per spelling variant of every person, organisation and place.

    Columns: ``id``, ``variant`` (a spelling that occurs in the raw texts), ``type``
    (``person`` for people; the ``type`` column for organisations and places), ``name_ar``,
    ``name_en`` and ``table`` (where the entity is described). This is what
    ``arabtexts.extract.find_entities(text, gazetteer())`` looks names up in.

    >>> g = gazetteer()
    >>> variants = set(g.loc[g["id"] == "soleimani", "variant"])
    >>> {"سليماني", "سـليماني", "سُليماني", "سليمانى"} <= variants
    True
    >>> g.loc[g["variant"] == "البنتاغون", "table"].iloc[0]
    'organizations'
    """
    rows = []
    for table in ENTITY_TABLES:
        df = load_table(table)
        for _, r in df.iterrows():
            etype = "person" if table == "people" else r["type"]
            variants = [v for v in str(r["variants"]).split("|") if v.strip()]
            for v in dict.fromkeys(variants):  # keep order, drop duplicates
                rows.append({
                    "id": r["id"], "variant": v, "type": etype,
                    "name_ar": r["name_ar"], "name_en": r["name_en"], "table": table,
                })
    return pd.DataFrame(rows, columns=["id", "variant", "type", "name_ar", "name_en", "table"])
