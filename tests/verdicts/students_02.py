"""Assignment 02 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently (month names tried longest first,
  ``re.M`` line regexes, authors in another order, rounds with ``set_index("round", drop=False)``,
  numpy integer gaps, rows in another order, ``str.split('"')``, other accepted spellings of the
  speakers and a plain dict, a timeline with an unsorted index and numpy bools);
- ``mistakes``: one typical mistake per question (no Levantine months, titles kept, rounds as
  strings, Qaani's arrival taken for round 4, numbers as strings, a greedy regex, the
  relaying person taken for the speaker, one row per distinct date instead of per mention);
- ``half-done``: questions 1–4 answered.
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''def to_iso(printed):
    s = normalize(printed)
    months = {}
    for system in (GREGORIAN, LEVANTINE):
        for i, name in enumerate(system):
            months[normalize(name)] = i + 1
    for name in sorted(months, key=len, reverse=True):
        m = re.search(r"(\\d{1,2})\\s+" + re.escape(name) + r"\\s*[،,]?\\s*(\\d{4})", s)
        if m:
            return "%04d-%02d-%02d" % (int(m.group(2)), months[name], int(m.group(1)))
    return None


[to_iso(s) for s in ("30 يوليو، 2021", "19 آب 2020", "١١ حزيران ٢٠٢٠", "28 يوليو")]
''',
    "q2-answer": '''ticker_items = re.findall(r"^\\s*•\\s*(.+?)\\s*$", RAW, flags=re.M)
ticker_authors = []
for item in reversed(ticker_items):
    head = item.split(":")[0]
    if head.endswith(("يكتب", "تكتب")):
        name = head.rsplit(" ", 1)[0]
        for title in ("أ.", "د."):
            name = name.replace(title, "")
        ticker_authors.append(name.strip())
publication_date = [to_iso(line) for line in RAW.splitlines() if to_iso(line)][0]
print(len(ticker_items), ticker_authors, publication_date)
''',
    "q3-answer": '''_start = find_normalized(RAW, "عقدت الجولة الأولى من الحوار الاستراتيجي")[0][0]
_para = RAW[_start:RAW.find("\\n\\n", _start)]
_days = [m.value for m in find_dates(_para) if len(m.value) == 10]
rounds = pd.DataFrame({"round": [1, 2, 3], "date": _days}).set_index("round", drop=False)
rounds
''',
    "q4-answer": '''_ev = load_table("events")
_d4 = _ev.loc[(_ev["event_key"] == "dialogue-round-4") & (_ev["article_id"] == "002"), "date"].iloc[0]
_all = pd.to_datetime(pd.Series(list(rounds["date"]) + [_d4]))
gaps_days = list(_all.diff().dt.days.iloc[1:].astype("int64"))
gaps_days
''',
    "q5-answer": '''_cut = RAW.index("تحديات التفاهمات المشتركة")
_rows = []
_pos = 0
for _line in RAW.splitlines(keepends=True):
    _m = re.match(r"(\\d+)-\\s*([^:]+):", _line)
    if _m:
        _rows.append(("challenge" if _pos > _cut else "understanding", int(_m.group(1)), _m.group(2).strip()))
    _pos += len(_line)
points = pd.DataFrame(_rows, columns=["section", "number", "title"]).sort_values("title")
points["number"] = points["number"].astype("int64")
points
''',
    "q6-answer": '''def quoted_strings(text):
    return text.split('"')[1::2]


speech = [q for q in quoted_strings(RAW) if len(re.findall(r"\\S+", q)) >= 4]
len(quoted_strings(RAW)), len(speech)
''',
    "q7-answer": '''speakers = ["جو بايدن", "تولر", "ماثيو تولر", "تولر", "مصطفى الكاظمي", "نصر الشمري"]
quotes_per_speaker = {}
for s in ["بايدن", "تولر", "تولر", "تولر", "الكاظمي", "الشمري"]:
    quotes_per_speaker[s] = quotes_per_speaker.get(s, 0) + 1
list(zip(speakers, [s[:40] for s in speech]))
''',
    "q8-answer": '''_body = RAW[RAW.index("30 يوليو، 2021") + len("30 يوليو، 2021"):]
_offset = len(RAW) - len(_body)
_ms = find_dates(_body)
timeline = pd.DataFrame({
    "date": [m.value.replace("XXXX", "2021") for m in _ms],
    "printed": [RAW[_offset + m.start:_offset + m.end] for m in _ms],
})
timeline["year_added"] = pd.Series([m.value for m in _ms]).str.startswith("XXXX").to_numpy()
timeline = timeline.sort_values("date")
timeline
''',
}

M = {
    "q1-answer": '''def to_iso(printed):
    s = normalize(printed)
    for i, name in enumerate(GREGORIAN):
        m = re.search(r"(\\d{1,2})\\s+" + normalize(name) + r"[\\s،,]*(\\d{4})", s)
        if m:
            return f"{m.group(2)}-{i + 1:02d}-{int(m.group(1)):02d}"
    return None
''',
    "q2-answer": '''ticker_items = [l.strip().lstrip("•").strip() for l in RAW.splitlines() if l.strip().startswith("•")]
ticker_authors = [re.match(r"(.+?)\\s+[يت]كتب:", i).group(1) for i in ticker_items if re.search(r"[يت]كتب:", i)]
publication_date = ARTICLE.published
''',
    "q3-answer": '''_para = next(p for p in RAW.split("\\n\\n") if "الجولة الأولى" in p)
_dates = [m.value for m in find_dates(_para) if m.extra["precision"] == "day"]
rounds = pd.DataFrame({"round": ["1", "2", "3"], "date": _dates})
''',
    "q4-answer": '''_all = pd.to_datetime(list(rounds["date"]) + ["2021-07-28"])
gaps_days = [int((b - a).days) for a, b in zip(_all[:-1], _all[1:])]
''',
    "q5-answer": '''_split = RAW.index("تحديات التفاهمات المشتركة")
points = pd.DataFrame([{"section": "understanding" if m.start() < _split else "challenge",
                        "number": m.group(1), "title": m.group(2).strip()}
                       for m in re.finditer(r"(?m)^(\\d+)-\\s*([^:\\n]+):", RAW)])
''',
    "q6-answer": '''def quoted_strings(text):
    return re.findall(r'"(.+)"', text)  # greedy: runs from the first mark of a line to its last


speech = [q for q in quoted_strings(RAW) if len(q.split()) >= 4]
''',
    "q7-answer": '''speakers = ["الكاظمي", "ماثيو تولر", "ماثيو تولر", "ماثيو تولر", "الكاظمي", "نصر الشمري"][:len(speech)]
speakers += ["ماثيو تولر"] * (len(speech) - len(speakers))
quotes_per_speaker = Counter(speakers)
''',
    "q8-answer": '''_after = RAW.index("30 يوليو، 2021") + len("30 يوليو، 2021")
_found = [m for m in find_dates(RAW) if m.start >= _after]
timeline = pd.DataFrame({
    "date": [m.value.replace("XXXX", "2021") for m in _found],
    "printed": [m.text for m in _found],
    "year_added": [m.value.startswith("XXXX") for m in _found],
}).drop_duplicates("date").sort_values("date", ignore_index=True)
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
