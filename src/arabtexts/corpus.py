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


def load_corpus(layer: str = "raw") -> pd.DataFrame:
    """All five texts as a DataFrame (one row per article, in course order).

    Columns: the catalogue columns of ``data/articles.csv`` plus ``text`` (the chosen layer:
    ``"raw"``, ``"clean"`` or ``"annotated"``) and ``n_chars``.

    >>> df = load_corpus()
    >>> list(df["id"])
    ['001', '003', '000', '004', '002']
    """
    if layer not in {"raw", "clean", "annotated"}:
        raise ValueError(f"layer must be 'raw', 'clean' or 'annotated', not {layer!r}")
    folder = {"raw": "raw", "clean": "clean", "annotated": "clean/annotated"}[layer]
    rows = []
    for row in sorted(_catalogue(), key=lambda r: int(r["order"])):
        text = _read_layer(folder, row["file"])
        rows.append({**row, "order": int(row["order"]), "text": text, "n_chars": len(text)})
    return pd.DataFrame(rows)


def sha256_of(article_id) -> str:
    """SHA-256 of the raw file's bytes (compare with ``data/SHA256SUMS``)."""
    row = _resolve(article_id)
    return hashlib.sha256((data_dir() / "raw" / row["file"]).read_bytes()).hexdigest()
