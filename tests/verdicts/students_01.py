"""Assignment 01 as three students wrote it, reading only the released notebook.

- ``alternative``: right everywhere, written differently from the model answer (``re.sub``, a
  numpy integer, ``value_counts`` with an extra column, line-by-line parsing, ``find_normalized``,
  one regex per word with sorted spans, ``Counter``/numpy counts);
- ``mistakes``: one typical mistake per question (diacritics removed with the tatweel, swapped
  counts, sorted by word, ``""`` instead of ``None``, no normalisation, «عام،» without a space
  taken for a lost year, tokens instead of distinct forms);
- ``half-done``: questions 1–3 answered, the rest left as released;
- ``mistakes-folded``: right except two answers that only folding would accept (line breaks
  collapsed, sentences returned normalised).
"""
from verdict_support import WRITTEN

A = {
    "q1-answer": '''import re

def remove_tatweel(text):
    return re.sub("\\u0640+", "", text)
''',
    "q2-answer": '''import numpy as np

n_raw = len(re.findall("الكاظمي", RAW))
n_normalized = np.int64(normalize(RAW).count("الكاظمي"))
print(n_raw, n_normalized)
''',
    "q3-answer": '''freq = (pd.Series(words(RAW, drop_stopwords=True)).value_counts()
        .rename_axis("word").reset_index(name="count"))
freq["share"] = freq["count"] / freq["count"].sum()
freq.head(10)
''',
    "q4-answer": '''def byline_author(text):
    for line in text.splitlines():
        if "كتبه" in line:
            return line.split("كتبه", 1)[1].split("|")[0].strip()
    return None


dateline_month = [m for m in MONTHS if m in next(l for l in RAW.splitlines() if "كتبه" in l)][0]
print(byline_author(RAW), "·", dateline_month)
''',
    "q5-answer": '''from arabtexts.normalize import find_normalized

def sentences_with(text, term):
    found = []
    for s in split_sentences(text):
        if find_normalized(s, term):
            found.append(s)
    return found


kadhimi_sentences = sentences_with(RAW, "الكاظمي")
len(kadhimi_sentences)
''',
    "q6-answer": '''def lost_year_spans(text):
    spans = []
    for w in ("عام",) + MONTHS:
        for m in re.finditer(re.escape(w) + " +،", text):
            s = m.start()
            if s == 0 or not ("\\u0621" <= text[s - 1] <= "\\u064A"):
                spans.append((s, s + len(w)))
    return sorted(spans)


[RAW[s:e] for s, e in lost_year_spans(RAW)]
''',
    "q7-answer": '''import numpy as np

n_distinct_raw = len(Counter(words(RAW, normalized=False)))
n_distinct_clean = np.int64(pd.Series(words(RAW)).nunique())
print(n_distinct_raw, n_distinct_clean)
''',
}

M = {
    "q1-answer": '''def remove_tatweel(text):
    # removes the diacritics too: not asked, and it changes the text
    return re.sub("[\\u0640\\u064B-\\u0652]", "", text)
''',
    "q2-answer": '''n_raw = normalize(RAW).count("الكاظمي")
n_normalized = RAW.count("الكاظمي")
print(n_raw, n_normalized)
''',
    "q3-answer": '''freq = pd.DataFrame(list(Counter(words(RAW, drop_stopwords=True)).items()),
                    columns=["word", "count"]).sort_values("word")
freq.head(10)
''',
    "q4-answer": '''def byline_author(text):
    m = re.search(r"كتبه\\s+([^\\n|]+)", text)
    return m.group(1).strip() if m else ""


dateline_month = next(m for m in MONTHS if m in RAW)
print(byline_author(RAW), "·", dateline_month)
''',
    "q5-answer": '''def sentences_with(text, term):
    return [s for s in split_sentences(text) if term in s]


kadhimi_sentences = sentences_with(RAW, "الكاظمي")
len(kadhimi_sentences)
''',
    "q6-answer": '''def lost_year_spans(text):
    rx = re.compile(r"(?<![\\u0621-\\u064A])(?:عام|" + "|".join(MONTHS) + r")(?=\\s*،)")
    return [m.span() for m in rx.finditer(text)]


[RAW[s:e] for s, e in lost_year_spans(RAW)]
''',
    "q7-answer": '''n_distinct_raw = len(words(RAW, normalized=False))
n_distinct_clean = len(words(RAW))
print(n_distinct_raw, n_distinct_clean)
''',
}

TESTS = ["q1-tests", "q2-tests", "q3-tests", "q4-tests", "q5-tests", "q6-tests", "q7-tests"]

STUDENTS = {
    "alternative": {"answers": A, "written": WRITTEN, "expect": {t: True for t in TESTS}},
    "mistakes": {"answers": M, "written": WRITTEN, "expect": {t: False for t in TESTS}},
    "half-done": {"answers": {k: A[k] for k in ("q1-answer", "q2-answer", "q3-answer")}, "written": None,
                  "expect": {t: t in ("q1-tests", "q2-tests", "q3-tests") for t in TESTS}},
}

#: a second set of mistakes, each in an otherwise right notebook: what folding would hide
M2 = dict(A)
M2["q1-answer"] = '''def remove_tatweel(text):
    return " ".join(text.replace("\\u0640", "").split())  # line breaks lost
'''
M2["q5-answer"] = '''def sentences_with(text, term):
    return [normalize(s) for s in split_sentences(text) if normalize(term) in normalize(s)]  # normalised


kadhimi_sentences = sentences_with(RAW, "الكاظمي")
'''
STUDENTS["mistakes-folded"] = {"answers": M2, "written": WRITTEN,
                               "expect": {t: t not in ("q1-tests", "q5-tests") for t in TESTS}}
