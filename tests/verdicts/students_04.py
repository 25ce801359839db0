"""Assignment 04 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently (``re.split`` on the marks, a numpy
  bool from ``np.isin``, numpy counts, ``verb_check`` with an unnamed index of verbs beside its
  ``verb`` column, ``groupby("speaker")`` then ``positions["speaker"] = positions.index`` put in
  text order, a share rounded to the stated 3 decimals, set comprehensions);
- ``mistakes``: one typical mistake per question (spaces only stripped, no folding, «و» + verb
  forgotten, ``str.count`` on the raw text, speakers in alphabetical order, a list instead of a
  set, the section heading cut off the Pentagon's sentence);
- ``half-done``: questions 1–4 answered.
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''def quoted_strings(text):
    marks = re.findall(r'[“”«»"]', text)
    parts = re.split(r'[“”«»"]', text)
    return [" ".join(p.split()) for p in parts[1::2][: len(marks) // 2]]


quoted = quoted_strings(RAW)
quoted
''',
    "q2-answer": '''import numpy as np

_names = np.array(sorted({fold(v) for v in gazetteer()["variant"]}))

def is_name(s):
    return np.isin(fold(s), _names)[()]  # a numpy bool


speech_quotes = [q for q in quoted if not is_name(q)]
speech_quotes
''',
    "q3-answer": '''def count_reporting_verbs(text, verbs):
    toks = pd.Series([normalize(t.text) for t in tokenize(text)], dtype=object)
    return {v: toks.isin([normalize(v), "و" + normalize(v)]).sum() for v in verbs}


verb_counts = count_reporting_verbs(RAW, REPORTING_VERBS)
verb_counts
''',
    "q4-answer": '''_004 = QUOTES[QUOTES["article_id"] == "004"]
verb_check = pd.DataFrame({
    "verb": REPORTING_VERBS,
    "in_text": [verb_counts[v] for v in REPORTING_VERBS],
    "in_table": [sum(normalize(x) == normalize(v) for x in _004["verb"]) for v in REPORTING_VERBS],
}, index=REPORTING_VERBS)
differs = [v for v in reversed(REPORTING_VERBS) if verb_check.loc[v, "in_text"] != verb_check.loc[v, "in_table"]]
print(differs)
verb_check
''',
    "q5-answer": '''_q = QUOTES[QUOTES["article_id"] == "004"]
_g = _q.groupby("speaker")
positions = pd.DataFrame({"n_statements": _g.size(), "n_direct": _g["mode"].apply(lambda m: (m == "direct").sum())})
positions["speaker"] = positions.index
_people = PEOPLE.set_index("id")["name_ar"]
_roles = _q.groupby("speaker")["speaker_role"].first()
positions["name_ar"] = [_people[s] if s in _people.index else _roles[s] for s in positions.index]
positions = positions.loc[list(dict.fromkeys(_q.sort_values("evidence_start")["speaker"]))]
positions
''',
    "q6-answer": '''_q = QUOTES[QUOTES["article_id"] == "004"]
_key = fold("نون بوست")
interviewees = {row.speaker for row in _q.itertuples() if _key in fold(row.evidence)}
interview_share = round(sum(s in interviewees for s in _q["speaker"]) / len(_q), 3)
print(interviewees, interview_share)
''',
    "q7-answer": '''_ss = split_sentences(RAW)
baghdad_sentence = [s for s in _ss if normalize("أعلن") in normalize(s) and normalize("السوداني") in normalize(s)][0]
pentagon_sentence = [s for s in _ss if "رايدر" in normalize(s)][0]


def vocab_compare(a, b):
    wa = set(words(a, drop_stopwords=True))
    wb = set(words(b, drop_stopwords=True))
    return {"shared": {w for w in wa if w in wb}, "only_a": {w for w in wa if w not in wb},
            "only_b": {w for w in wb if w not in wa}}


cmp = vocab_compare(baghdad_sentence, pentagon_sentence)
print("Baghdad only:", sorted(cmp["only_a"]))
''',
}

M = {
    "q1-answer": '''def quoted_strings(text):
    marks = [m.start() for m in re.finditer(r'[“”«»"]', text)]
    return [text[a + 1:b].strip() for a, b in zip(marks[0::2], marks[1::2])]


quoted = quoted_strings(RAW)
''',
    "q2-answer": '''_variants = set(gazetteer()["variant"])

def is_name(s):
    return s in _variants


speech_quotes = [s for s in quoted if not is_name(s)]
''',
    "q3-answer": '''def count_reporting_verbs(text, verbs):
    tokens = Counter(normalize(t.text) for t in tokenize(text))
    return {v: tokens[normalize(v)] for v in verbs}


verb_counts = count_reporting_verbs(RAW, REPORTING_VERBS)
''',
    "q4-answer": '''_table_verbs = Counter(normalize(v) for v in QUOTES.loc[QUOTES["article_id"] == "004", "verb"])
verb_check = pd.DataFrame({
    "verb": list(REPORTING_VERBS),
    "in_text": [RAW.count(v) for v in REPORTING_VERBS],
    "in_table": [_table_verbs[normalize(v)] for v in REPORTING_VERBS],
})
differs = list(verb_check.loc[verb_check["in_text"] != verb_check["in_table"], "verb"])
''',
    "q5-answer": '''_q = QUOTES[QUOTES["article_id"] == "004"]
_names = dict(zip(PEOPLE["id"], PEOPLE["name_ar"]))
positions = (_q.assign(_direct=(_q["mode"] == "direct").astype(int))
             .groupby("speaker")
             .agg(n_statements=("id", "size"), n_direct=("_direct", "sum"), _role=("speaker_role", "first"))
             .reset_index())
positions["name_ar"] = [_names.get(s, r) for s, r in zip(positions["speaker"], positions["_role"])]
''',
    "q6-answer": '''_q = QUOTES[QUOTES["article_id"] == "004"]
interviewees = sorted({s for s, ev in zip(_q["speaker"], _q["evidence"]) if fold("نون بوست") in fold(ev)})
interview_share = float(_q["speaker"].isin(interviewees).mean())
''',
    "q7-answer": '''_ss = split_sentences(RAW)
baghdad_sentence = next(s for s in _ss if normalize("أعلن") in normalize(s) and normalize("السوداني") in normalize(s))
pentagon_sentence = next(s for s in _ss if normalize("رايدر") in normalize(s)).split("موقف البنتاغون", 1)[-1].strip()


def vocab_compare(a, b):
    wa, wb = set(words(a, drop_stopwords=True)), set(words(b, drop_stopwords=True))
    return {"only_a": wa - wb, "only_b": wb - wa, "shared": wa & wb}


cmp = vocab_compare(baghdad_sentence, pentagon_sentence)
''',
}

TESTS = [f"q{i}-tests" for i in range(1, 8)]
HALF = ("q1-answer", "q2-answer", "q3-answer", "q4-answer")

STUDENTS = {
    "alternative": {"answers": A, "written": WRITTEN, "expect": {t: True for t in TESTS}},
    "mistakes": {"answers": M, "written": WRITTEN, "expect": {t: False for t in TESTS}},
    "half-done": {"answers": {k: A[k] for k in HALF}, "written": None,
                  "expect": {t: t in ("q1-tests", "q2-tests", "q3-tests", "q4-tests") for t in TESTS}},
}
