"""Assignment 06 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently (a loop over grouped mentions, missing
  dates as NaN, ``str.get_dummies``, numpy counts, ``groupby`` per text, another chosen text,
  rates rounded to the stated 2 decimals drawn with ``DataFrame.plot`` and date labels, an
  unnamed index, ``pivot_table``);
- ``mistakes``: one typical mistake per question (texts sorted by id instead of course order,
  authors counted as actors, the method argument ignored, an empty ``plt.figure()``, a rate per
  100 words, statements counted instead of speakers);
- ``half-done``: questions 1–3 answered;
- ``mistakes-swapped``: right except ``n_texts`` and ``n_mentions`` swapped in every row and
  ``True``/``False`` where 1/0 are asked.
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''_rank = {a: i for i, a in enumerate(ARTICLE_IDS)}
_rows = []
for _key, _g in EVENTS.groupby("event_key"):
    _g = _g.assign(_r=_g["article_id"].map(_rank)).sort_values(["_r", "evidence_start"])
    _texts = []
    for _a in _g["article_id"]:
        if _a not in _texts:
            _texts.append(_a)
    _known = [(-len(d), r, d) for d, r in zip(_g["date"], _g["_r"]) if "XXXX" not in d]
    _rows.append({"event_key": _key, "texts": "|".join(_texts), "n_texts": len(_texts),
                  "n_mentions": len(_g), "date": min(_known)[2] if _known else float("nan")})
timeline = pd.DataFrame(_rows).set_index("event_key", drop=False)
shared_events = {k for k, n in zip(timeline["event_key"], timeline["n_texts"]) if n > 1}
print(len(timeline), "events,", len(shared_events), "shared by two texts or more")
''',
    "q2-answer": '''_act = PEOPLE[PEOPLE["kind"] == "actor"].set_index("id")
presence = _act["article_ids"].str.get_dummies(sep="|").reindex(columns=list(ARTICLE_IDS), fill_value=0)
presence = presence.astype("int64").rename_axis("id")
actors_per_text = presence.sum().to_dict()
actors_in_2plus = set(presence[presence.sum(axis=1) > 1].index)
print(actors_per_text, actors_in_2plus)
''',
    "q3-answer": '''def distinctive_for(article_id, n=10, method="log-odds"):
    table = distinctive_words(CLEAN, top=n, method=method)
    return list(table[table["article_id"] == article_id]["word"])


def agreement(article_id, n=20):
    a = distinctive_for(article_id, n=n, method="log-odds")
    b = distinctive_for(article_id, n=n, method="tf-idf")
    return {w for w in a if w in b}


MY_ARTICLE = "002"
print(distinctive_for(MY_ARTICLE), agreement(MY_ARTICLE))
''',
    "q4-answer": '''_counts = term_counts(CLEAN, FRAMING, whole_word=False)
_meta = CLEAN.set_index("id").sort_values("published")
framing = pd.DataFrame(
    {lab: [round(_counts.loc[a, lab] / len(words(_meta.loc[a, "text"])) * 1000, 2) for a in _meta.index]
     for lab in FRAMING},
    index=list(_meta.index))
peak = framing.idxmax().to_dict()
_plot = framing.copy()
_plot.index = [f"{a} ({_meta.loc[a, 'published']})" for a in framing.index]
_ax = _plot.plot(marker="s", figsize=(9, 4), title="Framing per 1,000 words")
_ax.set_ylabel("per 1,000 words")
fig_framing = _ax.get_figure()
print(peak)
''',
    "q5-answer": '''_rows = []
for _a in ARTICLE_IDS:
    _t = RAW_CORPUS.loc[RAW_CORPUS["id"] == _a, "text"].iloc[0]
    _lost = int((LOST["article_id"] == _a).sum())
    _n = len(words(_t))
    _rows.append([_lost, _t.count("ـ"), _n, round(_lost / _n * 1000, 2)])
quality = pd.DataFrame(_rows, index=list(ARTICLE_IDS), columns=["lost_digits", "tatweel", "n_words", "lost_per_1000"])
worst = quality.index[quality["lost_per_1000"].argmax()]
print("worst:", worst)
''',
    "q6-answer": '''voices = QUOTES.pivot_table(index="article_id", columns="mode", values="id", aggfunc="count", fill_value=0)
voices = voices.reindex(index=list(ARTICLE_IDS), fill_value=0)
for _m in ("direct", "indirect"):
    if _m not in voices.columns:
        voices[_m] = 0
voices["n_speakers"] = [QUOTES.loc[QUOTES["article_id"] == a, "speaker"].nunique() for a in voices.index]
most_voices = max(ARTICLE_IDS, key=lambda a: voices.loc[a, "n_speakers"])
print("most voices:", most_voices)
''',
}

M = {
    "q1-answer": '''_rows = []
for _key, _g in EVENTS.sort_values("evidence_start").groupby("event_key"):
    _texts = sorted(set(_g["article_id"]))
    _known = _g[~_g["date"].str.contains("XXXX")]
    _best = None
    if len(_known):
        _best = _known.assign(_len=_known["date"].str.len()).sort_values("_len", ascending=False)["date"].iloc[0]
    _rows.append({"event_key": _key, "texts": "|".join(_texts), "n_texts": len(_texts),
                  "n_mentions": len(_g), "date": _best})
timeline = pd.DataFrame(_rows)
shared_events = set(timeline.loc[timeline["n_texts"] >= 2, "event_key"])
''',
    "q2-answer": '''presence = pd.DataFrame(
    [[int(a in str(ids).split("|")) for a in ARTICLE_IDS] for ids in PEOPLE["article_ids"]],
    index=pd.Index(PEOPLE["id"], name="id"), columns=list(ARTICLE_IDS))
actors_per_text = {a: int(presence[a].sum()) for a in ARTICLE_IDS}
actors_in_2plus = set(presence.index[presence.sum(axis=1) >= 2])
''',
    "q3-answer": '''def distinctive_for(article_id, n=10, method="log-odds"):
    d = distinctive_words(CLEAN, top=n)
    return d.loc[d["article_id"] == article_id, "word"].tolist()


def agreement(article_id, n=20):
    return set(distinctive_for(article_id, n, "log-odds")) & set(distinctive_for(article_id, n, "tf-idf"))


MY_ARTICLE = "004"
''',
    "q4-answer": '''_counts = term_counts(CLEAN, FRAMING, whole_word=False)
_n = pd.Series([len(words(t)) for t in CLEAN["text"]], index=CLEAN["id"])
_dates = CLEAN.set_index("id")["published"].sort_values()
framing = (_counts.div(_n, axis=0) * 1000).loc[list(_dates.index)]
peak = {label: framing[label].idxmax() for label in FRAMING}
fig_framing = plt.figure()
''',
    "q5-answer": '''_raw = dict(zip(RAW_CORPUS["id"], RAW_CORPUS["text"]))
quality = pd.DataFrame(index=pd.Index(list(ARTICLE_IDS), name="article_id"))
quality["lost_digits"] = LOST["article_id"].value_counts().reindex(quality.index, fill_value=0).astype(int)
quality["tatweel"] = [_raw[a].count("\\u0640") for a in quality.index]
quality["n_words"] = [len(words(_raw[a])) for a in quality.index]
quality["lost_per_1000"] = quality["lost_digits"] / quality["n_words"] * 100
worst = quality["lost_per_1000"].idxmax()
''',
    "q6-answer": '''voices = (pd.crosstab(QUOTES["article_id"], QUOTES["mode"])
          .reindex(index=list(ARTICLE_IDS), columns=["direct", "indirect"], fill_value=0))
voices["n_speakers"] = QUOTES.groupby("article_id")["speaker"].size().reindex(voices.index, fill_value=0)
most_voices = voices["n_speakers"].idxmax()
''',
}

TESTS = [f"q{i}-tests" for i in range(1, 7)]
HALF = ("q1-answer", "q2-answer", "q3-answer")

STUDENTS = {
    "alternative": {"answers": A, "written": WRITTEN, "expect": {t: True for t in TESTS}},
    "mistakes": {"answers": M, "written": WRITTEN, "expect": {t: False for t in TESTS}},
    "half-done": {"answers": {k: A[k] for k in HALF}, "written": None,
                  "expect": {t: t in ("q1-tests", "q2-tests", "q3-tests") for t in TESTS}},
}

#: a second set of mistakes in an otherwise right notebook: swapped counts, True/False for 1/0
M2 = dict(A)
M2["q1-answer"] = A["q1-answer"].replace('"n_texts": len(_texts),\n                  "n_mentions": len(_g)',
                                         '"n_texts": len(_g),\n                  "n_mentions": len(_texts)')
M2["q2-answer"] = A["q2-answer"].replace('presence = presence.astype("int64").rename_axis("id")',
                                         'presence = presence.astype(bool).rename_axis("id")')
STUDENTS["mistakes-swapped"] = {"answers": M2, "written": WRITTEN,
                                "expect": {t: t not in ("q1-tests", "q2-tests") for t in TESTS}}
