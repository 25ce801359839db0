"""Counting and comparing words: frequency tables, n-grams, concordance, distinctive words.

Every function takes one text (a ``str``), several texts (a list, a dict ``id -> text``, a
pandas Series) or the corpus DataFrame of :func:`arabtexts.corpus.load_corpus`, and returns a
pandas DataFrame.

**Article bodies by default.** A text that is one of the corpus pages (raw or clean layer,
from :func:`~arabtexts.corpus.load_corpus`, :func:`~arabtexts.corpus.get_article` or a
dict/list of such texts) is counted on its *article body*: the news ticker, title block,
footnotes, sources, bibliography, URLs and footnote markers are left out
(:func:`arabtexts.corpus.body_text`; offsets stay those of the page). Pass ``part="page"``
to count whole pages. Every result says what it counted in ``result.attrs["part"]``
(``"body"``, ``"page"`` or ``"as given"`` for your own strings).

Words are compared after normalisation by default
(:func:`arabtexts.normalize.normalize`: tatweel, diacritics and hamzated alef are folded), so
«العــراق» and «العراق» count as the same word.

>>> frequency_table("قال العــراق إن العراق دولة ذات سيادة")  # doctest: +NORMALIZE_WHITESPACE
     word  count  share
0  العراق      2    0.4
1    دولة      1    0.2
2   سيادة      1    0.2
3     قال      1    0.2
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterable

import numpy as np
import pandas as pd

from .normalize import Normalized, normalize
from .tokenize import stopwords, words

__all__ = [
    "frequency_table",
    "ngrams",
    "kwic",
    "distinctive_words",
    "term_counts",
    "as_texts",
    "entity_counts",
]

#: id used when a single string is passed where several texts are accepted
SINGLE_ID = "text"

#: characters that belong to a word (letters, digits, tatweel, Arabic combining marks);
#: used for whole-word matching
_WORD_CHAR = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]"
#: an Arabic letter (words without one are Latin words or numbers)
_ARABIC_LETTER = r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]"
#: punctuation that ends a phrase: n-grams never cross it
_PHRASE_BREAK = re.compile(r"[.!?؟،,؛;:«»\"“”()\[\]{}…\u2013\u2014/\\|*•]|\s-\s|\n\s*\n")


# ---------------------------------------------------------------------------------------------
# inputs


def as_texts(text_or_texts, part: str = "body") -> dict[str, str]:
    """Turn any accepted input into an ordered dict ``id -> text``.

    Accepted: a ``str`` (id ``"text"``), an :class:`~arabtexts.corpus.Article`, a list or
    tuple of strings (ids ``"0"``, ``"1"``, …) or of Articles, a dict, a pandas Series
    (index -> text) or a DataFrame with ``id`` and ``text`` columns (the corpus).

    With ``part="body"`` (the default) every text that is a whole corpus page (raw or clean)
    is replaced by its article body (same length, furniture blanked; see
    :func:`arabtexts.corpus.body_text`); other strings stay as given. ``part="page"`` keeps
    every text as given.

    >>> as_texts(["العراق", "إيران"])
    {'0': 'العراق', '1': 'إيران'}
    >>> as_texts("بغداد")
    {'text': 'بغداد'}
    >>> from arabtexts.corpus import get_article
    >>> "أخبار المركز" in as_texts(get_article("003"))["003"]
    False
    >>> "أخبار المركز" in as_texts(get_article("003"), part="page")["003"]
    True
    """
    return _as_texts(text_or_texts, part)[0]


def _as_texts(x, part: str) -> tuple[dict[str, str], str]:
    """(id -> text, what was counted: "body", "page" or "as given")."""
    if part not in ("body", "page"):
        raise ValueError(f"part must be 'body' (article bodies) or 'page' (whole texts), not {part!r}")
    texts = _plain_texts(x)
    if part == "page":
        return texts, "page"
    pages = _pages()
    out, found = {}, set()
    for k, t in texts.items():
        hit = pages.get(t)
        if hit is None:
            out[k] = t
            found.add("as given")
        else:
            from .corpus import body_text

            out[k] = body_text(*hit)
            found.add("body")
    return out, ("body" if found == {"body"} else "as given" if found == {"as given"}
                 else "body where the text is a corpus page, as given otherwise")


@lru_cache(maxsize=1)
def _pages() -> dict[str, tuple[str, str]]:
    """Every corpus page (raw and clean layers) -> (article id, layer)."""
    from .corpus import ARTICLE_IDS, page_text

    out = {}
    for aid in ARTICLE_IDS:
        for layer in ("raw", "clean"):
            try:
                out[page_text(aid, layer)] = (aid, layer)
            except FileNotFoundError:
                pass
    return out


def _said(df: pd.DataFrame, part: str) -> pd.DataFrame:
    """Record in the result what was counted (``df.attrs["part"]``)."""
    df.attrs["part"] = part
    return df


def _plain_texts(x) -> dict[str, str]:
    if isinstance(x, str):
        return {SINGLE_ID: x}
    if hasattr(x, "id") and hasattr(x, "text") and isinstance(getattr(x, "text"), str):
        return {str(x.id): x.text}
    if isinstance(x, pd.DataFrame):
        if "text" not in x.columns:
            raise ValueError("a DataFrame of texts needs a 'text' column (and an 'id' column)")
        ids = x["id"] if "id" in x.columns else x.index
        return {str(i): str(t) for i, t in zip(ids, x["text"])}
    if isinstance(x, pd.Series):
        return {str(i): str(t) for i, t in x.items()}
    if isinstance(x, dict):
        return {str(k): _text_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        out: dict[str, str] = {}
        for i, v in enumerate(x):
            if hasattr(v, "id") and hasattr(v, "text"):
                out[str(v.id)] = v.text
            else:
                out[str(i)] = _text_of(v)
        return out
    raise TypeError(
        "expected a str, a list/dict/Series of str, an Article or the corpus DataFrame, "
        f"not {type(x).__name__}"
    )


def _text_of(v) -> str:
    if isinstance(v, str):
        return v
    if hasattr(v, "text") and isinstance(v.text, str):
        return v.text
    raise TypeError(f"expected a text (str), not {type(v).__name__}")


@lru_cache(maxsize=64)
def _normalized(text: str) -> Normalized:
    """Normalised text with offset map, cached (the corpus texts are normalised once)."""
    return normalize(text, with_map=True)


@lru_cache(maxsize=256)
def _words(text: str, normalized: bool, drop_stopwords: bool) -> tuple[str, ...]:
    return tuple(words(text, normalized=normalized, drop_stopwords=drop_stopwords))


def _counts(texts: dict[str, str], normalized: bool, drop_stopwords: bool) -> dict[str, Counter]:
    return {k: Counter(_words(t, normalized, drop_stopwords)) for k, t in texts.items()}


def _sort_counts(df: pd.DataFrame, count_col: str, key_col: str) -> pd.DataFrame:
    """Sort by count (descending), ties by the word itself, so results are reproducible."""
    return df.sort_values([count_col, key_col], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------------------------
# frequency tables


def frequency_table(
    text_or_texts,
    *,
    part: str = "body",
    normalized: bool = True,
    drop_stopwords: bool = True,
    top: int | None = None,
    min_count: int = 1,
    min_length: int = 1,
    by_article: bool = False,
) -> pd.DataFrame:
    """Word frequencies: a DataFrame ``word, count, share`` sorted by count (descending).

    ``share`` is the word's count divided by the number of counted tokens (after stop words
    are dropped). Several texts are pooled; with ``by_article=True`` the result is a wide
    table instead: one row per word (the index), one column of counts per text, sorted by the
    total. ``top`` keeps the first rows, ``min_count`` drops rare words (on the total),
    ``min_length`` drops words shorter than that many characters (e.g. stray letters left by
    PDF line breaks).

    >>> frequency_table("العراق العـراق العراق في العراقية", top=2)  # doctest: +NORMALIZE_WHITESPACE
           word  count  share
    0    العراق      3   0.75
    1  العراقية      1   0.25
    >>> frequency_table("العراق العـراق", normalized=False)["word"].tolist()
    ['العراق', 'العـراق']
    >>> frequency_table({"أ": "بغداد بغداد", "ب": "بغداد واشنطن"}, by_article=True)
    ... # doctest: +NORMALIZE_WHITESPACE
           أ  ب
    word
    بغداد  2  1
    واشنطن  0  1
    """
    texts, counted = _as_texts(text_or_texts, part)
    counts = _counts(texts, normalized, drop_stopwords)
    if by_article:
        wide = pd.DataFrame(counts).fillna(0).astype("int64")
        wide = wide.reindex(columns=list(texts))
        wide.index.name = "word"
        total = wide.sum(axis=1)
        keep = (total >= min_count) & (wide.index.str.len() >= min_length)
        wide, total = wide[keep], total[keep]
        order = pd.DataFrame({"total": total, "w": wide.index}).sort_values(
            ["total", "w"], ascending=[False, True], kind="stable"
        )
        wide = wide.loc[order.index]
        wide.columns.name = None
        return _said(wide.head(top) if top is not None else wide, counted)
    pooled: Counter = Counter()
    for c in counts.values():
        pooled.update(c)
    n_tokens = sum(pooled.values())
    df = pd.DataFrame({"word": list(pooled.keys()), "count": list(pooled.values())})
    df = df.astype({"word": "str", "count": "int64"})
    df["share"] = df["count"] / n_tokens if n_tokens else 0.0
    df = df[(df["count"] >= min_count) & (df["word"].str.len() >= min_length)]
    df = _sort_counts(df, "count", "word")
    return _said(df.head(top) if top is not None else df, counted)


# ---------------------------------------------------------------------------------------------
# n-grams


def _phrases(text: str) -> list[str]:
    """Split a text at punctuation that ends a phrase (n-grams do not cross it)."""
    return [p for p in _PHRASE_BREAK.split(text) if p.strip()]


def ngrams(
    text,
    n: int = 2,
    *,
    part: str = "body",
    normalized: bool = True,
    drop_stopwords: bool = False,
    top: int | None = None,
    min_count: int = 1,
) -> pd.DataFrame:
    """Sequences of ``n`` consecutive words with their counts: a DataFrame ``ngram, count``.

    An n-gram never crosses punctuation that ends a phrase (. ، ؛ : ؟ « » brackets, dashes),
    nor the boundary between two texts; line breaks inside a paragraph do not stop it. With
    ``drop_stopwords=True`` stop words are removed first, so n-grams close over them: «انسحاب
    القوات» and «انسحاب هذه القوات» count together. ``ngram`` is the words joined by one space.

    >>> ngrams("الولايات المتحدة، وقالت الولايات المتحدة الأمريكية")["ngram"].tolist()
    ['الولايات المتحدة', 'المتحدة الامريكية', 'وقالت الولايات']
    >>> ngrams("انسحاب القوات، انسحاب هذه القوات", drop_stopwords=True)  # doctest: +NORMALIZE_WHITESPACE
               ngram  count
    0  انسحاب القوات      2
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    texts, counted = _as_texts(text, part)
    counter: Counter = Counter()
    for t in texts.values():
        for phrase in _phrases(t):
            toks = _words(phrase, normalized, drop_stopwords)
            for i in range(len(toks) - n + 1):
                counter[" ".join(toks[i : i + n])] += 1
    df = pd.DataFrame({"ngram": list(counter.keys()), "count": list(counter.values())})
    df = df.astype({"ngram": "str", "count": "int64"})
    df = df[df["count"] >= min_count]
    df = _sort_counts(df, "count", "ngram")
    return _said(df.head(top) if top is not None else df, counted)


# ---------------------------------------------------------------------------------------------
# concordance


_KWIC_COLUMNS = ["article_id", "left", "keyword", "right", "start", "end"]


@lru_cache(maxsize=512)
def _compile_query(query: str, normalized: bool, regex: bool, whole_word: bool) -> re.Pattern:
    q = normalize(query) if normalized else query
    if regex:
        pattern = q
    else:
        # a phrase matches across any run of white space (line breaks included)
        pattern = r"\s+".join(re.escape(part) for part in q.split())
    if whole_word:
        pattern = rf"(?<!{_WORD_CHAR})(?:{pattern})(?!{_WORD_CHAR})"
    return re.compile(pattern)


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _past_marks(raw: str, end: int) -> int:
    """``end`` moved past the combining marks that follow it: the marks belong to the letter
    before them, so a match ends after them. «اتساقاً»: a match of «اتساقا» keeps its tanwin.

    >>> raw = "الأكثر اتساقاً مع"
    >>> raw[raw.index("اتساقا"):_past_marks(raw, raw.index("اتساقا") + 6)]
    'اتساقاً'
    """
    while end < len(raw) and unicodedata.combining(raw[end]):
        end += 1
    return end


def kwic(
    text_or_corpus=None,
    query: str = "",
    *,
    part: str = "body",
    width: int = 40,
    normalized: bool = True,
    regex: bool = False,
    whole_word: bool = False,
) -> pd.DataFrame:
    """Keyword in context (a concordance): every occurrence of ``query`` with its context.

    Returns a DataFrame ``article_id, left, keyword, right, start, end``, one row per match,
    in text order. ``start``/``end`` are spans in the RAW text (``raw[start:end]`` is exactly
    ``keyword``, tatweel and diacritics included) even though the search runs on the
    normalised text. A match ends after the diacritics of its last letter (the tanwin of
    «اتساقاً» is part of the keyword, never the start of ``right``), in every search mode. ``left``/``right`` hold ``width`` raw characters of context, with line
    breaks shown as spaces. Without a text the whole raw corpus is searched.

    ``query`` is a word or a phrase (words may be separated by any white space in the text);
    it matches inside longer words too («العراق» finds «والعراق» and «العراقية») unless
    ``whole_word=True``. With ``regex=True`` it is a regular expression, searched in the
    normalised text (an invalid pattern raises :class:`re.error`). Normalised texts are cached,
    so repeated searches over the corpus take milliseconds (fit for search-as-you-type).

    >>> raw = "قال الكاظمي إن العــراق دولة، وإن العراقيين..."
    >>> k = kwic(raw, "العراق", width=6)
    >>> k[["left", "keyword", "right"]]  # doctest: +NORMALIZE_WHITESPACE
         left   keyword   right
    0  مي إن   العــراق   دولة،
    1  ، وإن     العراق  يين...
    >>> s, e = k.loc[0, "start"], k.loc[0, "end"]
    >>> raw[s:e]
    'العــراق'
    >>> len(kwic(raw, "العراق", whole_word=True))
    1
    """
    if text_or_corpus is None:
        from .corpus import load_corpus

        text_or_corpus = load_corpus()
    texts, counted = _as_texts(text_or_corpus, part)
    if not query or (not regex and not query.strip()):
        return _said(pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else "str")
                             for c in _KWIC_COLUMNS}), counted)
    rx = _compile_query(query, normalized, regex, whole_word)
    rows: list[tuple] = []
    for aid, raw in texts.items():
        if normalized:
            n = _normalized(raw)
            spans = [n.raw_span(m.start(), m.end()) for m in rx.finditer(n.text) if m.end() > m.start()]
        else:
            spans = [(m.start(), _past_marks(raw, m.end())) for m in rx.finditer(raw)
                     if m.end() > m.start()]
        for s, e in spans:
            rows.append(
                (
                    aid,
                    _one_line(raw[max(0, s - width) : s]),
                    raw[s:e],
                    _one_line(raw[e : e + width]),
                    s,
                    e,
                )
            )
    df = pd.DataFrame(rows, columns=_KWIC_COLUMNS)
    return _said(df.astype({"article_id": "str", "left": "str", "keyword": "str", "right": "str",
                      "start": "int64", "end": "int64"}), counted)


# ---------------------------------------------------------------------------------------------
# distinctive words


def _count_matrix(texts: dict[str, str], normalized: bool, drop_stopwords: bool) -> pd.DataFrame:
    """Words × texts matrix of counts (int64), columns in the order given."""
    counts = _counts(texts, normalized, drop_stopwords)
    m = pd.DataFrame(counts).fillna(0).astype("int64").reindex(columns=list(texts), fill_value=0)
    m.index.name = "word"
    return m


def _log_odds(m: pd.DataFrame, prior_scale: float) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008).

    Each text ``i`` is compared with all the others pooled. The prior is the whole corpus'
    word distribution scaled to ``prior_scale`` pseudo-counts: ``a_w = prior_scale * f_w``.
    Returns z-scores ``delta_w / sqrt(var(delta_w))`` (words × texts).
    """
    total_w = m.sum(axis=1)
    alpha = prior_scale * total_w / total_w.sum()
    a0 = alpha.sum()
    scores = {}
    for col in m.columns:
        y_i = m[col]
        y_j = total_w - y_i
        n_i, n_j = y_i.sum(), y_j.sum()
        delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + a0 - y_j - alpha)
        )
        var = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
        scores[col] = delta / np.sqrt(var)
    return pd.DataFrame(scores)


def _tf_idf(m: pd.DataFrame) -> pd.DataFrame:
    """tf-idf: relative frequency in the text × ln(number of texts / texts containing it).

    A word found in every text scores 0: with so few texts that is the honest answer.
    """
    tf = m / m.sum(axis=0).replace(0, 1)
    df = (m > 0).sum(axis=1)
    idf = np.log(m.shape[1] / df)
    return tf.mul(idf, axis=0)


def distinctive_words(
    texts,
    *,
    part: str = "body",
    method: str = "log-odds",
    top: int = 20,
    normalized: bool = True,
    drop_stopwords: bool = True,
    min_count: int = 1,
    min_length: int = 2,
    arabic_only: bool = True,
    prior_scale: float | None = None,
    drop_function_words: bool = False,
) -> pd.DataFrame:
    """The words that set each text apart from the others: ``article_id, word, score, count``.

    ``method="log-odds"`` (default): weighted log-odds ratio with an informative Dirichlet
    prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), each text against all the other
    texts pooled; the score is a z-score, so it rewards words that are both frequent in the
    text and rare elsewhere, and it is not fooled by words seen once. The prior is the
    corpus' own word distribution with ``prior_scale`` pseudo-counts (default: a tenth of the
    corpus' tokens).
    ``method="tf-idf"``: relative frequency × ln(N texts / texts containing the word).

    Only words with at least one Arabic letter and ``min_length`` characters take part by
    default (``arabic_only=False`` keeps Latin words and numbers: the English references of
    002 would then fill its list). For each text the ``top`` words with the highest scores are
    kept (words counted at least ``min_count`` times in that text); ``count`` is the word's
    count in that text. Rows come text by text (in the order given), best first.
    ``drop_function_words=True`` also leaves out words that carry no topic
    (:func:`arabtexts.tokenize.is_function_word`: «مما», «والتي», «عام», fragments under three
    letters), which otherwise top the lists of long texts.

    >>> texts = {"أ": "الانسحاب الانسحاب القوات بغداد", "ب": "الاقتصاد الاقتصاد الطاقة بغداد"}
    >>> d = distinctive_words(texts, top=1)
    >>> d[["article_id", "word", "count"]]  # doctest: +NORMALIZE_WHITESPACE
      article_id      word  count
    0          أ  الانسحاب      2
    1          ب  الاقتصاد      2
    >>> distinctive_words(texts, method="tf-idf", top=1)["word"].tolist()
    ['الانسحاب', 'الاقتصاد']
    """
    tx, counted = _as_texts(texts, part)
    if len(tx) < 2:
        raise ValueError("distinctive_words compares texts: give at least two")
    m = _count_matrix(tx, normalized, drop_stopwords)
    keep = m.index.str.len() >= min_length
    if arabic_only:
        keep &= m.index.str.contains(_ARABIC_LETTER, regex=True)
    if drop_function_words:
        from .tokenize import is_function_word

        keep &= ~m.index.map(lambda w: is_function_word(w, min_length=max(3, min_length))).to_numpy(bool)
    m = m[keep]
    if method in ("log-odds", "logodds", "log_odds"):
        scale = prior_scale if prior_scale is not None else max(1.0, m.to_numpy().sum() / 10)
        scores = _log_odds(m, scale)
    elif method in ("tf-idf", "tfidf", "tf_idf"):
        scores = _tf_idf(m)
    else:
        raise ValueError(f"method must be 'log-odds' or 'tf-idf', not {method!r}")
    long = (
        scores.rename_axis("word")
        .reset_index()
        .melt(id_vars="word", var_name="article_id", value_name="score")
    )
    counts = m.rename_axis("word").reset_index().melt(
        id_vars="word", var_name="article_id", value_name="count"
    )
    long = long.merge(counts, on=["word", "article_id"])
    long = long[long["count"] >= max(1, min_count)]
    order = {aid: i for i, aid in enumerate(tx)}
    long = long.assign(_o=long["article_id"].map(order)).sort_values(
        ["_o", "score", "word"], ascending=[True, False, True], kind="stable"
    )
    out = long.groupby("_o", sort=True).head(top)
    out = out[["article_id", "word", "score", "count"]].reset_index(drop=True)
    return _said(out.astype({"article_id": "str", "word": "str", "score": "float64", "count": "int64"}), counted)


# ---------------------------------------------------------------------------------------------
# key terms


def term_counts(
    texts,
    terms: dict[str, Iterable[str]],
    *,
    part: str = "body",
    normalized: bool = True,
    whole_word: bool = True,
) -> pd.DataFrame:
    """Count key terms in each text: one row per text (index ``article_id``), one column per term.

    ``terms`` maps a label to its variants (words or phrases). Each occurrence is counted
    once per term, even if several variants match it (the longest variant wins). With
    ``normalized=True`` text and variants are normalised first, so «الانســحاب» counts as
    «الانسحاب»; with ``normalized=False`` the raw text is searched as it is, which shows how
    much tatweel and spelling variation hide. ``whole_word=False`` also counts variants inside
    longer words (with clitics: «وإيران», «لإيران»).

    >>> raw = "الانســحاب من العراق، وإيران تراقب الانسحاب. إيران"
    >>> terms = {"انسحاب": ["الانسحاب", "انسحاب"], "إيران": ["إيران", "ايران"]}
    >>> term_counts(raw, terms, normalized=False)  # doctest: +NORMALIZE_WHITESPACE
                انسحاب  إيران
    article_id
    text             1      1
    >>> term_counts(raw, terms)  # doctest: +NORMALIZE_WHITESPACE
                انسحاب  إيران
    article_id
    text             2      1
    >>> term_counts(raw, terms, whole_word=False)["إيران"].item()
    2
    """
    tx, counted = _as_texts(texts, part)
    patterns: dict[str, re.Pattern | None] = {}
    for label, variants in terms.items():
        if isinstance(variants, str):
            variants = [variants]
        vs = {(normalize(v) if normalized else v).strip() for v in variants}
        vs = sorted((v for v in vs if v), key=len, reverse=True)
        if not vs:
            patterns[label] = None
            continue
        alts = "|".join(r"\s+".join(re.escape(p) for p in v.split()) for v in vs)
        if whole_word:
            alts = rf"(?<!{_WORD_CHAR})(?:{alts})(?!{_WORD_CHAR})"
        patterns[label] = re.compile(alts)
    rows = {}
    for aid, raw in tx.items():
        hay = _normalized(raw).text if normalized else raw
        rows[aid] = {
            label: (sum(1 for _ in rx.finditer(hay)) if rx is not None else 0)
            for label, rx in patterns.items()
        }
    df = pd.DataFrame.from_dict(rows, orient="index", columns=list(terms)).astype("int64")
    df.index.name = "article_id"
    return _said(df, counted)


# ---------------------------------------------------------------------------------------------
# entities


def entity_counts(
    texts=None,
    gazetteer: pd.DataFrame | None = None,
    *,
    part: str = "body",
    types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """How often each gazetteer entity is named in each text, counted on article bodies.

    One row per entity id (the index, ``entity``), one column of counts per text, in the
    order given, sorted by the total (ties by id). Without ``texts`` the raw corpus is used;
    without ``gazetteer`` the course's :func:`arabtexts.datasets.gazetteer`. ``types`` keeps
    only some entity types (the gazetteer's ``type``: ``"person"``, ``"country"``, ``"city"``
    …) or tables (``"people"``, ``"organizations"``, ``"places"``). Matching is that of
    :func:`arabtexts.extract.find_entities`. With the default ``part="body"`` a name in a
    news ticker, a footnote or a bibliography entry is not a mention.

    >>> from arabtexts.corpus import get_article
    >>> a = get_article("002")
    >>> int(entity_counts([a], types=["person"]).loc["biden", "002"])     # bodies: none
    0
    >>> int(entity_counts([a], types=["person"], part="page").loc["biden", "002"])  # citations
    6
    """
    from .extract import find_entities

    if texts is None:
        from .corpus import load_corpus

        texts = load_corpus()
    if gazetteer is None:
        from .datasets import gazetteer as _gaz

        gazetteer = _gaz()
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        keep = gazetteer["type"].isin(types)
        if "table" in gazetteer.columns:
            keep |= gazetteer["table"].isin(types)
        gazetteer = gazetteer[keep]
    tx, counted = _as_texts(texts, part)
    counts = {aid: Counter(m.value for m in find_entities(t, gazetteer)) for aid, t in tx.items()}
    ids = sorted(set(gazetteer["id"]))
    wide = pd.DataFrame({aid: [c.get(i, 0) for i in ids] for aid, c in counts.items()}, index=ids)
    wide = wide.reindex(columns=list(tx)).astype("int64")
    wide.index.name = "entity"
    total = wide.sum(axis=1)
    order = pd.DataFrame({"t": total, "i": wide.index}, index=wide.index).sort_values(
        ["t", "i"], ascending=[False, True], kind="stable")
    return _said(wide.loc[order.index], counted)
