"""arabtexts: the helpers of the course «Extracting and analysing Arabic texts on Iraqi–US relations».

One module per concern:

- :mod:`arabtexts.corpus`     the five texts and their catalogue
- :mod:`arabtexts.normalize`  Unicode-aware normalisation with a map back to the raw text
- :mod:`arabtexts.repair`     repair of PDF-extraction damage (the ``data/clean`` layer)
- :mod:`arabtexts.tokenize`   tokens, stop words, light clitic splitting
- :mod:`arabtexts.extract`    dates, numbers, quotations, enumerations (raw spans + values)
- :mod:`arabtexts.analysis`   frequency tables, n-grams, concordance, distinctive words
- :mod:`arabtexts.plotting`   matplotlib with correctly shaped Arabic labels
- :mod:`arabtexts.widgets`    ipywidgets tools for the notebooks
- :mod:`arabtexts.grading`    answer checking for nbgrader tests and self-learners

Submodules are imported lazily so that ``import arabtexts`` stays fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "corpus", "normalize", "repair", "tokenize", "extract", "analysis",
    "plotting", "widgets", "grading", "datasets",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in {"load_corpus", "get_article", "ARTICLE_IDS"}:
        return getattr(importlib.import_module(f"{__name__}.corpus"), name)
    if name == "normalize_text":
        return importlib.import_module(f"{__name__}.normalize").normalize
    raise AttributeError(f"module 'arabtexts' has no attribute {name!r}")


__all__ = sorted(_SUBMODULES | {"load_corpus", "get_article", "ARTICLE_IDS", "normalize_text"})
