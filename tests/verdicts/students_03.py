"""Assignment 03 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently (``matches_frame`` with an index named
  like a column, a ``Counter`` turned into a Series, ``bisect``, ``groupby().unstack()``, a share
  rounded to the stated 3 decimals, typed-in month names, a hand-made tatweel map, numpy counts,
  extra columns and indexes kept);
- ``mistakes``: one typical mistake per question (rows sorted by place, the foreign place "by
  reading" instead of by count, a heading's first character given to the previous part, month
  names instead of numbers, any white space as a gap, every text's losses counted, the share
  inverted);
- ``half-done``: questions 1–3 answered;
- ``mistakes-precision``: right except a dict where a Series is asked and a share rounded to 1
  decimal where 3 are checked.
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''from arabtexts.extract import matches_frame

place_mentions = matches_frame(find_entities(RAW, PLACES)).rename(columns={"value": "place"})
place_mentions = place_mentions.set_index("start", drop=False)
place_mentions.head(10)
''',
    "q2-answer": '''import numpy as np

_c = Counter(place_mentions["place"])
place_counts = pd.Series(_c).sort_values(ascending=False)
foreign_top = None
for _p, _n in place_counts.items():
    if scope(_p) != "domestic":
        foreign_top = _p
        break
n_foreign_places = np.int64(sum(1 for _p in _c if scope(_p) != "domestic"))
print(foreign_top, n_foreign_places)
place_counts.head(10)
''',
    "q3-answer": '''_BOUNDS = {name: find_normalized(RAW, q)[0][0] for name, q in HEADINGS.items()}

import bisect

def section_of(pos):
    starts = [_BOUNDS["regional"], _BOUNDS["international"], _BOUNDS["conclusion"]]
    return SECTIONS[bisect.bisect_right(starts, pos)]


_t = pd.DataFrame({"section": place_mentions["start"].map(section_of),
                   "scope": place_mentions["place"].map(scope), "one": 1})
balance = (_t.groupby(["section", "scope"])["one"].sum().unstack(fill_value=0)
           .reindex(index=list(SECTIONS), columns=list(SCOPES)).fillna(0).astype(int))
regional_share = round(balance["regional"].sum() / (balance["regional"].sum() + balance["international"].sum()), 3)
balance
''',
    "q4-answer": '''_months = {"يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7,
           "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12}
_a = find_normalized(RAW, "ونشير إلى أهمها:")[0][1]
_b = find_normalized(RAW, "وبالتماهي")[0][0]
_paras = [p for p in RAW[_a:_b].split("\\n\\n") if p.strip()]
_rows = []
for _i, _p in enumerate(_paras, 1):
    _n = normalize(_p)
    _m = next(v for k, v in _months.items() if k in _n)
    _rows.append({"item_no": _i, "month": _m, "again": bool(re.search("اعاد[ةه]|اعيد", _n))})
initiatives = pd.DataFrame(_rows)
initiatives["again"] = initiatives["again"].astype("bool")
initiatives
''',
    "q5-answer": '''def find_gaps(text):
    spans = []
    for m in re.finditer(r" {2,}", text):
        s, e = m.span()
        if s > 0 and e < len(text) and not text[s - 1].isspace() and not text[e].isspace():
            spans.append((s, e))
    keep = [i for i, ch in enumerate(text) if ch != "\\u0640"]
    bare = "".join(text[i] for i in keep)
    for m in re.finditer(r"(?<![\\u0621-\\u064A])(ل?عام)(?= +،)", bare):
        s, e = keep[m.start(1)], keep[m.end(1) - 1] + 1
        if s == 0 or not ("\\u0621" <= text[s - 1] <= "\\u064A" or text[s - 1] == "\\u0640"):
            spans.append((s, e))
    return sorted(spans)


n_gaps = len(find_gaps(RAW))
print(n_gaps)
''',
    "q6-answer": '''_ld = load_table("lost_digits")
_mine = _ld[_ld["article_id"] == "000"]
n_lost = (_ld["article_id"] == "000").sum()
_gaps = find_gaps(RAW)
missed = []
for _id, _s, _ev in zip(_mine["id"], _mine["evidence_start"], _mine["evidence"]):
    if not [g for g in _gaps if _s <= g[0] and g[1] <= _s + len(_ev)]:
        missed.append(_id)
missed.sort()
recovered = _mine[_mine["recovered_value"] != "unknown"]
print(n_lost, missed)
recovered
''',
    "q7-answer": '''_n = normalize(RAW)
norm_effect = pd.DataFrame({"term": TERMS})
norm_effect["raw"] = norm_effect["term"].map(RAW.count)
norm_effect["normalized"] = norm_effect["term"].map(lambda t: _n.count(normalize(t)))
norm_effect["hidden"] = (1 - norm_effect["raw"] / norm_effect["normalized"]).round(3)
norm_effect = norm_effect.set_index("term", drop=False)
most_hidden = max(TERMS, key=lambda t: norm_effect.loc[t, "hidden"])
print(most_hidden)
norm_effect
''',
}

M = {
    "q1-answer": '''place_mentions = pd.DataFrame(
    [{"place": m.value, "start": m.start, "end": m.end, "text": m.text} for m in find_entities(RAW, PLACES)]
).sort_values("place")
''',
    "q2-answer": '''place_counts = place_mentions["place"].value_counts()
foreign_top = "iran"  # read in the text: Iran is the neighbour it speaks of most
n_foreign_places = sum(scope(p) != "domestic" for p in place_counts.index)
''',
    "q3-answer": '''_BOUNDS = {name: find_normalized(RAW, q)[0][0] for name, q in HEADINGS.items()}


def section_of(pos):
    name = "introduction"
    for part in ("regional", "international", "conclusion"):
        if pos > _BOUNDS[part]:
            name = part
    return name


_sec = place_mentions["start"].map(section_of)
_scp = place_mentions["place"].map(scope)
balance = pd.crosstab(_sec, _scp).reindex(index=list(SECTIONS), columns=list(SCOPES), fill_value=0)
regional_share = balance["regional"].sum() / (balance["regional"].sum() + balance["international"].sum())
''',
    "q4-answer": '''_a = find_normalized(RAW, "ونشير إلى أهمها:")[0][1]
_b = find_normalized(RAW, "وبالتماهي")[0][0]
_paras = [p for p in re.split(r"\\n\\s*\\n", RAW[_a:_b]) if p.strip()]
initiatives = pd.DataFrame({
    "item_no": range(1, len(_paras) + 1),
    "month": [find_dates(p)[0].text for p in _paras],
    "again": ["اعادة" in normalize(p) for p in _paras],
})
''',
    "q5-answer": '''def find_gaps(text):
    spans = [m.span() for m in re.finditer(r"(?<=\\S)\\s{2,}(?=\\S)", text)]
    spans += [m.span(1) for m in re.finditer(r"(?<![\\u0621-\\u064A\\u0640])((?:ل\\u0640*)?ع\\u0640*ا\\u0640*م)(?= +،)", text)]
    return sorted(spans)


n_gaps = len(find_gaps(RAW))
''',
    "q6-answer": '''_ld = load_table("lost_digits")
n_lost = len(_ld)
_ld000 = _ld[_ld["article_id"] == "000"]
_gs = find_gaps(RAW)
missed = sorted(r.id for r in _ld000.itertuples()
                if not any(r.evidence_start <= s and e <= r.evidence_start + len(r.evidence) for s, e in _gs))
recovered = _ld000.loc[_ld000["recovered_value"] != "unknown", ["id", "recovered_value", "recovered_from_article"]]
''',
    "q7-answer": '''_norm = normalize(RAW)
norm_effect = pd.DataFrame({"term": list(TERMS),
                            "raw": [RAW.count(t) for t in TERMS],
                            "normalized": [_norm.count(normalize(t)) for t in TERMS]})
norm_effect["hidden"] = norm_effect["raw"] / norm_effect["normalized"]
most_hidden = norm_effect.loc[norm_effect["hidden"].idxmax(), "term"]
''',
}

TESTS = [f"q{i}-tests" for i in range(1, 8)]
HALF = ("q1-answer", "q2-answer", "q3-answer")

STUDENTS = {
    "alternative": {"answers": A, "written": WRITTEN, "expect": {t: True for t in TESTS}},
    "mistakes": {"answers": M, "written": WRITTEN, "expect": {t: False for t in TESTS}},
    "half-done": {"answers": {k: A[k] for k in HALF}, "written": None,
                  "expect": {t: t in ("q1-tests", "q2-tests", "q3-tests") for t in TESTS}},
}

#: a second set of mistakes in an otherwise right notebook: a dict for a Series, too few decimals
M2 = dict(A)
M2["q2-answer"] = A["q2-answer"].replace("place_counts = pd.Series(_c).sort_values(ascending=False)",
                                         "place_counts = dict(_c.most_common())")
M2["q2-answer"] = M2["q2-answer"].replace("place_counts.items()", "place_counts.items()").replace("place_counts.head(10)", "")
M2["q3-answer"] = A["q3-answer"].replace("), 3)\nbalance", "), 1)\nbalance")
STUDENTS["mistakes-precision"] = {"answers": M2, "written": WRITTEN,
                                  "expect": {t: t not in ("q2-tests", "q3-tests") for t in TESTS}}
