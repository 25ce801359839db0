"""Assignment 05 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently (``str.split`` tokens, numpy counts,
  ``Counter``, ``set_index("round", drop=False)``, a tuple of numpy integers, the OTHER reading of
  2020 in ``troops_figure``, percentages and shares rounded to the stated precision, a
  ``groupby().unstack()`` table, ``re.split``);
- ``mistakes``: one typical mistake per question («المبحث» anywhere in a line, string keys,
  rounds as strings, the pair (to, from) swapped, the fall divided by the wrong year, ranges as
  (high, low), entries after «- » missed, the first section's headings taken for the scenarios);
- ``half-done``: questions 1–4 answered;
- ``mistakes-order``: right except the pair (to, from) and amounts sorted by size instead of
  text order.
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''def heading_lines(text):
    out = []
    for line in text.split("\\n"):
        toks = line.strip().split()
        if len(toks) >= 2 and toks[0] in ("المبحث", "المطلب") and toks[1].endswith(":") and len(toks[1]) > 1:
            out.append(line.strip())
    return out


_h = pd.Series(heading_lines(RAW))
n_mabhath = _h.str.startswith("المبحث").sum()
n_matlab = _h.str.startswith("المطلب").sum()
_word = re.search(r"من مقدمة\\s+و(\\S+)\\s+مباحث", RAW).group(1)
n_announced = NUMBER_WORDS[_word]
print(n_mabhath, n_matlab, n_announced)
''',
    "q2-answer": '''_sections = []
for _h in heading_lines(RAW):
    if _h.startswith("المطلب الأول"):
        _sections.append(0)
    if _h.startswith("المطلب"):
        _sections[-1] += 1
matalib_per_section = {i + 1: n for i, n in enumerate(_sections)}
matalib_per_section
''',
    "q3-answer": '''_lines = RAW.splitlines()
_i = [k for k, l in enumerate(_lines) if l.strip().startswith("ت\\t")][0]
_rows = []
for _l in _lines[_i + 1:]:
    if "\\t" not in _l:
        break
    _cells = _l.split("\\t")
    _m = re.match(r"\\s*(\\d+)\\s+(.+?)\\s+(\\d{4})\\s*$", _cells[1])
    _iso = "%s-%02d-%02d" % (_m.group(3), IRAQI_MONTHS[_m.group(2)], int(_m.group(1)))
    _rows.append([int(_cells[0]), _iso, _cells[2].strip()])
rounds = pd.DataFrame(_rows, columns=["round", "date", "results"]).set_index("round", drop=False)
rounds
''',
    "q4-answer": '''import datetime as dt

_dates = [dt.date.fromisoformat(d) for d in rounds["date"]]
gaps_days = [(b - a).days for a, b in zip(_dates, _dates[1:])]
_k = gaps_days.index(max(gaps_days))
longest_gap = (rounds["round"].iloc[_k], rounds["round"].iloc[_k + 1])
print(gaps_days, longest_gap)
''',
    "q5-answer": '''_para = [p for p in RAW.splitlines() if p.startswith("من الشكل رقم (1) يتضح")][0]
troops_figure = {}
for _m in re.finditer(r"([\\d,]+) جندي", _para):
    _years = [(abs(y.start() - _m.start()), int(y.group())) for y in re.finditer(r"\\b20\\d\\d\\b", _para)]
    troops_figure[min(_years)[1]] = int(_m.group(1).replace(",", ""))
troops_2020_readings = sorted(FIGURES.loc[FIGURES["figure_key"] == "us-troops-2020", "value"].astype(int).tolist())
troops_figure[2020] = troops_2020_readings[0]  # the other reading: both are accepted
drop_2016_2021_pct = round(100 * (1 - troops_figure[2021] / troops_figure[2016]), 1)
print(troops_figure, troops_2020_readings, drop_2016_2021_pct)
''',
    "q6-answer": '''def usd_amounts(text):
    found = []
    for m in re.finditer(r"(\\d+(?:\\.\\d+)?)\\s*(?:-\\s*(\\d+(?:\\.\\d+)?)\\s*)?(مليار|مليون) دولار", text):
        low = float(m.group(1))
        high = float(m.group(2)) if m.group(2) else low
        found.append((low, high, m.group(3)))
    return found


_all = usd_amounts(RAW)
_exports = [a for a in _all if a[0] == 2.26][0][0] * 1000
_agri = [a for a in _all if a[0] == 357.0][0][0]
agri_share_pct = round(_agri / _exports * 100, 1)
print(agri_share_pct)
''',
    "q7-answer": '''def count_bibliography(text):
    arabic_part, foreign_part = text.split("أولاً: المصادر العربية", 1)[1].split("ثانياً: المصادر الأجنبية", 1)
    def n(part):
        return sum(1 for line in part.splitlines() if re.match(r"\\s*(?:-\\s*)?\\d+\\s*\\.", line))
    return {"arabic": n(arabic_part), "foreign": n(foreign_part)}


_bib = REFERENCES[REFERENCES["section"] == "bibliography"].dropna(subset=["year"])
bib_by_year = _bib.groupby(["year", "language"]).size().unstack(fill_value=0)
recent_share = round(float((_bib["year"] >= 2023).sum() / len(_bib)), 3)
print(count_bibliography(RAW), recent_share)
''',
    "q8-answer": '''_matalib = [h for h in heading_lines(RAW) if h.startswith("المطلب")]
_last = max(matalib_per_section)
scenarios = [re.split(r":\\s*", h, maxsplit=1)[1] for h in _matalib[-matalib_per_section[_last]:]]
_n = normalize(RAW)
favoured = min(scenarios, key=lambda s: _n.find("ترجيح " + normalize(s)) % (len(_n) + 1))
print(scenarios, "→", favoured)
''',
}

M = {
    "q1-answer": '''def heading_lines(text):
    return [line.strip() for line in text.splitlines() if "المبحث" in line or "المطلب" in line]


n_mabhath = sum(h.startswith("المبحث") for h in heading_lines(RAW))
n_matlab = sum(h.startswith("المطلب") for h in heading_lines(RAW))
n_announced = 3
''',
    "q2-answer": '''matalib_per_section = {}
_section = 0
for _h in heading_lines(RAW):
    if _h.startswith("المطلب"):
        if _h.startswith("المطلب الأول"):
            _section += 1
        matalib_per_section[str(_section)] = matalib_per_section.get(str(_section), 0) + 1
''',
    "q3-answer": '''_lines = RAW.splitlines()
_start = next(i for i, line in enumerate(_lines) if line.split("\\t")[:3] == ["ت", "التاريخ", "النتائج"])
_rows = []
for _line in _lines[_start + 1:]:
    if "\\t" not in _line:
        break
    _n, _d, _r = _line.split("\\t")
    _day, _rest = _d.strip().split(" ", 1)
    _month, _year = _rest.rsplit(" ", 1)
    _rows.append({"round": _n.strip(), "date": f"{int(_year):04d}-{IRAQI_MONTHS[_month]:02d}-{int(_day):02d}",
                  "results": _r.strip()})
rounds = pd.DataFrame(_rows)
''',
    "q4-answer": '''_d = pd.to_datetime(rounds["date"])
gaps_days = [int(x) for x in _d.diff().dt.days.dropna()]
_i = gaps_days.index(max(gaps_days))
longest_gap = (_i + 2, _i + 1)
''',
    "q5-answer": '''_para = next(line for line in RAW.splitlines() if line.startswith("من الشكل رقم (1)"))
_years = [(m.start(), int(m.group())) for m in re.finditer(r"(?<!\\d)20\\d\\d(?!\\d)", _para)]
troops_figure = {}
for _m in re.finditer(r"(\\d{1,3}(?:,\\d{3})+) جندي", _para):
    _year = min(_years, key=lambda y: abs(y[0] - _m.start()))[1]
    troops_figure[_year] = int(_m.group(1).replace(",", ""))
troops_2020_readings = sorted(int(v) for v in FIGURES.loc[FIGURES["figure_key"] == "us-troops-2020", "value"])
drop_2016_2021_pct = (troops_figure[2016] - troops_figure[2021]) / troops_figure[2021] * 100
''',
    "q6-answer": '''def usd_amounts(text):
    rx = re.compile(r"(\\d+(?:\\.\\d+)?)(?:\\s*-\\s*(\\d+(?:\\.\\d+)?))?\\s+(مليار|مليون)\\s+دولار")
    return [(float(m.group(2) or m.group(1)), float(m.group(1)), m.group(3)) for m in rx.finditer(text)]


agri_share_pct = 357 / 2260 * 100
''',
    "q7-answer": '''def count_bibliography(text):
    a = text.index("أولاً: المصادر العربية")
    b = text.index("ثانياً: المصادر الأجنبية")
    entry = re.compile(r"^\\d+\\.", re.M)
    return {"arabic": len(entry.findall(text[a:b])), "foreign": len(entry.findall(text[b:]))}


_bib = REFERENCES[REFERENCES["section"] == "bibliography"]
bib_by_year = pd.crosstab(_bib["year"], _bib["language"])
recent_share = float((_bib["year"].dropna() >= 2023).mean())
''',
    "q8-answer": '''_matalib = [h for h in heading_lines(RAW) if h.startswith("المطلب")]
scenarios = [h.split(":", 1)[1].strip() for h in _matalib[:3]]
favoured = scenarios[0]
''',
}

TESTS = [f"q{i}-tests" for i in range(1, 9)]
HALF = ("q1-answer", "q2-answer", "q3-answer", "q4-answer")

STUDENTS = {
    "alternative": {"answers": A, "written": WRITTEN, "expect": {t: True for t in TESTS}},
    "mistakes": {"answers": M, "written": WRITTEN, "expect": {t: False for t in TESTS}},
    "half-done": {"answers": {k: A[k] for k in HALF}, "written": None,
                  "expect": {t: t in ("q1-tests", "q2-tests", "q3-tests", "q4-tests") for t in TESTS}},
}

#: a second set of mistakes in an otherwise right notebook: order that must be checked
M2 = dict(A)
M2["q4-answer"] = A["q4-answer"].replace("longest_gap = (rounds[\"round\"].iloc[_k], rounds[\"round\"].iloc[_k + 1])",
                                         "longest_gap = (int(rounds[\"round\"].iloc[_k]), int(rounds[\"round\"].iloc[_k + 1]))[::-1]")
M2["q6-answer"] = A["q6-answer"].replace("    return found", "    return sorted(found)  # by size, not in text order")
STUDENTS["mistakes-order"] = {"answers": M2, "written": WRITTEN,
                              "expect": {t: t not in ("q4-tests", "q6-tests") for t in TESTS}}
