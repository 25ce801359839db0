"""matplotlib charts with Arabic labels.

Arabic labels are passed as plain Unicode strings. matplotlib ≥ 3.11 shapes text itself
(libraqm): letters join and run right to left on their own. Do NOT run labels through
``arabic_reshaper`` and ``python-bidi`` as older tutorials advise: on top of matplotlib's
own shaping that reverses every word. ``tests/test_plotting.py`` proves the order from the
rendered pixels.

The course ships the Amiri font (SIL Open Font License, ``fonts/OFL.txt``), a naskh face
that reads better than the default DejaVu Sans; :func:`use_arabic_font` switches to it with
DejaVu Sans as a fallback for any glyph it lacks.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> use_arabic_font()
'Amiri'
>>> ax = bar_chart({"العراق": 46, "الكاظمي": 23}, title="أكثر الكلمات تكرارًا")
>>> [t.get_text() for t in ax.get_yticklabels()]
['العراق', 'الكاظمي']
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd

__all__ = [
    "FONT_DIR",
    "ARABIC_FONT",
    "FALLBACK_FONT",
    "use_arabic_font",
    "bar_chart",
    "timeline",
    "heatmap",
    "parse_date",
    "PartialDate",
    "place_map",
]

#: fonts shipped with the package (Amiri, OFL)
FONT_DIR = Path(__file__).with_name("fonts")
#: the family registered from :data:`FONT_DIR`
ARABIC_FONT = "Amiri"
#: matplotlib's bundled font: has Latin and Arabic glyphs, always available
FALLBACK_FONT = "DejaVu Sans"

_registered: set[str] = set()
_font_chosen = False


def _register_fonts() -> list[str]:
    """Add the shipped font files to matplotlib's font manager (once); return their families."""
    from matplotlib import font_manager

    families = []
    for path in sorted(FONT_DIR.glob("*.ttf")):
        if str(path) not in _registered:
            font_manager.fontManager.addfont(str(path))
            _registered.add(str(path))
        families.append(font_manager.FontProperties(fname=str(path)).get_name())
    return families


def use_arabic_font(family: str | None = None) -> str:
    """Make matplotlib draw text in an Arabic font, with a Latin fallback; return the family.

    Without an argument it uses the shipped Amiri font (or DejaVu Sans if the font files are
    missing). ``rcParams["font.family"]`` becomes ``[family, "DejaVu Sans"]``: a glyph the
    first font lacks is taken from the second. Calling it again is harmless.

    >>> use_arabic_font()
    'Amiri'
    >>> import matplotlib
    >>> matplotlib.rcParams["font.family"]
    ['Amiri', 'DejaVu Sans']
    >>> use_arabic_font("DejaVu Sans")            # the plainer, always-available face
    'DejaVu Sans'
    >>> use_arabic_font()
    'Amiri'
    """
    global _font_chosen
    available = _register_fonts()
    if family is None:
        family = ARABIC_FONT if ARABIC_FONT in available else FALLBACK_FONT
    mpl.rcParams["font.family"] = [family] if family == FALLBACK_FONT else [family, FALLBACK_FONT]
    mpl.rcParams["axes.unicode_minus"] = False  # plain hyphen-minus: present in every font
    _font_chosen = True
    return family


def _ensure_font() -> None:
    """Choose the Arabic font on the first chart unless the user already chose one."""
    if not _font_chosen:
        use_arabic_font()


def _new_axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


# ---------------------------------------------------------------------------------------------
# bar chart

_LABEL_COLUMNS = ("word", "ngram", "term", "label", "keyword", "name", "article_id")
_VALUE_COLUMNS = ("count", "score", "share", "value", "n")


def _as_bar_data(data, top):
    """A Series (one bar per label) or a DataFrame (grouped bars, one colour per column)."""
    if isinstance(data, dict):
        data = pd.Series(data)
    if isinstance(data, pd.DataFrame):
        label = next((c for c in _LABEL_COLUMNS if c in data.columns), None)
        value = next((c for c in _VALUE_COLUMNS if c in data.columns), None)
        if label is not None and value is not None:
            data = pd.Series(data[value].to_numpy(), index=data[label].astype(str), name=value)
        else:
            numeric = data.select_dtypes("number")
            if numeric.shape[1] == 0:
                raise ValueError("bar_chart needs numeric values")
            data = numeric.iloc[:, 0] if numeric.shape[1] == 1 else numeric
    elif not isinstance(data, pd.Series):
        raise TypeError("bar_chart expects a Series, a dict or a DataFrame")
    if top is not None:
        data = data.head(top)
    return data


def bar_chart(
    series_or_df,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax=None,
    horizontal: bool = True,
    top: int | None = None,
    annotate: bool = True,
    color: str | None = None,
):
    """Bar chart of counts with Arabic labels; returns the matplotlib Axes.

    Accepts a Series (index = labels), a dict, a two-column table such as the output of
    :func:`arabtexts.analysis.frequency_table` (``word``/``ngram``… + ``count``/``score``…),
    or a wide DataFrame (index = labels, one group of bars per column, e.g.
    ``frequency_table(..., by_article=True)``). Bars keep the order given: with
    ``horizontal=True`` (default, best for long Arabic words) the first row is at the top.
    ``annotate`` writes each bar's value at its end.

    >>> from arabtexts.analysis import frequency_table
    >>> ax = bar_chart(frequency_table("العراق العراق إيران", drop_stopwords=False),
    ...                title="الكلمات", xlabel="التكرار")
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_title()
    (['العراق', 'ايران'], 'الكلمات')
    """
    _ensure_font()
    data = _as_bar_data(series_or_df, top)
    labels = [str(i) for i in data.index]
    n = len(labels)
    long_side = max(2.5, 0.35 * n + 1.2) if horizontal else max(4.0, 0.5 * n + 1.5)
    ax = _new_axes(ax, (7, long_side) if horizontal else (long_side, 4.5))
    pos = np.arange(n)
    if isinstance(data, pd.DataFrame):
        k = data.shape[1]
        width = 0.8 / k
        for j, col in enumerate(data.columns):
            offs = pos - 0.4 + width * (j + 0.5)
            vals = data[col].to_numpy(dtype=float)
            bars = (ax.barh if horizontal else ax.bar)(offs, vals, width, label=str(col))
            if annotate and k <= 3:
                ax.bar_label(bars, fmt="%g", padding=2, fontsize="small")
        ax.legend(title=data.columns.name)
    else:
        vals = data.to_numpy(dtype=float)
        bars = (ax.barh if horizontal else ax.bar)(pos, vals, 0.7, color=color or "C0")
        if annotate:
            ax.bar_label(bars, fmt="%g", padding=2, fontsize="small")
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()  # first row on top
        ax.margins(x=0.1)
    else:
        ax.set_xticks(pos, labels, rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
        ax.margins(y=0.1)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


# ---------------------------------------------------------------------------------------------
# timeline

_DATE_RE = re.compile(
    r"^\s*(\d{4})(?:-(\d{1,2}|\?\?|xx|XX))?(?:-(\d{1,2}|\?\?|xx|XX))?\s*$"
)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day: ``start`` and ``end`` of its period."""

    text: str
    start: pd.Timestamp
    end: pd.Timestamp
    precision: str  # "day", "month" or "year"
    placed: str = "start"  # where in its period the text puts it: start, middle, second half, end

    @property
    def partial(self) -> bool:
        return self.precision != "day"

    @property
    def anchor(self) -> pd.Timestamp:
        """The point of the period where the text places the event (see :func:`parse_date`).

        >>> parse_date("2021", "end of (deadline)").anchor.date()   # «بحلول نهاية 2021»
        datetime.date(2021, 12, 31)
        >>> parse_date("2021").anchor.date()
        datetime.date(2021, 1, 1)
        """
        if not self.partial or self.placed == "start":
            return self.start
        last = self.end - pd.Timedelta(days=1)
        if self.placed == "end":
            return last
        if self.placed == "second half":
            return self.start + (self.end - self.start) * 3 / 4
        return self.start + (last - self.start) / 2


#: the legend of a partial date in :func:`timeline`: what is drawn, wherever the dot sits (at
#: the start of the period, or at its end for «بحلول نهاية 2021»)
PARTIAL_DATE_LEGEND = ("تاريخ ناقص: الشريط يغطي الفترة، والدائرة حيث يضعه النص "
                       "(partial date: the bar spans the period, the circle is where the text puts it)")

#: date qualifiers (``events.csv`` ``date_qualifier``) that place an event inside its period
_PLACED = (("end of", "end"), ("by", "end"), ("late", "end"), ("mid", "middle"),
           ("second half", "second half"), ("early", "start"))


def _placed(qualifier) -> str:
    q = str(qualifier or "").strip().lower()
    return next((where for prefix, where in _PLACED if q.startswith(prefix)), "start")


def parse_date(value, qualifier: str | None = None) -> PartialDate:
    """Parse an ISO date that may be partial: ``2021-07-30``, ``2021-07``, ``2020``.

    Unknown parts may also be written ``??`` or ``XX`` (``2020-08-??``). ``start`` and
    ``end`` (exclusive) bound the period. ``anchor`` is the point where the text places the
    event: the start of the period, unless the ``qualifier`` (the ``date_qualifier`` column
    of ``events.csv``) says otherwise: «نهاية 2021» / «بحلول نهاية 2021» (``end of``, ``by
    (deadline)``) are placed on the period's last day, ``mid`` in its middle, ``second half
    of`` in the middle of its second half. Compare an event with a publication date through
    ``anchor``: «بحلول نهاية 2021» lies *after* 30 July 2021, though the year began before.
    Use it for dates whose day or year was lost in the PDF extraction (e.g. the Kadhimi
    visit of «أغسطس/ آب» 2020 in article 001).

    >>> d = parse_date("2020-08")          # «آب 2020»: the day is unknown
    >>> d.start.date(), d.precision, d.partial
    (datetime.date(2020, 8, 1), 'month', True)
    >>> parse_date("2021-07-30").partial   # «30 تموز 2021»
    False
    """
    if isinstance(value, PartialDate):
        return value if qualifier is None else replace(value, placed=_placed(qualifier))
    where = _placed(qualifier)
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return PartialDate(str(value), ts, ts + pd.Timedelta(days=1), "day")
    m = _DATE_RE.match(str(value))
    if not m:
        raise ValueError(f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    y, mo, d = m.groups()
    known = lambda part: part is not None and part.isdigit()  # noqa: E731
    if known(mo) and known(d):
        start = pd.Timestamp(int(y), int(mo), int(d))
        return PartialDate(str(value), start, start + pd.Timedelta(days=1), "day")
    if known(mo):
        start = pd.Timestamp(int(y), int(mo), 1)
        return PartialDate(str(value), start, start + pd.offsets.MonthBegin(1), "month", where)
    if d is not None and known(d):
        raise ValueError(f"a day without a month is not a date: {value!r}")
    start = pd.Timestamp(int(y), 1, 1)
    return PartialDate(str(value), start, pd.Timestamp(int(y) + 1, 1, 1), "year", where)


def timeline(
    events,
    *,
    title: str | None = None,
    ax=None,
    date: str = "date",
    label: str = "label",
    group: str = "group",
    skip_unknown_year: bool = True,
    layout: str = "auto",
    qualifier: str = "date_qualifier",
    part: str = "body",
):
    """Events on a time axis; returns the matplotlib Axes.

    ``events`` is a DataFrame (or a list of dicts) with a ``date`` column of ISO dates,
    possibly partial (``2021``, ``2021-07``, ``2021-07-30``; see :func:`parse_date`), a
    ``label`` column (Arabic text) and optionally a ``group`` column: each group gets its own
    row. A full date is a filled dot. A partial date is drawn as a bar over the whole period
    (the month or the year) with a hollow dot where the text places the event (its start, or
    its end for a deadline, see ``qualifier``), so the reader sees how uncertain it is. Rows whose year is unknown (``XXXX``, ``XXXX-06``, as in
    ``data/events.csv`` where the PDF extraction lost the digits) cannot be placed: they are
    left out with a warning (``skip_unknown_year=False`` raises instead). ``date``, ``label``
    and ``group`` name the columns to use, e.g. ``label="event_ar", group="article_id"``.
    A ``qualifier`` column (``date_qualifier`` in ``data/events.csv``) places a partial date
    inside its period (see :func:`parse_date`): «بحلول نهاية 2021» is drawn at the end of
    2021, not at its start. With ``part="body"`` (the default) rows that carry
    ``article_id``/``evidence``/``evidence_start`` and whose evidence lies outside the article
    body (a news ticker, a footnote …; see :func:`arabtexts.corpus.in_body`) are left out with
    a warning; ``part="page"`` keeps them.
    ``layout="rows"`` puts each group on one row with labels above and below it (good for a
    few events); ``layout="lines"`` gives every event its own line in date order, coloured by
    group (readable for dozens of events); ``"auto"`` picks rows up to 8 events per group.

    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "date": ["2020-08", "2021-07-26", "2024-01"],
    ...     "label": ["زيارة الكاظمي لواشنطن", "الجولة الرابعة من الحوار الاستراتيجي",
    ...               "بغداد تتحرك لإنهاء مهمة التحالف"]})
    >>> ax = timeline(ev, title="محطات العلاقات العراقية الأمريكية")
    >>> [t.get_text() for t in ax.texts][0]
    'زيارة الكاظمي لواشنطن'
    """
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    _ensure_font()
    df = pd.DataFrame(events).reset_index(drop=True)
    for col in (date, label):
        if col not in df.columns:
            raise ValueError(f"timeline needs a {col!r} column")
    if part not in ("body", "page"):
        raise ValueError(f"part must be 'body' or 'page', not {part!r}")
    if part == "body" and {"article_id", "evidence", "evidence_start"} <= set(df.columns):
        from .corpus import in_body

        inside = [not isinstance(ev, str) or not ev or pd.isna(s0)
                  or in_body(str(a), int(s0), int(s0) + len(ev))
                  for a, ev, s0 in zip(df["article_id"], df["evidence"], df["evidence_start"])]
        if not all(inside):
            warnings.warn(f"timeline: {inside.count(False)} events outside the article bodies "
                          "are not shown (part='page' shows them)", stacklevel=2)
            df = df[inside].reset_index(drop=True)
    unknown = df[date].astype(str).str.match(r"^\s*(XXXX|xxxx|\?\?\?\?)")
    if unknown.any():
        if not skip_unknown_year:
            raise ValueError(f"{int(unknown.sum())} dates have no year, e.g. {df.loc[unknown, date].iloc[0]!r}")
        warnings.warn(
            f"timeline: {int(unknown.sum())} of {len(df)} events have no known year and are not shown",
            stacklevel=2,
        )
        df = df[~unknown].reset_index(drop=True)
    if df.empty:
        raise ValueError("timeline: no event with a known date")
    quals = df[qualifier] if qualifier in df.columns else [None] * len(df)
    parsed = [parse_date(v, q) for v, q in zip(df[date], quals)]
    df = df.assign(
        _start=[p.anchor for p in parsed],
        _from=[p.start for p in parsed],
        _end=[p.end for p in parsed],
        _partial=[p.partial for p in parsed],
    )
    has_groups = group in df.columns
    groups = list(dict.fromkeys(df[group].astype(str))) if has_groups else [""]
    row = {g: i for i, g in enumerate(groups)}
    # the first group on top: rows go downwards from y = 0
    df["_y"] = -df[group].astype(str).map(row) if has_groups else 0
    df = df.sort_values("_start", kind="stable")

    per_row = df.groupby("_y").size().max()
    if layout == "auto":
        layout = "rows" if per_row <= 8 else "lines"
    if layout not in ("rows", "lines"):
        raise ValueError(f"layout must be 'auto', 'rows' or 'lines', not {layout!r}")

    def mark(start, end, partial, y, color, period_start=None):
        if partial:
            a = start if period_start is None else period_start
            ax.plot([a, end], [y, y], color=color, lw=6, alpha=0.25, solid_capstyle="butt")
            ax.plot([start], [y], "o", mfc="white", mec=color, mew=2, ms=8, zorder=3)
        else:
            ax.plot([start], [y], "o", color=color, ms=8, zorder=3)

    handles = []
    if layout == "rows":
        ax = _new_axes(ax, (10, 1.6 + 1.3 * len(groups)))
        levels = (0.28, -0.28, 0.52, -0.52)  # alternate labels above/below the row
        counters = {-g: 0 for g in range(len(groups))}
        for start, end, partial, y, text, p0 in zip(
            df["_start"], df["_end"], df["_partial"], df["_y"], df[label], df["_from"]
        ):
            mark(start, end, partial, y, f"C{-y % 10}", p0)
            dy = levels[counters[y] % len(levels)]
            counters[y] += 1
            ax.annotate(
                str(text),
                xy=(start, y),
                xytext=(start, y + dy),
                ha="center",
                va="bottom" if dy > 0 else "top",
                fontsize="small",
                arrowprops=dict(arrowstyle="-", color="0.6", lw=0.8),
            )
        ax.set_yticks([-i for i in range(len(groups))], groups if has_groups else [""])
        ax.set_ylim(-(len(groups) - 1) - 0.9, 0.9)
    else:  # one line per event, in date order; the group is the colour
        n = len(df)
        ax = _new_axes(ax, (11, 1.5 + 0.32 * n))
        middle = df["_from"].min() + (df["_end"].max() - df["_from"].min()) / 2
        for k, (start, end, partial, y, text, p0) in enumerate(
            zip(df["_start"], df["_end"], df["_partial"], df["_y"], df[label], df["_from"])
        ):
            mark(start, end, partial, -k, f"C{-y % 10}", p0)
            # labels of late events go to the left of their dot, so they are not cut off
            right = start <= middle
            ax.annotate(str(text), xy=(start, -k), xytext=(8 if right else -8, 0),
                        textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize="small", zorder=4,
                        bbox=dict(fc="white", ec="none", alpha=0.75, pad=0.5))
        ax.set_yticks([])
        ax.set_ylim(-n + 0.3, 0.7)
        if has_groups:
            handles += [Line2D([], [], marker="o", ls="", color=f"C{i % 10}", label=g)
                        for i, g in enumerate(groups)]
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    span = df["_end"].max() - df["_from"].min()
    pad = max(span * 0.08, pd.Timedelta(days=20))
    ax.set_xlim(df["_from"].min() - pad, df["_end"].max() + pad)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    if df["_partial"].any():
        handles += [
            Line2D([], [], marker="o", ls="", color="0.3", label="تاريخ كامل (full date)"),
            Line2D([], [], marker="o", ls="-", lw=5, alpha=0.5, mfc="white", mec="0.3",
                   color="0.7", label=PARTIAL_DATE_LEGEND),
        ]
    if handles:
        ax.legend(
            handles=handles,
            ncols=min(4, len(handles)),
            loc="upper left",
            bbox_to_anchor=(0, -0.12),
            fontsize="small",
            frameon=False,
        )
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------
# heatmap


def heatmap(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    ax=None,
    cmap: str = "Blues",
    annotate: bool = True,
    fmt: str | None = None,
    colorbar: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
):
    """A table of numbers as coloured cells, rows and columns labelled; returns the Axes.

    Typical input: ``frequency_table(corpus, by_article=True, top=15)`` (words × articles)
    or :func:`arabtexts.analysis.term_counts`. Each cell shows its value unless
    ``annotate=False``; ``fmt`` is a format such as ``"{:.2f}"`` (default: integers as
    integers, other numbers with two decimals).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"001": [3, 8], "003": [1, 11]}, index=["انسحاب", "إيران"])
    >>> ax = heatmap(t, title="المصطلحات في كل نص")
    >>> [x.get_text() for x in ax.get_yticklabels()]
    ['انسحاب', 'إيران']
    >>> sorted(x.get_text() for x in ax.texts)
    ['1', '11', '3', '8']
    """
    _ensure_font()
    df = pd.DataFrame(df)
    values = df.to_numpy(dtype=float)
    nr, nc = values.shape
    ax = _new_axes(ax, (max(4.0, 0.9 * nc + 2.5), max(2.5, 0.4 * nr + 1.5)))
    im = ax.imshow(values, cmap=cmap, aspect="auto")
    ax.set_xticks(range(nc), [str(c) for c in df.columns])
    ax.set_yticks(range(nr), [str(i) for i in df.index])
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    if annotate and values.size:
        integral = np.all(np.isnan(values) | (values == np.round(values)))
        fmt = fmt or ("{:.0f}" if integral else "{:.2f}")
        finite = values[np.isfinite(values)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0
        for i in range(nr):
            for j in range(nc):
                v = values[i, j]
                if np.isnan(v):
                    continue
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize="small",
                        color="white" if v > mid else "black")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


# ---------------------------------------------------------------------------------------------
# map of places

#: the part of the world most places of the texts lie in (lon_min, lon_max, lat_min, lat_max)
REGION = (24.0, 62.0, 12.0, 43.0)
#: Iraq and its borders
IRAQ = (38.5, 49.0, 29.0, 37.6)
_TYPE_MARKERS = {"city": "o", "country": "s", "region": "D"}


def place_map(
    places,
    *,
    size: str | None = None,
    label: str = "name_ar",
    extent: tuple[float, float, float, float] | None = REGION,
    quiet: tuple[float, float, float, float] | None = None,
    title: str | None = None,
    ax=None,
):
    """Places as points on a longitude/latitude plane: a map without map tiles.

    ``places`` is a DataFrame with ``lon``, ``lat`` and a ``label`` column (``data/places.csv``
    has them); ``type`` (city/country/region) chooses the marker, and ``size`` names a column
    of numbers (e.g. mentions in the article bodies) that sets the area of each point. Only
    the places inside ``extent`` (``(lon_min, lon_max, lat_min, lat_max)``, the Middle East by
    default; ``None`` for all) are drawn; the axes keep true proportions at that latitude
    (1° of longitude is ``cos(latitude)`` times 1° of latitude). Places inside ``quiet`` (an
    extent drawn in detail on another panel) get a point but no label. Nothing is downloaded:
    no coastlines are drawn, only the points, a grid and the labels.

    >>> import pandas as pd
    >>> pl = pd.DataFrame({"name_ar": ["بغداد", "البصرة"], "lon": [44.37, 47.78],
    ...                    "lat": [33.32, 30.51], "type": ["city", "city"]})
    >>> ax = place_map(pl)
    >>> sorted(t.get_text() for t in ax.texts)
    ['البصرة', 'بغداد']
    """
    _ensure_font()
    df = pd.DataFrame(places).copy()
    for col in ("lon", "lat", label):
        if col not in df.columns:
            raise ValueError(f"place_map needs a {col!r} column")
    df = df[df["lon"].notna() & df["lat"].notna()]
    if extent is not None:
        x0, x1, y0, y1 = extent
        df = df[df["lon"].between(x0, x1) & df["lat"].between(y0, y1)]
    if df.empty:
        raise ValueError("place_map: no place inside the extent")
    ax = _new_axes(ax, (10, 7))
    sizes = (30 + 25 * df[size].astype(float).clip(lower=0) ** 0.5) if size else pd.Series(60.0, index=df.index)
    types = df["type"] if "type" in df.columns else pd.Series("city", index=df.index)
    for i, (kind, marker) in enumerate(_TYPE_MARKERS.items()):
        sel = types == kind
        if sel.any():
            ax.scatter(df.loc[sel, "lon"], df.loc[sel, "lat"], s=sizes[sel], marker=marker,
                       color=f"C{i}", alpha=0.75, edgecolor="white", linewidth=0.8,
                       label={"city": "مدينة (city)", "country": "دولة (country)",
                              "region": "إقليم (region)"}[kind], zorder=3)
    other = ~types.isin(list(_TYPE_MARKERS))
    if other.any():
        ax.scatter(df.loc[other, "lon"], df.loc[other, "lat"], s=sizes[other], color="0.5", zorder=3)
    mid = float(df["lat"].mean()) if extent is None else (extent[2] + extent[3]) / 2
    ax.set_aspect(1 / np.cos(np.radians(mid)))
    if extent is not None:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("خط الطول (longitude °E)")
    ax.set_ylabel("خط العرض (latitude °N)")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    kinds = ax.legend(loc="lower left", fontsize="small")
    points = [(x, y, str(t), float(a)) for x, y, t, a in zip(df["lon"], df["lat"], df[label], sizes)
              if quiet is None or not (quiet[0] <= x <= quiet[1] and quiet[2] <= y <= quiet[3])]
    numbered = _place_labels(ax, points, [(x, y, float(a)) for x, y, a in
                                          zip(df["lon"], df["lat"], sizes)], avoid=[kinds])
    if numbered:  # the places whose name found no free spot: a number on the map, the name here
        from matplotlib.lines import Line2D

        ax.add_artist(kinds)
        ax.legend(handles=[Line2D([], [], ls="", marker=f"${k}$", color="0.1", markersize=7,
                                  label=name) for k, name in numbered],
                  loc="best", fontsize="x-small", title="أرقام (numbers)",
                  title_fontsize="x-small", handletextpad=0.4, labelspacing=0.3)
    return ax


#: where a place's label may go, best first: right, left, above, below, the diagonals, then
#: the same further out; ``(x, y, ha, va)`` in units of the gap between the dot's edge and the
#: label (see :func:`_place_labels`)
_LABEL_SPOTS = [(dx, dy, ha, va) for dx, dy, ha, va in (
    (1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
    (0, -1, "center", "top"), (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"),
    (1, -1, "left", "top"), (-1, -1, "right", "top"))]


def _place_labels(ax, points, dots, *, avoid=()) -> list[tuple[int, str]]:
    """Label every ``(x, y, text, area)`` of ``points`` at the first spot of
    :data:`_LABEL_SPOTS` where the label stays inside the axes and overlaps no other label, no
    dot (``dots``: ``(x, y, area)`` of every point drawn) and none of the ``avoid`` artists
    (the legend). Big points choose first. A place that finds no free spot gets a small
    number instead; returns ``[(number, text), …]`` for the key.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 3))
    >>> ax.set_xlim(0, 10); ax.set_ylim(0, 10)  # doctest: +ELLIPSIS
    (...)
    >>> _place_labels(ax, [(5, 5, "بغداد", 60.0), (5.05, 5.05, "العراق", 60.0)], [])
    []
    >>> sorted(t.get_text() for t in ax.texts)
    ['العراق', 'بغداد']
    """
    fig = ax.figure
    fig.draw_without_rendering()  # the layout (constrained, tight …) settles first
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    px = fig.dpi / 72  # display pixels per point
    taken = [a.get_window_extent(renderer) for a in avoid]
    for x, y, area in dots:
        cx, cy = ax.transData.transform((x, y))
        r = max(area, 1.0) ** 0.5 / 2 * px
        taken.append(mpl.transforms.Bbox([[cx - r, cy - r], [cx + r, cy + r]]))
    numbered: list[tuple[int, str]] = []
    for x, y, text, area in sorted(points, key=lambda p: -p[3]):
        r = max(area, 1.0) ** 0.5 / 2  # the dot's radius in points: labels start at its edge
        spots = [(dx * (r + gap), dy * (r + gap), ha, va) for gap in (3, 12)
                 for dx, dy, ha, va in _LABEL_SPOTS]
        for dx, dy, ha, va in spots:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                            va=va, fontsize="small", zorder=4)
            box = t.get_window_extent(renderer)
            inside = (box.x0 >= axbox.x0 and box.x1 <= axbox.x1 and box.y0 >= axbox.y0
                      and box.y1 <= axbox.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                taken.append(box)
                break
            t.remove()
        else:
            k = len(numbered) + 1
            t = ax.annotate(str(k), (x, y), xytext=(3, 3), textcoords="offset points",
                            fontsize="x-small", fontweight="bold", zorder=5)
            taken.append(t.get_window_extent(renderer))
            numbered.append((k, text))
    return numbered
