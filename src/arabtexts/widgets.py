"""Interactive tools for the notebooks (ipywidgets 8).

Each tool is a small class. ``tool.widget`` is its root container (display it, or just put
the tool itself last in a cell: it displays itself). Its controls are ordinary attributes
that can be set from Python (``tool.query.value = "الكاظمي"``); every change re-renders the
result at once. All the logic lives in plain methods (``render()`` returns an HTML string,
``table()`` / ``lines()`` return DataFrames), so the tools can be tested without a browser.

Every root carries a stable CSS class ``arabtexts-<tool>`` and each control one more
(``arabtexts-concordance-query`` …), so a browser test can find them. Arabic results are
rendered inside ``<div dir="rtl" lang="ar">``, so they read right to left, and every piece of
text is HTML-escaped before it is shown.

>>> from arabtexts.widgets import ConcordanceExplorer
>>> tool = ConcordanceExplorer()
>>> tool.query.value = "الكاظمي"
>>> tool.count() > 0
True
>>> "arabtexts-concordance" in tool.widget._dom_classes
True

The tools that need a table under ``data/`` (events, figures, the gazetteer) say so plainly
when the table is not there yet, instead of showing anything invented.
"""
from __future__ import annotations

import html
import importlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as W
import pandas as pd

from .corpus import ARTICLE_IDS, get_article
from .normalize import find_normalized, normalize

__all__ = [
    "rtl",
    "highlight",
    "article_options",
    "ArticleReader",
    "ConcordanceExplorer",
    "EntityHighlighter",
    "TimelineExplorer",
    "CompareTexts",
    "FigureExplorer",
    "shorten",
]

#: value of the "all articles" choice in article filters
ALL = "all"

HIT_STYLE = "background:#ffe08a;color:inherit;padding:0 1px;border-radius:2px"
BOX_STYLE = "text-align:right;line-height:1.9;font-size:1.05em"

#: colours of the entity kinds (colour-blind friendly pastel set with distinct lightness)
KIND_COLOURS = {
    "person": "#ffd59e",
    "organization": "#b9e4b1",
    "place": "#a9d8f5",
    "date": "#d9c4f2",
    "number": "#f6b8c8",
}
KIND_LABELS = {
    "person": ("people", "أشخاص"),
    "organization": ("organisations", "منظمات"),
    "place": ("places", "أماكن"),
    "date": ("dates", "تواريخ"),
    "number": ("numbers", "أعداد"),
}
ENTITY_KINDS = ("person", "organization", "place")
_TABLE_KIND = {"people": "person", "organizations": "organization", "places": "place"}


# ---------------------------------------------------------------------------------------------
# small helpers (pure functions)


def rtl(inner_html: str, *, css_class: str = "", style: str = BOX_STYLE) -> str:
    """Wrap HTML in a right-to-left Arabic block: ``<div dir="rtl" lang="ar" ...>``.

    ``inner_html`` must already be escaped (see :func:`highlight`).

    >>> rtl(html.escape("العراق <دولة>"))
    '<div dir="rtl" lang="ar" style="text-align:right;line-height:1.9;font-size:1.05em">العراق &lt;دولة&gt;</div>'
    """
    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    return f'<div dir="rtl" lang="ar"{cls} style="{style}">{inner_html}</div>'


@dataclass(frozen=True)
class Span:
    """A highlighted stretch ``[start, end)`` of a text, with its kind (for colour and class)."""

    start: int
    end: int
    kind: str = "hit"
    title: str = ""


def _resolve_overlaps(spans) -> list[Span]:
    """Sort spans and drop those overlapping an earlier (or longer, same-start) one."""
    out: list[Span] = []
    last_end = -1
    for sp in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if sp.end <= sp.start or sp.start < last_end:
            continue
        out.append(sp)
        last_end = sp.end
    return out


def highlight(text: str, spans, *, colours: dict | None = None) -> str:
    """Escape ``text`` and wrap the given ``[start, end)`` spans in ``<mark>`` tags.

    ``spans`` are ``(start, end)`` pairs or :class:`Span` objects; overlapping spans keep the
    first (the longer one when they start together). Each mark has the class
    ``arabtexts-hit`` (or ``arabtexts-ent arabtexts-ent-<kind>`` for a kind in ``colours``).

    >>> highlight("في الســياسة <b>", [(3, 12)])
    'في <mark class="arabtexts-hit" style="background:#ffe08a;color:inherit;padding:0 1px;border-radius:2px">الســياسة</mark> &lt;b&gt;'
    """
    colours = colours or {}
    norm = [sp if isinstance(sp, Span) else Span(int(sp[0]), int(sp[1])) for sp in spans]
    parts: list[str] = []
    pos = 0
    for sp in _resolve_overlaps(norm):
        parts.append(html.escape(text[pos:sp.start]))
        if sp.kind in colours:
            cls = f"arabtexts-ent arabtexts-ent-{sp.kind}"
            style = f"background:{colours[sp.kind]};color:#111;padding:0 2px;border-radius:3px"
        else:
            cls, style = "arabtexts-hit", HIT_STYLE
        title = f' title="{html.escape(sp.title)}"' if sp.title else ""
        parts.append(f'<mark class="{cls}" style="{style}"{title}>'
                     f"{html.escape(text[sp.start:sp.end])}</mark>")
        pos = sp.end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def message(text_en: str, text_ar: str = "") -> str:
    """A plain notice (for missing tables, empty results) in English and, if given, Arabic.

    >>> "arabtexts-message" in message("Nothing yet.", "لا شيء بعد.")
    True
    """
    ar = (f'<div dir="rtl" lang="ar" style="text-align:right">{html.escape(text_ar)}</div>'
          if text_ar else "")
    return ('<div class="arabtexts-message" style="padding:6px 10px;border-left:4px solid #c9a227;'
            f'background:#fff8e1;color:#333">{html.escape(text_en)}{ar}</div>')


def article_options(*, with_all: bool = False) -> list[tuple[str, str]]:
    """``(label, id)`` pairs for a dropdown, in course order: «id · title (date)».

    >>> article_options()[0][1], article_options(with_all=True)[0][1]
    ('001', 'all')
    """
    opts = [("all five texts — كل النصوص", ALL)] if with_all else []
    for aid in ARTICLE_IDS:
        art = get_article(aid)
        # id and date first: in a left-to-right drop-down the Arabic title then reads cleanly
        opts.append((f"{aid} · {art.published} · {art.title_ar}", aid))
    return opts


@lru_cache(maxsize=16)
def _normalized(text: str):
    """The normalised text with its offset map to ``text`` (cached: the texts are few)."""
    return normalize(text, with_map=True)


def _optional_module(name: str):
    """Import ``arabtexts.<name>`` if that module exists yet; ``None`` otherwise."""
    try:
        return importlib.import_module(f"arabtexts.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"arabtexts.{name}":
            return None
        raise


def _load_table(name: str):
    """``(DataFrame, "")`` or ``(None, reason)`` when the table file is not there yet."""
    ds = _optional_module("datasets")
    if ds is None:
        return None, "arabtexts.datasets is not available yet."
    try:
        return ds.load_table(name), ""
    except FileNotFoundError:
        return None, (f"The table «{name}» (data/{name}.csv) has not been written yet, so this "
                      "tool has nothing to show. It will work as soon as the table exists.")


def df_to_html(df: pd.DataFrame, *, css_class: str = "", max_rows: int = 200) -> str:
    """An escaped, right-to-left HTML table of a DataFrame (index not shown).

    >>> "بغداد &amp; واشنطن</td>" in df_to_html(pd.DataFrame({"x": ["بغداد & واشنطن"]}))
    True
    """
    shown = df.head(max_rows)
    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    head = "".join(f'<th style="text-align:right;padding:2px 8px">{html.escape(str(c))}</th>'
                   for c in shown.columns)
    rows = []
    for _, r in shown.iterrows():
        cells = "".join(_td("" if pd.isna(v) else str(v)) for v in r.tolist())
        rows.append(f"<tr>{cells}</tr>")
    more = ""
    if len(df) > max_rows:
        more = f"<caption>first {max_rows} of {len(df)} rows</caption>"
    return (f'<table{cls} dir="rtl" lang="ar" style="border-collapse:collapse">{more}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _td(value: str) -> str:
    """A table cell; short values (ids, dates, numbers) are kept on one line."""
    nowrap = " style='white-space:nowrap'" if len(value) <= 12 else ""
    return f"<td{nowrap}>{html.escape(value)}</td>"


def _figure_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)  # the figures use the constrained layout
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# base class


class _Tool:
    """Common behaviour: ``.widget``, self-display, CSS classes."""

    name = "tool"

    def _root(self, children) -> W.VBox:
        box = W.VBox(children)
        box.add_class(f"arabtexts-{self.name}")
        box.add_class("arabtexts-tool")
        return box

    def _cls(self, control, part: str):
        control.add_class(f"arabtexts-{self.name}-{part}")
        return control

    def _observe(self, *controls):
        for c in controls:
            c.observe(lambda _change: self.update(), names="value")

    def update(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def figure(self):  # pragma: no cover - overridden by the tools that draw
        return None

    def _chart_png(self, key) -> bytes:
        """PNG bytes of :meth:`figure` for a state ``key`` (drawing Arabic text is slow:
        a state seen before is not drawn again)."""
        cache = self.__dict__.setdefault("_png_cache", {})
        if key not in cache:
            fig = self.figure()
            cache[key] = _figure_png(fig) if fig is not None else b""
        return cache[key]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


# ---------------------------------------------------------------------------------------------
# ArticleReader


class ArticleReader(_Tool):
    """Read one article right to left, with its metadata, a layer choice and a search box.

    The search is normalised: «السياسة» also finds «الســياسة» (tatweel) and «السّياسة».

    >>> r = ArticleReader("000")
    >>> r.search.value = "السياسة"
    >>> spans = r.matches()
    >>> r.current_text()[spans[0][0]:spans[0][1]]
    'الســياسة'
    >>> 'dir="rtl"' in r.render()
    True
    """

    name = "reader"
    LAYERS = ("raw", "clean", "annotated")

    def __init__(self, article_id: str = ARTICLE_IDS[0], layer: str = "raw", query: str = ""):
        self.article = self._cls(W.Dropdown(options=article_options(),
                                            value=get_article(article_id).id,
                                            description="Article", layout=W.Layout(width="95%")),
                                 "article")
        self.layer = self._cls(W.ToggleButtons(options=[(x, x) for x in self.LAYERS], value=layer,
                                               description="Layer",
                                               tooltips=["the text exactly as given",
                                                         "PDF damage repaired by code",
                                                         "repaired, lost digits marked"]),
                               "layer")
        self.search = self._cls(W.Text(value=query, placeholder="ابحث… / search",
                                       description="Search", continuous_update=True),
                                "search")
        self.status = self._cls(W.HTML(), "status")
        self.meta = self._cls(W.HTML(), "meta")
        self.text = self._cls(W.HTML(), "text")
        self.widget = self._root([self.article, self.layer, self.search, self.status,
                                  self.meta, self.text])
        self._observe(self.article, self.layer, self.search)
        self.update()

    # logic ---------------------------------------------------------------------------------
    def current_layer(self) -> str:
        """The layer actually shown: the chosen one if it has been built, else ``raw``."""
        if self.layer.value == "raw":
            return "raw"
        try:
            getattr(get_article(self.article.value), self.layer.value)
            return self.layer.value
        except FileNotFoundError:
            return "raw"

    def current_text(self) -> str:
        """The text of the chosen article in the layer shown."""
        art = get_article(self.article.value)
        layer = self.current_layer()
        return art.text if layer == "raw" else getattr(art, layer)

    def matches(self) -> list[tuple[int, int]]:
        """Spans of the search query in :meth:`current_text` (normalised matching).

        The same spans as :func:`arabtexts.normalize.find_normalized`, but the normalised
        text is kept between keystrokes, so searching the long paper (002) stays quick.
        """
        q = normalize(self.search.value.strip())
        if not q:
            return []
        n = _normalized(self.current_text())
        return [(s, e) for _, s, e in n.finditer(re.escape(q))]

    def render_meta(self) -> str:
        """Metadata of the chosen article (title, author, outlet, date, genre) as HTML."""
        art = get_article(self.article.value)
        m = art.meta
        rows = [
            ("العنوان", m.get("title_ar", ""), m.get("title_en", "")),
            ("الكاتب", m.get("author_ar", ""), m.get("author_en", "")),
            ("الناشر", m.get("outlet_ar", ""), m.get("outlet_en", "")),
            ("التاريخ", m.get("published", ""), ""),
            ("النوع", "", m.get("genre", "")),
        ]
        body = "".join(
            f"<tr><th style='padding:0 8px'>{html.escape(k)}</th><td>{html.escape(ar)}</td>"
            f"<td dir='ltr' lang='en' style='color:#555'>{html.escape(en)}</td></tr>"
            for k, ar, en in rows
        )
        return rtl(f"<table>{body}</table>", css_class="arabtexts-reader-metadata",
                   style="text-align:right")

    def render(self) -> str:
        """The text with the search matches highlighted, as RTL HTML."""
        text = self.current_text()
        return rtl(highlight(text, self.matches()), css_class="arabtexts-reader-body",
                   style=BOX_STYLE + ";white-space:pre-wrap;max-height:32em;overflow-y:auto;"
                   "border:1px solid #ddd;padding:8px")

    def render_status(self) -> str:
        notes = []
        if self.current_layer() != self.layer.value:
            notes.append(f"The «{self.layer.value}» layer has not been built yet "
                         "(python -m arabtexts.repair); showing the raw text.")
        q = self.search.value.strip()
        if q:
            n = len(self.matches())
            notes.append(f"{n} match{'es' if n != 1 else ''} for «{q}» (normalised search).")
        return message(" ".join(notes)) if notes else ""

    def update(self) -> None:
        self.status.value = self.render_status()
        self.meta.value = self.render_meta()
        self.text.value = self.render()


# ---------------------------------------------------------------------------------------------
# ConcordanceExplorer


def _kwic(texts: dict[str, str], query: str, width: int) -> pd.DataFrame:
    """Concordance via :func:`arabtexts.analysis.kwic`, or a simple fallback without it."""
    analysis = _optional_module("analysis")
    if analysis is not None and hasattr(analysis, "kwic"):
        return analysis.kwic(texts, query, width=width)
    rows = []
    for aid, raw in texts.items():
        for s, e in find_normalized(raw, query):
            rows.append((aid, " ".join(raw[max(0, s - width):s].split()), raw[s:e],
                         " ".join(raw[e:e + width].split()), s, e))
    return pd.DataFrame(rows, columns=["article_id", "left", "keyword", "right", "start", "end"])


class ConcordanceExplorer(_Tool):
    """Keyword in context: every occurrence of a word, with its left and right context.

    Type in the box and the lines update at each keystroke: the tool shows the first
    ``SHOW`` lines and says how many more there are, so even a one-letter query answers in a
    few milliseconds (measured in ``benchmarks/concordance.py``). It searches the **article
    bodies** (no news ticker, footnotes or references: see :mod:`arabtexts.corpus`) of the
    ``raw`` or the repaired ``clean`` layer; ``start``/``end`` are spans in that layer's
    text, so each line can be checked against the source.

    >>> c = ConcordanceExplorer(query="واشنطن", article="001")
    >>> row = c.lines().iloc[0]
    >>> get_article("001").text[row["start"]:row["end"]]
    'واشنطن'
    """

    name = "concordance"
    #: lines shown under the box (``lines()`` gives them all)
    SHOW = 50

    def __init__(self, query: str = "", *, width: int = 40, article: str = ALL,
                 layer: str = "raw"):
        self.query = self._cls(W.Text(value=query, placeholder="اكتب كلمة… / type a word",
                                      description="Word", continuous_update=True), "query")
        self.width = self._cls(W.IntSlider(value=width, min=10, max=120, step=5,
                                           description="Context", continuous_update=True),
                               "width")
        self.article = self._cls(W.Dropdown(options=article_options(with_all=True),
                                            value=article, description="Texts",
                                            layout=W.Layout(width="95%")), "article")
        self.layer = self._cls(W.ToggleButtons(options=[("raw", "raw"), ("clean", "clean")],
                                               value=layer, description="Layer"), "layer")
        self.summary = self._cls(W.HTML(), "count")
        self.per_article = self._cls(W.HTML(), "per-article")
        self.results = self._cls(W.HTML(), "results")
        self.widget = self._root([W.HBox([self.query, self.width]), self.article, self.layer,
                                  self.summary, self.per_article, self.results])
        self._observe(self.query, self.width, self.article, self.layer)
        self.warm_up()
        self.update()

    def warm_up(self) -> None:
        """Normalise the chosen texts once, so that the first keystroke is as fast as the next."""
        from .analysis import _normalized

        for text in self._texts().values():
            _normalized(text)

    def _texts(self) -> dict[str, str]:
        """The bodies of the chosen texts in the chosen layer (same offsets as the layer)."""
        from .corpus import body_text

        ids = ARTICLE_IDS if self.article.value == ALL else (self.article.value,)
        layer = self.layer.value
        try:
            return {aid: body_text(aid, layer) for aid in ids}
        except (FileNotFoundError, RuntimeError):  # clean layer not built: the raw one
            return {aid: body_text(aid, "raw") for aid in ids}

    def lines(self) -> pd.DataFrame:
        """The whole concordance: ``article_id, left, keyword, right, start, end``."""
        q = self.query.value.strip()
        key = (q, self.width.value, self.article.value, self.layer.value)
        if getattr(self, "_memo", (None,))[0] != key:
            if not q:
                df = pd.DataFrame(columns=["article_id", "left", "keyword", "right", "start", "end"])
            else:
                df = _kwic(self._texts(), q, self.width.value).reset_index(drop=True)
            self._memo = (key, df)
        return self._memo[1].copy()

    def _hits(self) -> tuple[dict[str, int], list[tuple]]:
        """(count per article, the first ``SHOW`` lines): what a keystroke needs, fast."""
        from itertools import islice

        from .analysis import _compile_query, _normalized

        q = self.query.value.strip()
        key = (q, self.width.value, self.article.value, self.layer.value)
        if getattr(self, "_fast", (None,))[0] == key:
            return self._fast[1]
        counts, rows = {}, []
        rx = _compile_query(q, True, False, False) if q else None
        w = self.width.value
        for aid, text in self._texts().items():
            if rx is None:
                counts[aid] = 0
                continue
            n = _normalized(text)
            it = (m for m in rx.finditer(n.text) if m.end() > m.start())
            taken = 0
            for m in islice(it, max(0, self.SHOW - len(rows))):
                s, e = n.raw_span(m.start(), m.end())
                rows.append((aid, " ".join(text[max(0, s - w):s].split()), text[s:e],
                             " ".join(text[e:e + w].split()), s, e))
                taken += 1
            counts[aid] = taken + sum(1 for _ in it)
        self._fast = (key, (counts, rows))
        return counts, rows

    def count(self) -> int:
        """Number of occurrences of the query in the chosen texts (article bodies)."""
        return sum(self._hits()[0].values())

    def counts(self) -> pd.Series:
        """Occurrences per article (all chosen articles, zeros included), in course order."""
        counts = self._hits()[0]
        return pd.Series(counts, dtype="int64").reindex(list(self._texts()), fill_value=0).rename("count")

    def render(self) -> str:
        """The first ``SHOW`` KWIC lines as an RTL HTML table (keyword highlighted), and how
        many more there are."""
        if not self.query.value.strip():
            return message("Type a word (Arabic) in the box to see every place it occurs.",
                           "اكتب كلمة في المربع لترى كل مواضع ورودها.")
        total = self.count()
        if not total:
            return message(f"«{self.query.value.strip()}» does not occur in the chosen texts.",
                           "لم ترد هذه الكلمة في النصوص المختارة.")
        rows = []
        for aid, left, kw, right, _s, _e in self._hits()[1]:
            rows.append(
                "<tr>"
                f"<td style='color:#777;padding:0 6px'>{html.escape(aid)}</td>"
                f"<td style='text-align:left;white-space:nowrap'>{html.escape(left)}</td>"
                f"<td style='text-align:center;white-space:nowrap'><mark class='arabtexts-hit' "
                f"style='{HIT_STYLE};font-weight:bold'>{html.escape(kw)}</mark></td>"
                f"<td style='text-align:right;white-space:nowrap'>{html.escape(right)}</td>"
                "</tr>"
            )
        note = ""
        if total > len(rows):
            more = total - len(rows)
            note = message(f"The first {len(rows)} lines; {more} more (narrow the word, or choose "
                           "one text, or use .lines() for all of them).",
                           f"أول {len(rows)} سطرًا؛ وبقي {more}.")
            note = f"<div class='arabtexts-concordance-more'>{note}</div>"
        table = ("<table class='arabtexts-kwic' style='border-collapse:collapse'>"
                 + "".join(rows) + "</table>")
        return note + rtl(table, style="text-align:right;line-height:1.8;overflow:auto;"
                                 "max-height:30em;border:1px solid #ddd;padding:4px")

    def render_summary(self) -> str:
        q = self.query.value.strip()
        if not q:
            return ""
        n = self.count()
        return (f"<b class='arabtexts-concordance-total'>{n}</b> occurrence{'s' if n != 1 else ''}"
                f" of «{html.escape(q)}» in the article bodies (normalised: tatweel, diacritics "
                "and hamza on alef ignored)")

    def render_counts(self) -> str:
        if not self.query.value.strip():
            return ""
        c = self.counts()
        df = pd.DataFrame({"article": c.index,
                           "title": [get_article(a).title_ar for a in c.index],
                           "count": c.to_numpy()})
        return df_to_html(df, css_class="arabtexts-concordance-table")

    def update(self) -> None:
        self.summary.value = self.render_summary()
        self.per_article.value = self.render_counts()
        self.results.value = self.render()


# ---------------------------------------------------------------------------------------------
# EntityHighlighter


class EntityHighlighter(_Tool):
    """Colour the people, organisations, places, dates and numbers of one article.

    People, organisations and places come from the course gazetteer
    (:func:`arabtexts.datasets.gazetteer`), dates and numbers from :mod:`arabtexts.extract`.

    >>> e = EntityHighlighter("004", kinds=("person",))
    >>> e.kinds
    ('person',)
    """

    name = "entities"
    KINDS = ("person", "organization", "place", "date", "number")

    def __init__(self, article_id: str = ARTICLE_IDS[0], kinds=KINDS):
        self.article = self._cls(W.Dropdown(options=article_options(),
                                            value=get_article(article_id).id,
                                            description="Article", layout=W.Layout(width="95%")),
                                 "article")
        self.kind_boxes = {}
        for k in self.KINDS:
            en, ar = KIND_LABELS[k]
            cb = W.Checkbox(value=k in kinds, description=f"{en} {ar}", indent=False,
                            layout=W.Layout(width="auto"))
            cb.add_class(f"arabtexts-entities-kind-{k}")
            self.kind_boxes[k] = cb
        self.kind_row = self._cls(W.HBox(list(self.kind_boxes.values())), "kinds")
        self.status = self._cls(W.HTML(), "status")
        self.legend = self._cls(W.HTML(), "legend")
        self.counts_html = self._cls(W.HTML(), "counts")
        self.text = self._cls(W.HTML(), "text")
        self.widget = self._root([self.article, self.kind_row, self.status, self.legend,
                                  self.text, self.counts_html])
        self._observe(self.article, *self.kind_boxes.values())
        self.update()

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds switched on (set it to a tuple to change the check boxes)."""
        return tuple(k for k, cb in self.kind_boxes.items() if cb.value)

    @kinds.setter
    def kinds(self, value) -> None:
        value = set(value)
        unknown = value - set(self.KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s) {sorted(unknown)}; choose from {self.KINDS}")
        for k, cb in self.kind_boxes.items():
            cb.value = k in value

    def text_value(self) -> str:
        return get_article(self.article.value).text

    def problems(self) -> list[str]:
        """What is missing for the kinds switched on (empty when all is available)."""
        out = []
        extract = _optional_module("extract")
        if extract is None and self.kinds:
            out.append("arabtexts.extract is not available yet: no spans can be found.")
        if set(self.kinds) & set(ENTITY_KINDS):
            ds = _optional_module("datasets")
            if ds is None:
                out.append("arabtexts.datasets is not available yet (no gazetteer).")
            else:
                missing = [t for t in ds.ENTITY_TABLES
                           if not (ds.data_dir() / f"{t}.csv").exists()]
                if missing:
                    out.append("The gazetteer tables " + ", ".join(f"data/{t}.csv" for t in missing)
                               + " have not been written yet: people, organisations and places "
                               "cannot be highlighted until they exist.")
        return out

    def spans(self) -> pd.DataFrame:
        """The highlighted spans: ``kind, value, name, start, end, text``, in text order.

        ``value`` is the entity id (``kadhimi``), the ISO date or the number; ``name`` the
        Arabic name of an entity (for dates and numbers: the text as printed); ``start``/``end``
        index the raw text and ``text`` is ``raw[start:end]``.
        """
        cols = ["kind", "value", "name", "start", "end", "text"]
        extract = _optional_module("extract")
        if extract is None:
            return pd.DataFrame(columns=cols)
        text = self.text_value()
        rows = []
        kinds = set(self.kinds)
        if kinds & set(ENTITY_KINDS):
            gaz = self._gazetteer()
            if gaz is not None:
                kind_of = self._kind_lookup(gaz)
                name_of = dict(zip(gaz["id"], gaz["name_ar"]))
                for m in extract.find_entities(text, gaz):
                    k = self._entity_kind(m, kind_of)
                    if k in kinds:
                        rows.append((k, str(m.value), str(name_of.get(m.value, m.value)),
                                     m.start, m.end, text[m.start:m.end]))
        for kind, finder in (("date", "find_dates"), ("number", "find_numbers")):
            if kind in kinds:
                rows += [(kind, str(m.value), " ".join(m.text.split()), m.start, m.end,
                          text[m.start:m.end])
                         for m in getattr(extract, finder)(text)]
        df = pd.DataFrame(rows, columns=cols)
        return df.sort_values(["start", "end"], kind="stable").reset_index(drop=True)

    @staticmethod
    def _gazetteer():
        ds = _optional_module("datasets")
        if ds is None:
            return None
        try:
            return ds.gazetteer()
        except FileNotFoundError:
            return None

    @staticmethod
    def _kind_lookup(gaz: pd.DataFrame) -> dict:
        out = {}
        for _, r in gaz.iterrows():
            k = _TABLE_KIND.get(r["table"], "place")
            out.setdefault(r["id"], k)
            out.setdefault(r["variant"], k)
            out.setdefault(r["name_ar"], k)
        return out

    @staticmethod
    def _entity_kind(m, kind_of: dict) -> str:
        extra = getattr(m, "extra", None) or {}
        if isinstance(extra, dict):
            if extra.get("table") in _TABLE_KIND:
                return _TABLE_KIND[extra["table"]]
            for key in ("id", "entity_id"):
                if extra.get(key) in kind_of:
                    return kind_of[extra[key]]
        kind = str(getattr(m, "kind", ""))
        if kind in ENTITY_KINDS:
            return kind
        if kind in _TABLE_KIND:
            return _TABLE_KIND[kind]
        return kind_of.get(str(m.value), kind_of.get(m.text, "place"))

    def counts(self, part: str = "body") -> pd.DataFrame:
        """How many spans of each kind and value: ``kind, value, name, count`` (most frequent
        first), counted on the article body like :func:`arabtexts.analysis.entity_counts`: the
        byline «طه العاني» of 004, 003's news ticker or 002's footnotes are highlighted in the
        text but are not mentions. ``part="page"`` counts every highlighted span.
        ``attrs["part"]`` says which was counted.

        >>> e = EntityHighlighter("004", kinds=("person",))
        >>> "taha_alani" in set(e.counts()["value"]), "taha_alani" in set(e.counts("page")["value"])
        (False, True)
        """
        if part not in ("body", "page"):
            raise ValueError(f"part must be 'body' or 'page', not {part!r}")
        sp = self.spans()
        if part == "body" and not sp.empty:
            from .corpus import in_body

            aid = self.article.value
            sp = sp[[in_body(aid, int(a), int(b)) for a, b in zip(sp["start"], sp["end"])]]
        if sp.empty:
            c = pd.DataFrame(columns=["kind", "value", "name", "count"])
        else:
            c = sp.groupby(["kind", "value", "name"], sort=False).size().rename("count").reset_index()
            order = {k: i for i, k in enumerate(self.KINDS)}
            c = c.assign(_o=c["kind"].map(order))
            c = (c.sort_values(["_o", "count", "value"], ascending=[True, False, True])
                 .drop(columns="_o").reset_index(drop=True))
        c.attrs["part"] = part
        return c

    def render_legend(self) -> str:
        chips = "".join(
            f"<span class='arabtexts-ent-{k}' style='background:{KIND_COLOURS[k]};padding:1px 8px;"
            f"margin:0 4px;border-radius:3px'>{KIND_LABELS[k][1]} · {KIND_LABELS[k][0]}</span>"
            for k in self.kinds
        )
        return rtl(chips, css_class="arabtexts-legend", style="text-align:right")

    def render_counts(self) -> str:
        c = self.counts()
        if c.empty:
            return ""
        totals = c.groupby("kind", sort=False)["count"].sum()
        head = " · ".join(f"{KIND_LABELS[k][0]}: {n}" for k, n in totals.items()) + \
            " (article body · متن المقال)"
        table = df_to_html(c, css_class="arabtexts-entities-table", max_rows=200)
        return (f"<div class='arabtexts-entities-totals'><b>{html.escape(head)}</b></div>"
                f"<div style='max-height:18em;overflow-y:auto'>{table}</div>")

    def render(self) -> str:
        text = self.text_value()
        sp = self.spans()
        spans = [Span(int(r.start), int(r.end), r.kind, f"{r.name} · {r.kind}")
                 for r in sp.itertuples()]
        return rtl(highlight(text, spans, colours=KIND_COLOURS), css_class="arabtexts-entities-body",
                   style=BOX_STYLE + ";white-space:pre-wrap;max-height:32em;overflow-y:auto;"
                   "border:1px solid #ddd;padding:8px")

    def update(self) -> None:
        probs = self.problems()
        self.status.value = message(" ".join(probs)) if probs else ""
        self.legend.value = self.render_legend()
        self.counts_html.value = self.render_counts()
        self.text.value = self.render()


# ---------------------------------------------------------------------------------------------
# TimelineExplorer


def _year_of(df: pd.DataFrame) -> pd.Series:
    """The year of each row (``<NA>`` when it is unknown, e.g. ``XXXX-06``).

    Taken from a ``year`` column if there is one, else from the first four digits of ``date``.

    >>> _year_of(pd.DataFrame({"date": ["2021-07-30", "XXXX-06", "2014"]})).tolist()
    [2021, <NA>, 2014]
    """
    if "year" in df.columns:
        return pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    for col in ("date", "date_iso", "when"):
        if col in df.columns:
            return pd.to_numeric(df[col].astype(str).str.extract(r"^(\d{4})")[0],
                                 errors="coerce").astype("Int64")
    return pd.Series(pd.NA, index=df.index, dtype="Int64")


def date_precision(value) -> str:
    """How much of an ISO-like date is known: ``day``, ``month``, ``year`` or ``year lost``.

    >>> [date_precision(d) for d in ["2021-07-30", "2021-07", "2021", "XXXX-06", ""]]
    ['day', 'month', 'year', 'year lost', 'unknown']
    """
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    parts = s.strip().split("-") if s.strip() else []
    if not parts:
        return "unknown"
    if not parts[0].isdigit():
        return "year lost"
    known = [p for p in parts if p.isdigit()]
    return {1: "year", 2: "month"}.get(len(known), "day")


class TimelineExplorer(_Tool):
    """The dated events of the texts (``data/events.csv``) as a table and on a timeline.

    Filter by a range of years and by article. A date known only in part is shown as
    printed and labelled with its precision (``month`` for «آب 2020», ``year lost`` for a
    date whose year the PDF extraction dropped, such as «يونيو ،» in article 001). Events
    without a year cannot be placed on the time axis: they are listed (if
    ``include_undated`` is ticked) but not drawn.

    >>> t = TimelineExplorer(article="003")
    >>> set(t.table()["article_id"]) <= {"003"}
    True
    """

    name = "timeline"
    SHOW_COLUMNS = ("id", "date", "precision", "date_qualifier", "date_as_printed", "event_ar",
                    "event_en", "article_id")

    def __init__(self, article: str = ALL, *, include_undated: bool = True):
        self.events, self.reason = _load_table("events")
        years = (_year_of(self.events).dropna() if self.events is not None
                 else pd.Series([], dtype="Int64"))
        lo, hi = (int(years.min()), int(years.max())) if len(years) else (2003, 2025)
        if lo == hi:
            hi = lo + 1
        self.years = self._cls(W.IntRangeSlider(value=(lo, hi), min=lo, max=hi, step=1,
                                                description="Years", continuous_update=False,
                                                layout=W.Layout(width="95%"),
                                                style={"description_width": "initial"}),
                               "years")
        self.article = self._cls(W.Dropdown(options=article_options(with_all=True), value=article,
                                            description="Texts", layout=W.Layout(width="95%")),
                                 "article")
        self.include_undated = self._cls(
            W.Checkbox(value=include_undated, indent=False,
                       description="list events whose year was lost (XXXX) — أحداث بلا سنة"),
            "undated")
        self.status = self._cls(W.HTML(), "status")
        self.results = self._cls(W.HTML(), "results")
        self.chart = self._cls(W.Image(format="png"), "chart")
        self.widget = self._root([self.years, self.article, self.include_undated, self.status,
                                  self.chart, self.results])
        self._observe(self.years, self.article, self.include_undated)
        self.update()

    def table(self) -> pd.DataFrame:
        """The selected events: dated ones in the year range first (by date), then undated.

        A ``precision`` column says how much of each date is known.
        """
        if self.events is None:
            return pd.DataFrame()
        df = self.events.copy()
        year = _year_of(df)
        lo, hi = self.years.value
        dated = year.notna()
        keep = (dated & year.between(lo, hi).fillna(False)).astype(bool)
        if self.include_undated.value:
            keep |= ~dated
        if self.article.value != ALL and "article_id" in df.columns:
            keep &= df["article_id"] == self.article.value
        if "date" in df.columns:
            df["precision"] = df["date"].map(date_precision)
        df = df.assign(_undated=~dated)[keep]
        sort = ["_undated"] + (["date"] if "date" in df.columns else [])
        df = df.sort_values(sort, kind="stable").drop(columns="_undated")
        return df.reset_index(drop=True)

    def dated(self) -> pd.DataFrame:
        """The selected events whose year is known (those that can be drawn)."""
        df = self.table()
        return df[_year_of(df).notna().to_numpy()].reset_index(drop=True) if len(df) else df

    def render(self) -> str:
        if self.events is None:
            return message(self.reason, "جدول الأحداث غير متوفر بعد.")
        df = self.table()
        if df.empty:
            return message("No event in this selection.", "لا أحداث في هذا الاختيار.")
        cols = [c for c in self.SHOW_COLUMNS if c in df.columns]
        return rtl(df_to_html(df[cols], css_class="arabtexts-timeline-table"),
                   style="text-align:right")

    def render_status(self) -> str:
        if self.events is None:
            return ""
        n, n_dated = len(self.table()), len(self.dated())
        text = f"<b class='arabtexts-timeline-total'>{n}</b> event(s)"
        if n > n_dated:
            text += (f"; {n - n_dated} of them lost their year in the PDF extraction: they are "
                     "listed but cannot be placed on the time axis")
        return text

    def figure(self):
        """A matplotlib Figure of the selected dated events (``None`` if none)."""
        df = self.dated()
        if df.empty:
            return None
        from matplotlib.figure import Figure

        plotting = _optional_module("plotting")
        data = pd.DataFrame({
            "date": df["date"].astype(str) if "date" in df.columns else _year_of(df).astype(str),
            "label": df[_label_column(df) or "id"].astype(str).map(shorten),
            "group": df["article_id"].astype(str) if "article_id" in df.columns else "",
        })
        for col in ("date_qualifier", "article_id", "evidence", "evidence_start"):
            if col in df.columns:  # the timeline places «نهاية 2021» and keeps to the bodies
                data[col] = df[col].to_numpy()
        n_groups = data["group"].nunique()
        per_group = data.groupby("group").size().max()
        # one line per event when a group has many (plotting.timeline's "lines" layout):
        # the figure grows with the number of events, so labels never overlap
        height = 1.8 + 1.4 * n_groups if per_group <= 8 else 1.6 + 0.34 * len(data)
        fig = Figure(figsize=(11, height), layout="constrained")
        ax = fig.subplots()
        if plotting is not None and hasattr(plotting, "timeline"):
            plotting.timeline(data, ax=ax)
        else:  # plain matplotlib until arabtexts.plotting exists
            x = pd.to_datetime(data["date"].str.slice(0, 4) + "-01-01")
            ax.plot(x, [0] * len(x), "o")
        return fig

    def update(self) -> None:
        self.results.value = self.render()
        self.status.value = self.render_status()
        key = (self.years.value, self.article.value, self.include_undated.value)
        png = self._chart_png(key) if self.events is not None else b""
        self.chart.value = png
        self.chart.layout.display = "" if png else "none"


def shorten(text: str, limit: int = 48) -> str:
    """Cut a label at a word boundary and mark the cut with «…» (never mid-word).

    >>> shorten("عقدت الجولة الأولى من الحوار الاستراتيجي بين العراق والولايات المتحدة", 40)
    'عقدت الجولة الأولى من الحوار الاستراتيجي…'
    >>> shorten("قصير")
    'قصير'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ،,.:؛") + "…"


def _label_column(df: pd.DataFrame) -> str | None:
    for col in ("event_ar", "measures_ar", "label_ar", "what_ar", "description_ar", "title_ar",
                "name_ar", "label", "event", "evidence"):
        if col in df.columns:
            return col
    return None


# ---------------------------------------------------------------------------------------------
# CompareTexts



class CompareTexts(_Tool):
    """Two texts side by side: the words that set each apart, and the words they share.

    >>> c = CompareTexts("001", "004", top=5)
    >>> len(c.distinctive("001"))
    5
    """

    name = "compare"

    def __init__(self, left: str = "001", right: str = "004", *, top: int = 15):
        self.left = self._cls(W.Dropdown(options=article_options(), value=get_article(left).id,
                                         description="Text A", layout=W.Layout(width="95%")),
                              "left")
        self.right = self._cls(W.Dropdown(options=article_options(), value=get_article(right).id,
                                          description="Text B", layout=W.Layout(width="95%")),
                               "right")
        self.top = self._cls(W.IntSlider(value=top, min=5, max=40, step=1, description="Words",
                                         continuous_update=False), "top")
        self.results = self._cls(W.HTML(), "results")
        self.shared_html = self._cls(W.HTML(), "shared")
        self.widget = self._root([self.left, self.right, self.top, self.results, self.shared_html])
        self._observe(self.left, self.right, self.top)
        self.update()

    @staticmethod
    def _body(aid: str) -> str:
        """The repaired (clean) body of a text, or its raw body if the clean layer is missing:
        repaired words are whole («زيارة», not the fragment «يارة»)."""
        from .corpus import body_text

        try:
            return body_text(aid, "clean")
        except (FileNotFoundError, RuntimeError):
            return body_text(aid, "raw")

    def _texts(self) -> dict[str, str]:
        ids = dict.fromkeys([self.left.value, self.right.value])
        return {aid: self._body(aid) for aid in ids}

    @staticmethod
    def content_word(word: str) -> bool:
        """Not a function word (also behind a proclitic: «والتي», «مما») and not a fragment
        (at least three letters).

        >>> [w for w in ["والتي", "مما", "عام", "الانسحاب", "يا"] if CompareTexts.content_word(w)]
        ['الانسحاب']
        """
        from .tokenize import is_function_word

        return not is_function_word(word)

    def distinctive(self, article_id: str) -> pd.DataFrame:
        """The ``top`` content words most typical of ``article_id`` against the other chosen
        text (repaired article bodies; function words and fragments left out).

        When both dropdowns show the same text, the text is compared with the whole corpus.
        """
        from .analysis import distinctive_words

        texts = self._texts()
        if len(texts) < 2:
            texts = {aid: self._body(aid) for aid in ARTICLE_IDS}
        d = distinctive_words(texts, top=self.top.value * 4, min_count=2, min_length=3)
        d = d[(d["article_id"] == article_id) & d["word"].map(self.content_word)]
        return d.head(self.top.value).reset_index(drop=True)

    def shared(self) -> pd.DataFrame:
        """Content words used in both texts: ``word, count_a, count_b`` (most common first)."""
        from .analysis import frequency_table

        a = frequency_table(self._body(self.left.value), min_length=3).set_index("word")
        b = frequency_table(self._body(self.right.value), min_length=3).set_index("word")
        a = a[a.index.map(self.content_word)]
        b = b[b.index.map(self.content_word)]
        both = a.index.intersection(b.index)
        df = pd.DataFrame({"word": both, "count_a": a.loc[both, "count"].to_numpy(),
                           "count_b": b.loc[both, "count"].to_numpy()})
        df["min"] = df[["count_a", "count_b"]].min(axis=1)
        df = df.sort_values(["min", "word"], ascending=[False, True], kind="stable")
        return df.drop(columns="min").head(self.top.value).reset_index(drop=True)

    def render(self) -> str:
        cols = []
        for aid in (self.left.value, self.right.value):
            d = self.distinctive(aid)
            items = "".join(f"<li>{html.escape(w)} <span style='color:#777'>({n})</span></li>"
                            for w, n in zip(d["word"], d["count"]))
            title = html.escape(get_article(aid).title_ar)
            cols.append(f"<div class='arabtexts-compare-column' style='flex:1;padding:0 8px'>"
                        f"<h4 style='margin:4px 0'>{html.escape(aid)} · {title}</h4>"
                        f"<ol>{items}</ol></div>")
        return rtl(f"<div style='display:flex;gap:12px'>{''.join(cols)}</div>",
                   style="text-align:right")

    def render_shared(self) -> str:
        df = self.shared()
        words = "، ".join(html.escape(w) for w in df["word"])
        return rtl(f"<b>كلمات مشتركة · shared words:</b> {words}",
                   css_class="arabtexts-compare-shared-words", style="text-align:right")

    def update(self) -> None:
        self.results.value = self.render()
        self.shared_html.value = self.render_shared()


# ---------------------------------------------------------------------------------------------
# FigureExplorer


class FigureExplorer(_Tool):
    """The figures quoted in the texts (``data/figures.csv``): a table and a bar chart.

    Filter by article and by unit (troops, billion USD, percent …). Bars are drawn only for
    one unit at a time, since 2,500 troops and 80 billion dollars cannot share an axis; the
    tool starts with the most common unit.

    >>> f = FigureExplorer(unit="troops")
    >>> set(f.table()["unit"])
    {'troops'}
    """

    name = "figures"
    SHOW_COLUMNS = ("id", "value_as_printed", "value", "unit", "qualifier", "measures_ar",
                    "measures", "year", "article_id")

    def __init__(self, article: str = ALL, unit: str | None = None):
        self.figures, self.reason = _load_table("figures")
        units: list[str] = []
        if self.figures is not None and "unit" in self.figures.columns:
            counts = self.figures["unit"].astype(str).value_counts()
            units = sorted(u for u in counts.index if u)
            if unit is None and len(counts):
                unit = str(counts.index[0])
        self.article = self._cls(W.Dropdown(options=article_options(with_all=True), value=article,
                                            description="Texts", layout=W.Layout(width="95%")),
                                 "article")
        self.unit = self._cls(W.Dropdown(options=[("all units", ALL)] + [(u, u) for u in units],
                                         value=unit if unit in units else ALL,
                                         description="Unit"), "unit")
        self.status = self._cls(W.HTML(), "status")
        self.chart = self._cls(W.Image(format="png"), "chart")
        self.results = self._cls(W.HTML(), "results")
        self.widget = self._root([self.article, self.unit, self.status, self.chart, self.results])
        self._observe(self.article, self.unit)
        self.update()

    def table(self) -> pd.DataFrame:
        """The figures of the chosen article and unit."""
        if self.figures is None:
            return pd.DataFrame()
        df = self.figures
        keep = pd.Series(True, index=df.index)
        if self.article.value != ALL and "article_id" in df.columns:
            keep &= df["article_id"] == self.article.value
        if self.unit.value != ALL and "unit" in df.columns:
            keep &= df["unit"].astype(str) == self.unit.value
        return df[keep].reset_index(drop=True)

    def render(self) -> str:
        if self.figures is None:
            return message(self.reason, "جدول الأرقام غير متوفر بعد.")
        df = self.table()
        if df.empty:
            return message("No figure in this selection.", "لا أرقام في هذا الاختيار.")
        cols = [c for c in self.SHOW_COLUMNS if c in df.columns]
        return rtl(df_to_html(df[cols], css_class="arabtexts-figures-table"),
                   style="text-align:right")

    def bars(self) -> pd.Series:
        """The values to draw (index: Arabic label with its year), empty if units are mixed."""
        df = self.table()
        if df.empty or "value" not in df.columns:
            return pd.Series([], dtype="float64")
        if "unit" in df.columns and df["unit"].astype(str).nunique() > 1:
            return pd.Series([], dtype="float64")
        values = pd.to_numeric(df["value"], errors="coerce")
        df = df[values.notna().to_numpy()]
        label_col = _label_column(df) or "id"
        labels = df[label_col].astype(str).str.slice(0, 45)
        if "year" in df.columns:
            # a single year only: matplotlib lays a range such as 2015-2017 out reversed
            # inside Arabic text, which would mislead
            labels = labels + df["year"].astype(str).map(
                lambda y: f" ({y})" if re.fullmatch(r"\d{4}", y) else "")
        return pd.Series(pd.to_numeric(df["value"]).astype("float64").to_numpy(),
                         index=labels.to_numpy(), name="value")

    def render_status(self) -> str:
        if self.figures is None:
            return ""
        n = len(self.table())
        text = f"<b class='arabtexts-figures-total'>{n}</b> figure(s)"
        if n and self.bars().empty:
            text += " — choose one unit to draw a bar chart (different units cannot share an axis)"
        return text

    def figure(self):
        """A bar chart of :meth:`bars` (``None`` if there is nothing to draw)."""
        data = self.bars()
        if data.empty:
            return None
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, max(2.5, 0.4 * len(data) + 1.2)), layout="constrained")
        ax = fig.subplots()
        plotting = _optional_module("plotting")
        xlabel = self.unit.value if self.unit.value != ALL else None
        if plotting is not None and hasattr(plotting, "bar_chart"):
            plotting.bar_chart(data, ax=ax, xlabel=xlabel)
        else:
            ax.barh(range(len(data)), data.to_numpy())
            ax.set_yticks(range(len(data)), list(data.index))
            ax.invert_yaxis()
        return fig

    def update(self) -> None:
        self.results.value = self.render()
        self.status.value = self.render_status()
        key = (self.article.value, self.unit.value)
        png = self._chart_png(key) if self.figures is not None else b""
        self.chart.value = png
        self.chart.layout.display = "" if png else "none"
