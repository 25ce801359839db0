"""The five texts and their catalogue.

>>> from arabtexts.corpus import get_article
>>> art = get_article("003")
>>> art.published
'2021-07-30'
>>> "الحوار الاستراتيجي" in art.text
True
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from .paths import data_dir

#: ids in course order (by date of publication)
ARTICLE_IDS: tuple[str, ...] = ("001", "003", "000", "004", "002")


class UnknownArticleError(KeyError):
    """Raised for an article id that is not in the corpus; the message lists the valid ids."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True)
class Article:
    """One text of the corpus: its raw text (byte-identical to the seed) and its metadata."""

    id: str
    text: str
    meta: dict = field(repr=False)

    def __getattr__(self, name):
        try:
            return self.meta[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def raw(self) -> str:
        """Alias of :attr:`text`: the raw layer."""
        return self.text

    @property
    def clean(self) -> str:
        """The repaired layer (``data/clean/<file>``), built by :mod:`arabtexts.repair`."""
        return _read_layer("clean", self.meta["file"])

    @property
    def body(self) -> str:
        """The raw text with everything but the article's running text blanked (same offsets).

        See :func:`body_text`; ``part="page"`` elsewhere means the whole text.

        >>> "أخبار المركز" in get_article("003").body
        False
        """
        return body_text(self.id, "raw")

    @property
    def clean_body(self) -> str:
        """The clean layer with everything but the running text blanked (clean offsets)."""
        return body_text(self.id, "clean")

    @property
    def annotated(self) -> str:
        """The repaired layer with lost digits marked visibly (``data/clean/annotated/``)."""
        return _read_layer("clean/annotated", self.meta["file"])


@lru_cache(maxsize=None)
def _catalogue() -> tuple[dict, ...]:
    with open(data_dir() / "articles.csv", encoding="utf-8", newline="") as f:
        return tuple(dict(r) for r in csv.DictReader(f))


@lru_cache(maxsize=None)
def _read_layer(layer: str, file: str) -> str:
    path = data_dir() / layer / file
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing; rebuild the derived layers with `python -m arabtexts.repair`."
        )
    return path.read_text(encoding="utf-8")


def _resolve(article_id) -> dict:
    key = str(article_id).strip()
    if key.isdigit():
        key = key.zfill(3)
    for row in _catalogue():
        if key in (row["id"], row["file"], row["file"].removesuffix(".txt"), row["original_file"]):
            return row
    valid = ", ".join(ARTICLE_IDS)
    raise UnknownArticleError(f"Unknown article id {article_id!r}; valid ids are: {valid}")


def get_article(article_id) -> Article:
    """Return one article: its raw text and its metadata.

    ``article_id`` is the catalogue id (``"003"``, or ``3``), the readable file name or the
    original file name. An unknown id raises :class:`UnknownArticleError` listing valid ids.

    >>> get_article("001").author_ar
    'فراس إلياس'
    """
    row = _resolve(article_id)
    return Article(id=row["id"], text=_read_layer("raw", row["file"]), meta=dict(row))


def load_corpus(layer: str = "raw", part: str = "page") -> pd.DataFrame:
    """All five texts as a DataFrame (one row per article, in course order).

    Columns: the catalogue columns of ``data/articles.csv`` (with ``body_start`` and
    ``body_end``, raw offsets) plus ``layer``, ``text`` (the chosen layer: ``"raw"``,
    ``"clean"`` or ``"annotated"``) and ``n_chars``. With ``part="body"`` the ``text`` is the
    article body only (:func:`body_text`: furniture, notes and references blanked, offsets
    kept). The counting helpers of :mod:`arabtexts.analysis` count the body of this frame
    by default either way.

    >>> df = load_corpus()
    >>> list(df["id"])
    ['001', '003', '000', '004', '002']
    >>> load_corpus(part="body").set_index("id").loc["002", "text"].count("بايدن")
    0
    """
    if layer not in {"raw", "clean", "annotated"}:
        raise ValueError(f"layer must be 'raw', 'clean' or 'annotated', not {layer!r}")
    if part not in PARTS:
        raise ValueError(f"part must be 'body' or 'page', not {part!r}")
    if part == "body" and layer == "annotated":
        raise ValueError("the body is kept for layer 'raw' or 'clean', not 'annotated'")
    folder = {"raw": "raw", "clean": "clean", "annotated": "clean/annotated"}[layer]
    rows = []
    for row in sorted(_catalogue(), key=lambda r: int(r["order"])):
        text = _read_layer(folder, row["file"]) if part == "page" else body_text(row["id"], layer)
        rows.append({**row, "order": int(row["order"]), "body_start": int(row["body_start"]),
                     "body_end": int(row["body_end"]), "layer": layer, "text": text,
                     "n_chars": len(text)})
    return pd.DataFrame(rows)


def page_text(article_id, layer: str = "raw") -> str:
    """The whole text of one layer (``"raw"``, ``"clean"`` or ``"annotated"``).

    >>> page_text("003").startswith("أخبار المركز")
    True
    """
    folder = {"raw": "raw", "clean": "clean", "annotated": "clean/annotated"}.get(layer)
    if folder is None:
        raise ValueError(f"layer must be 'raw', 'clean' or 'annotated', not {layer!r}")
    return _read_layer(folder, _resolve(article_id)["file"])


def sha256_of(article_id) -> str:
    """SHA-256 of the raw file's bytes (compare with ``data/SHA256SUMS``)."""
    row = _resolve(article_id)
    return hashlib.sha256((data_dir() / "raw" / row["file"]).read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# article bodies: what is running text and what is page furniture, notes or references

#: kinds of page part that are not running text (``data/page_parts.csv``); see ``data/README.md``
PART_KINDS: dict[str, str] = {
    "header": "title, byline, date line, author block or keywords",
    "ticker": "a site's news ticker (headlines of other pieces)",
    "furniture": "page furniture such as a download link",
    "abstract": "the Arabic abstract of the paper (it restates the paper)",
    "abstract_en": "the English title page and abstract",
    "references": "the bibliography",
    "footnote": "a footnote (with the URL line that continues it)",
    "source": "the source line of a table or figure",
    "url": "a line that is only a URL",
    "marker": "a footnote marker inside running text, «⁽³⁾»",
}

#: the two ways of reading a text: the article's running text, or the whole page
PARTS = ("body", "page")


@lru_cache(maxsize=None)
def _page_parts() -> tuple[dict, ...]:
    path = data_dir() / "page_parts.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; rebuild it with `python scripts/build_page_parts.py`.")
    with open(path, encoding="utf-8", newline="") as f:
        return tuple(dict(r) for r in csv.DictReader(f))


def page_parts(article_id=None) -> pd.DataFrame:
    """The parts of each page that are **not** running text of the article, as a DataFrame.

    One row per part: ``id``, ``article_id``, ``kind`` (see :data:`PART_KINDS`), ``start``,
    ``end`` (a ``[start, end)`` span of the raw text), ``in_body`` (``True`` for footnotes,
    sources and markers that sit between the body's first and last line), ``note`` and the
    exact raw ``text``. With ``article_id`` only that text's parts.

    >>> parts = page_parts("003")
    >>> list(parts["kind"])
    ['ticker', 'header', 'furniture']
    >>> get_article("003").text[parts["start"][0]:].startswith("أخبار المركز")
    True
    """
    rows = _page_parts()
    if article_id is not None:
        aid = _resolve(article_id)["id"]
        rows = [r for r in rows if r["article_id"] == aid]
    df = pd.DataFrame(
        [{"id": r["id"], "article_id": r["article_id"], "kind": r["kind"],
          "start": int(r["evidence_start"]), "end": int(r["evidence_start"]) + len(r["evidence"]),
          "in_body": r["in_body"] == "yes", "note": r["note"], "text": r["evidence"]}
         for r in rows],
        columns=["id", "article_id", "kind", "start", "end", "in_body", "note", "text"],
    )
    return df


@lru_cache(maxsize=None)
def _body_mask(article_id: str) -> tuple[bool, ...]:
    """For every raw character of one text: is it running text of the article body?"""
    row = _resolve(article_id)
    n = len(_read_layer("raw", row["file"]))
    start, end = int(row["body_start"]), int(row["body_end"])
    mask = [start <= i < end for i in range(n)]
    for p in _page_parts():
        if p["article_id"] == row["id"]:
            s = int(p["evidence_start"])
            for i in range(s, s + len(p["evidence"])):
                mask[i] = False
    return tuple(mask)


def body_spans(article_id) -> list[tuple[int, int]]:
    """The ``[start, end)`` raw spans of an article's running text, in order.

    The body runs from the catalogue's ``body_start`` to ``body_end`` and leaves out every
    part of :func:`page_parts` (footnotes, sources, markers …) that lies inside it.

    >>> spans = body_spans("003")
    >>> get_article("003").text[spans[0][0]:].startswith("وقع الرئيس الأمريكي جو بايدن")
    True
    """
    mask = _body_mask(_resolve(article_id)["id"])
    spans, start = [], None
    for i, keep in enumerate(mask):
        if keep and start is None:
            start = i
        elif not keep and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(mask)))
    return spans


def in_body(article_id, start: int, end: int | None = None) -> bool:
    """Is the raw span ``[start, end)`` (or the character at ``start``) all article body?

    >>> t = get_article("003").text
    >>> in_body("003", t.index("مركز \\"المستقبل\\""))        # the news ticker
    False
    >>> in_body("003", t.index("وقع الرئيس"), t.index("وقع الرئيس") + 3)
    True
    """
    mask = _body_mask(_resolve(article_id)["id"])
    end = start + 1 if end is None else end
    if not 0 <= start < end <= len(mask):
        raise IndexError(f"span ({start}, {end}) outside 0..{len(mask)}")
    return all(mask[start:end])


def _blank(text: str, keep) -> str:
    """Replace every character whose ``keep`` is false by a space (line breaks stay)."""
    return "".join(c if k or c == "\n" else " " for c, k in zip(text, keep))


@lru_cache(maxsize=None)
def _clean_offsets(article_id: str) -> tuple[int, ...]:
    from .repair import repair_article  # late import: repair imports this module

    row = _resolve(article_id)
    rep = repair_article(row["id"])
    if rep.text != _read_layer("clean", row["file"]):
        raise RuntimeError(
            f"data/clean/{row['file']} is out of date with the repair code; rebuild the layers "
            "with `python -m arabtexts.repair`."
        )
    return rep.offsets


@lru_cache(maxsize=None)
def body_text(article_id, layer: str = "raw") -> str:
    """An article's body in one layer, **with the offsets of that layer kept**.

    Every character that is not running text of the article (ticker, title block, footnotes,
    sources, references, URLs, footnote markers; see :func:`page_parts`) becomes a space; line
    breaks stay. So ``len(body_text(a)) == len(get_article(a).text)``, a span found in the
    body is a span of the raw text, and counts on it leave the furniture out. ``layer`` is
    ``"raw"`` or ``"clean"`` (the clean layer is mapped through the repair's offset map).

    >>> a = get_article("002")
    >>> a.text.count("بايدن"), body_text("002").count("بايدن")   # both are in citations
    (2, 0)
    >>> len(body_text("002")) == len(a.text)
    True
    """
    row = _resolve(article_id)
    mask = _body_mask(row["id"])
    if layer == "raw":
        return _blank(_read_layer("raw", row["file"]), mask)
    if layer == "clean":
        offsets = _clean_offsets(row["id"])
        text = _read_layer("clean", row["file"])
        return _blank(text, (mask[offsets[i]] if offsets[i] < len(mask) else False
                             for i in range(len(text))))
    raise ValueError(f"the body is kept for layer 'raw' or 'clean', not {layer!r}")
