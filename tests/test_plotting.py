"""plotting: Arabic labels render connected and right to left; the chart helpers do what they say.

How the right-to-left test works
--------------------------------
«العراق» is drawn through the real chart path (a tick label of :func:`bar_chart`) and the
label's pixels are cut out of the Agg canvas. The letter «ق» is drawn alone with the same
font and size, and its image is slid along the word's image (normalised cross-correlation).
Read right to left, «ق» is the LAST letter, so in a correct rendering it must sit at the LEFT
end of the word. As a control, the string that arabic-reshaper + python-bidi produce for
«العراق» (presentation forms in reversed order, written out here so no such package is
needed) is drawn the same way: there the «ق» is found at the RIGHT end, i.e. the check does
tell the two apart, and would fail if the plotting code ever reversed the text.

Joining is checked with the middle letter «ع»: in «العراق» it must take its medial form
(U+FECC «ﻌ»), whose image matches the word far better than the isolated «ع» does, and the
word must be narrower than the same letters kept apart by ZERO WIDTH NON-JOINERs.
"""
from __future__ import annotations

import os

import matplotlib  # noqa: E402

# the backend of this process only: an MPLBACKEND variable would leak into the kernels that
# the notebook tests start, and their figures would no longer be shown inline
matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from arabtexts import analysis as A  # noqa: E402
from arabtexts import plotting as P  # noqa: E402
from arabtexts.corpus import load_corpus  # noqa: E402

WORD = "العراق"
#: what arabic_reshaper.reshape + bidi.get_display return for «العراق»: the presentation
#: forms ﻕ ﺍ ﺮ ﻌ ﻟ ﺍ in visual (reversed) order
RESHAPED_BIDI = "\uFED5\uFE8D\uFEAE\uFECC\uFEDF\uFE8D"
SIZE = 40


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---- raster helpers -----------------------------------------------------------------------


def _ink(rgba: np.ndarray) -> np.ndarray:
    """Darkness 0..255 of an RGBA image drawn black on white."""
    return 255.0 - rgba[..., :3].astype(float).mean(axis=2)


def _crop(ink: np.ndarray, threshold: float = 40) -> np.ndarray:
    ys, xs = np.nonzero(ink > threshold)
    assert len(xs), "nothing was drawn"
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _render_alone(text: str, family: str) -> np.ndarray:
    """Ink image of ``text`` drawn alone with the same font and size as the tick label."""
    fig = Figure(figsize=(8, 2), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, family=[family, P.FALLBACK_FONT], fontsize=SIZE,
             ha="center", va="center")
    fig.canvas.draw()
    return _crop(_ink(np.asarray(fig.canvas.buffer_rgba())))


def _render_tick_label(text: str) -> np.ndarray:
    """Ink image of ``text`` as the bar chart draws it (a y tick label), cut from the canvas."""
    ax = P.bar_chart(pd.Series({text: 1.0}), annotate=False)
    ax.tick_params(axis="y", labelsize=SIZE)
    fig = ax.figure
    fig.set_dpi(100)
    fig.canvas.draw()
    label = ax.get_yticklabels()[0]
    assert label.get_text() == text  # passed through untouched
    bbox = label.get_window_extent()
    img = _ink(np.asarray(fig.canvas.buffer_rgba()))
    h = img.shape[0]
    x0, x1 = int(np.floor(bbox.x0)) - 2, int(np.ceil(bbox.x1)) + 2
    y0, y1 = h - int(np.ceil(bbox.y1)) - 2, h - int(np.floor(bbox.y0)) + 2
    return _crop(img[max(0, y0) : y1, max(0, x0) : x1])


def _best_match(image: np.ndarray, template: np.ndarray) -> tuple[float, float]:
    """Best normalised cross-correlation of ``template`` over ``image``.

    Returns ``(score, x)`` with ``x`` the relative horizontal position of the best match:
    0.0 = at the left end of the image, 1.0 = at the right end.
    """
    h, w = template.shape
    pad_y, pad_x = max(0, h - image.shape[0]), max(0, w - image.shape[1])
    image = np.pad(image, ((0, pad_y), (0, pad_x)))
    win = sliding_window_view(image, (h, w))  # (ny, nx, h, w)
    t = template - template.mean()
    wc = win - win.mean(axis=(2, 3), keepdims=True)
    num = (wc * t).sum(axis=(2, 3))
    den = np.sqrt((wc**2).sum(axis=(2, 3)) * (t**2).sum())
    corr = np.where(den > 0, num / np.where(den > 0, den, 1), 0)
    y, x = np.unravel_index(np.argmax(corr), corr.shape)
    span = corr.shape[1] - 1
    return float(corr[y, x]), (x / span if span else 0.5)


# ---- right to left, connected --------------------------------------------------------------


@pytest.fixture(params=["Amiri", "DejaVu Sans"])
def family(request):
    chosen = P.use_arabic_font(request.param)
    assert chosen == request.param
    yield chosen
    P.use_arabic_font()


def test_arabic_label_reads_right_to_left(family):
    qaf = _render_alone("ق", family)
    score, x = _best_match(_render_tick_label(WORD), qaf)
    assert score > 0.9, "the letter ق is not found in the rendered word"
    assert x < 0.1, f"ق (the last letter) should be at the LEFT end; found at {x:.2f}"


def test_reshaper_bidi_output_would_be_caught(family):
    """Control: the old reshaper+bidi recipe puts ق at the right end, and the check sees it."""
    qaf = _render_alone("ق", family)
    score, x = _best_match(_render_tick_label(RESHAPED_BIDI), qaf)
    assert score > 0.9
    assert x > 0.9
    assert not np.array_equal(_render_tick_label(RESHAPED_BIDI), _render_tick_label(WORD))
    # bidi alone (characters reversed, then shaped): the isolated ق is not at the left end either
    score, x = _best_match(_render_tick_label(WORD[::-1]), qaf)
    assert not (score > 0.9 and x < 0.1)


def test_arabic_label_letters_are_joined(family):
    word = _render_tick_label(WORD)
    medial, _ = _best_match(word, _render_alone("\uFECC", family))  # ﻌ medial ain
    isolated, _ = _best_match(word, _render_alone("ع", family))
    assert medial > 0.9
    assert isolated < medial - 0.3
    apart = _render_tick_label("\u200c".join(WORD))  # ZWNJ: no joining
    assert word.shape[1] < apart.shape[1]


# ---- font ----------------------------------------------------------------------------------


def test_use_arabic_font_ships_amiri_with_licence():
    from matplotlib import font_manager

    assert P.use_arabic_font() == "Amiri"
    assert list(matplotlib.rcParams["font.family"]) == ["Amiri", "DejaVu Sans"]
    found = font_manager.findfont(font_manager.FontProperties(family="Amiri"), fallback_to_default=False)
    assert os.path.dirname(found) == str(P.FONT_DIR)
    licence = (P.FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert P.use_arabic_font() == "Amiri"  # idempotent


# ---- charts --------------------------------------------------------------------------------


def test_bar_chart_from_frequency_table_keeps_order():
    freq = A.frequency_table(load_corpus(), top=8)
    ax = P.bar_chart(freq, title="أكثر الكلمات", xlabel="التكرار")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == freq["word"].tolist()
    assert labels[0] == "العراق"
    assert ax.yaxis_inverted()  # first row on top
    widths = [p.get_width() for p in ax.patches]
    assert widths == freq["count"].astype(float).tolist()
    assert ax.get_title() == "أكثر الكلمات" and ax.get_xlabel() == "التكرار"


def test_bar_chart_series_vertical_and_grouped():
    ax = P.bar_chart(pd.Series({"بغداد": 3, "واشنطن": 5}), horizontal=False, ylabel="عدد")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["بغداد", "واشنطن"]
    assert [p.get_height() for p in ax.patches] == [3.0, 5.0]
    wide = A.frequency_table(load_corpus(), by_article=True, top=4)
    ax = P.bar_chart(wide)
    assert len(ax.patches) == 4 * 5
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(wide.columns)
    fig, own = plt.subplots()
    assert P.bar_chart({"أ": 1}, ax=own) is own
    with pytest.raises(TypeError):
        P.bar_chart([1, 2])


def test_parse_date_partial_forms():
    assert P.parse_date("2021-07-30").precision == "day"
    m = P.parse_date("2020-08")
    assert (m.start, m.end, m.partial) == (pd.Timestamp("2020-08-01"), pd.Timestamp("2020-09-01"), True)
    y = P.parse_date("2025")
    assert (y.start, y.end, y.precision) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"), "year")
    assert P.parse_date("2020-08-??").precision == "month"
    assert P.parse_date("2021-XX").precision == "year"
    for bad in ("آب 2020", "2020/08", "2020-??-05", ""):
        with pytest.raises(ValueError):
            P.parse_date(bad)


def test_timeline_places_partial_dates_at_period_start_and_marks_them():
    ev = pd.DataFrame(
        {
            "date": ["2020-08", "2021-07-30", "2024"],
            "label": ["زيارة الكاظمي لواشنطن", "الجولة الرابعة", "طرد التحالف"],
            "group": ["زيارات", "حوار", "حوار"],
        }
    )
    ax = P.timeline(ev, title="خط زمني")
    assert [t.get_text() for t in ax.texts] == ev["label"].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["زيارات", "حوار"]
    markers = [l for l in ax.lines if l.get_marker() == "o"]
    xs = {float(mdates.date2num(pd.Timestamp(d))): l for d, l in
          zip(["2020-08-01", "2021-07-30", "2024-01-01"], markers)}
    for x, line in xs.items():
        assert float(mdates.date2num(line.get_xdata()[0])) == pytest.approx(x)
    hollow = [l for l in markers if l.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))]
    assert len(hollow) == 2  # the two partial dates
    spans = [l for l in ax.lines if l.get_marker() in ("None", "", None) and len(l.get_xdata()) == 2]
    ends = sorted(float(mdates.date2num(l.get_xdata()[1])) for l in spans)
    assert ends == pytest.approx([mdates.date2num(pd.Timestamp("2020-09-01")),
                                  mdates.date2num(pd.Timestamp("2025-01-01"))])
    assert ax.get_legend() is not None
    with pytest.raises(ValueError):
        P.timeline(pd.DataFrame({"date": ["2020"]}))
    with pytest.raises(ValueError):
        P.timeline(ev, layout="spiral")
    lines = P.timeline(ev, layout="lines")
    assert [t.get_text() for t in lines.texts] == ev["label"].tolist()
    assert [t.get_text() for t in lines.get_legend().get_texts()][:2] == ["زيارات", "حوار"]


def test_timeline_legend_says_what_is_drawn_for_a_deadline_at_the_end_of_its_period():
    # «بحلول نهاية 2021» (events.csv qualifier "end of (deadline)"): the hollow dot sits on the
    # period's last day and the bar spans the whole year; the legend must not say "period start"
    ev = pd.DataFrame({"date": ["2021", "2021-07-26", "2020-08"],
                       "label": ["انسحاب القوات القتالية", "الجولة الرابعة", "زيارة الكاظمي"],
                       "date_qualifier": ["end of (deadline)", "", ""]})
    ax = P.timeline(ev)
    hollow = [l for l in ax.lines if l.get_marker() == "o"
              and l.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))]
    dots = sorted(float(mdates.date2num(l.get_xdata()[0])) for l in hollow)
    assert dots == pytest.approx([mdates.date2num(pd.Timestamp("2020-08-01")),
                                  mdates.date2num(pd.Timestamp("2021-12-31"))])
    bars = sorted((float(mdates.date2num(l.get_xdata()[0])), float(mdates.date2num(l.get_xdata()[1])))
                  for l in ax.lines if l.get_marker() in ("None", "", None) and len(l.get_xdata()) == 2)
    assert bars[1] == pytest.approx((mdates.date2num(pd.Timestamp("2021-01-01")),
                                     mdates.date2num(pd.Timestamp("2022-01-01"))))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert P.PARTIAL_DATE_LEGEND in legend
    assert "الشريط يغطي الفترة" in P.PARTIAL_DATE_LEGEND and "bar spans the period" in P.PARTIAL_DATE_LEGEND
    assert not any("start" in t or "بداية" in t for t in legend)


def _label_boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]


def test_place_map_labels_do_not_overlap_on_the_course_map():
    """00b's three panels (Iraq, the Middle East, the world) from data/places.csv: every label
    inside its panel, no two labels overlapping (Baghdad and Iraq, the Levant, Western Europe),
    and every place drawn named, on the map or in the numbered key."""
    from arabtexts.datasets import load_table

    places = load_table("places")
    named = A.entity_counts(load_corpus(), types="places").sum(axis=1).rename("mentions")
    places = places.merge(named, left_on="id", right_index=True, how="left").fillna({"mentions": 0})
    fig, (iraq, near, world) = plt.subplots(1, 3, figsize=(17, 6), layout="constrained",
                                            gridspec_kw={"width_ratios": [1, 1.2, 1.3]})
    P.place_map(places, size="mentions", ax=iraq, extent=P.IRAQ)
    P.place_map(places, size="mentions", ax=near, quiet=P.IRAQ)
    P.place_map(places, size="mentions", ax=world, extent=(-100, 110, 0, 65), quiet=P.REGION)
    fig.draw_without_rendering()
    for ax, extent, quiet in ((iraq, P.IRAQ, None), (near, P.REGION, P.IRAQ),
                              (world, (-100, 110, 0, 65), P.REGION)):
        x0, x1, y0, y1 = extent
        shown = places[places["lon"].between(x0, x1) & places["lat"].between(y0, y1)]
        if quiet is not None:
            shown = shown[~(shown["lon"].between(quiet[0], quiet[1])
                            & shown["lat"].between(quiet[2], quiet[3]))]
        boxes = _label_boxes(ax)
        frame = ax.get_window_extent()
        for text, box in boxes:
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, text
            assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, text
        for i, (a, ba) in enumerate(boxes):
            for b, bb in boxes[i + 1:]:
                assert not ba.overlaps(bb), f"«{a}» overlaps «{b}»"
        key = [t.get_text() for lg in ax.findobj(matplotlib.legend.Legend) for t in lg.get_texts()]
        on_map = [t for t, _ in boxes]
        assert sorted(shown["name_ar"]) == sorted(n for n in shown["name_ar"] if n in on_map or n in key)
    assert {"بغداد", "العراق"} <= set(t for t, _ in _label_boxes(iraq))
    plt.close(fig)


def test_place_map_numbers_the_places_that_find_no_room():
    """Ten places on one spot: labels where there is room, numbers and a key for the rest."""
    names = ["بغداد", "البصرة", "الموصل", "أربيل", "كركوك", "النجف", "كربلاء", "الفلوجة", "الرمادي",
             "سامراء"]
    pl = pd.DataFrame({"name_ar": names, "lon": [44 + 0.01 * i for i in range(10)],
                       "lat": [33 + 0.01 * i for i in range(10)], "type": "city"})
    fig, ax = plt.subplots(figsize=(4, 3))
    P.place_map(pl, ax=ax, extent=(40, 48, 30, 36))
    labels = [t.get_text() for t in ax.texts]
    numbers = [t for t in labels if t.isdigit()]
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert numbers and key == [n for n in names if n not in labels]
    assert sorted(numbers, key=int) == [str(k) for k in range(1, len(key) + 1)]
    assert set(labels) - set(numbers) | set(key) == set(names)
    plt.close(fig)


def test_heatmap_of_term_counts():
    terms = {"انسحاب": ["انسحاب", "الانسحاب"], "إيران": ["إيران", "ايران"]}
    counts = A.term_counts(load_corpus(), terms)
    ax = P.heatmap(counts, title="المصطلحات")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(terms)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(counts.index)
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(counts.to_numpy().ravel().tolist())
    assert len(ax.figure.axes) == 2  # with its colour bar
    ax = P.heatmap(counts / 3, annotate=True, colorbar=False)
    assert all("." in t.get_text() for t in ax.texts)


def test_timeline_of_the_events_table_skips_unknown_years(root):
    path = root / "data" / "events.csv"
    if not path.exists():
        pytest.skip("data/events.csv not built yet")
    ev = pd.read_csv(path, dtype=str)
    known = ~ev["date"].str.startswith("XXXX")
    with pytest.warns(UserWarning, match="no known year"):
        ax = P.timeline(ev, label="event_ar", group="article_id")
    assert len(ax.texts) == int(known.sum())
    assert ax.get_yticks().size == 0  # many events: one line per event ("lines" layout)
    shown = ev[known].assign(start=[P.parse_date(d).start for d in ev.loc[known, "date"]])
    first = shown.sort_values("start", kind="stable").iloc[0]
    assert ax.texts[0].get_text() == first["event_ar"]  # in date order, top down
    with pytest.raises(ValueError):
        P.timeline(ev, label="event_ar", skip_unknown_year=False)


# ---- E3 of the review: «نهاية 2021» is the end of 2021, not its start ------------------------


def test_end_of_period_dates_are_placed_at_the_end():
    import re

    from arabtexts.corpus import get_article
    from arabtexts.datasets import load_table
    from arabtexts.plotting import parse_date

    ev = load_table("events").set_index("id")
    raw = get_article("003").text
    row = ev.loc["E012"]
    assert "نهاية 2021" in row["evidence"] and raw[row["evidence_start"]:].startswith(row["evidence"])
    end = parse_date(row["date"], row["date_qualifier"])
    assert (end.start.date().isoformat(), end.anchor.date().isoformat()) == ("2021-01-01", "2021-12-31")
    assert parse_date("2021").anchor == parse_date("2021").start
    assert parse_date("2021-07", "mid").anchor.day == 16
    # 003 (published 30 July 2021) looks forward to three dated items: the October elections,
    # «31 ديسمبر المقبل» and «بحلول نهاية 2021»; the text prints all three
    published = parse_date(get_article("003").published).anchor
    dated = ev[(ev["article_id"] == "003") & ~ev["date"].str.startswith("X")]
    future = [i for i, r in dated.iterrows()
              if parse_date(r["date"], r["date_qualifier"]).anchor > published]
    assert sorted(future) == ["E012", "E013", "E014"]
    for pattern in (r"بحلول نهاية 2021", r"31 ديسمبر المقبل", r"أكتوبر"):
        assert re.search(pattern, raw)


def test_timeline_draws_end_of_year_deadline_at_the_end_and_skips_non_body_rows():
    import warnings

    import matplotlib.dates as mdates
    import pandas as pd

    from arabtexts.datasets import load_table
    from arabtexts.plotting import timeline

    ev = load_table("events")
    e12 = ev[ev["id"] == "E012"].assign(label="نهاية 2021")
    ax = timeline(e12, label="label")
    dots = [l for l in ax.lines if l.get_marker() == "o"]
    x = pd.Timestamp(dots[0].get_xdata()[0]).date()
    assert x.isoformat() == "2021-12-31"
    # a row whose evidence is 003's news ticker is left out (part="body"), kept with part="page"
    ticker = pd.DataFrame([{"date": "2021-07", "label": "شريط الأخبار", "article_id": "003",
                            "evidence": "أخبار المركز", "evidence_start": 0}])
    both = pd.concat([e12.assign(label="نهاية 2021"), ticker], ignore_index=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ax = timeline(both, label="label")
    assert any("outside the article bodies" in str(m.message) for m in w)
    assert [t.get_text() for t in ax.texts] == ["نهاية 2021"]
    ax = timeline(both, label="label", part="page")
    assert sorted(t.get_text() for t in ax.texts) == sorted(["نهاية 2021", "شريط الأخبار"])
