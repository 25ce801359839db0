"""Find where each text's article body starts and ends, and which spans are not running text.

Writes ``data/page_parts.csv`` (one row per part of a page that is *not* article body: news
ticker, title block, abstract, footnotes, sources, references, URLs, footnote markers …) and
the ``body_start`` / ``body_end`` columns of ``data/articles.csv``. Every part keeps its exact
raw text as ``evidence`` with its offset, so ``verify_evidence("page_parts")`` checks it.

The rules are written per text below, from reading each one; the anchors are exact passages
of the raw files, so a changed file makes this script fail loudly instead of guessing.

    python scripts/build_page_parts.py          # rewrite both files
    python scripts/build_page_parts.py --check  # exit 1 if they are not up to date
"""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from arabtexts.corpus import ARTICLE_IDS, get_article  # noqa: E402

PARTS = ROOT / "data" / "page_parts.csv"
ARTICLES = ROOT / "data" / "articles.csv"
COLUMNS = ["id", "article_id", "kind", "in_body", "evidence", "evidence_start", "note"]

SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
#: a footnote line of 002: «(12) …», «⁽¹²⁾ …» or «²¹ …» at the start of a line
FOOTNOTE_LINE = re.compile(rf"^(?:\(\d{{1,2}}\)|⁽[{SUP}]+⁾|[{SUP}]+(?=\s))[ \t]*\S.*$", re.M)
#: a line that is only a URL, «<https://…>» or «<https://…>.»
URL_LINE = re.compile(r"^<https?://[^\s>]+>\.?[ \t]*$", re.M)
#: a footnote marker inside running text: «⁽³⁾», or «(44)» right after a full stop
MARKER = re.compile(rf"⁽[{SUP}]+⁾|(?<=\.)[ \t]?\(\d{{1,2}}\)(?=[ \t\n]|$)")


def _at(text: str, anchor: str) -> int:
    """The offset of a passage that must occur exactly once."""
    n = text.count(anchor)
    if n != 1:
        raise SystemExit(f"anchor {anchor!r} occurs {n} times (expected once)")
    return text.index(anchor)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _page(aid: str, text: str):
    """(body_start, body_end, [(kind, start, end, note)]) for one text."""
    parts: list[tuple[str, int, int, str]] = []
    if aid == "001":
        b0 = _line_start(text, _at(text, "شكـل العـراق حالـة أرق"))
        parts.append(("header", 0, b0, "title (damaged: «يارة … ز») and byline «كتبه فراس إلياس»; "
                      "the day and year of the dateline were lost"))
        return b0, len(text), parts
    if aid == "004":
        b0 = _line_start(text, _at(text, "يــد مــن التعقيــد"))
        parts.append(("header", 0, b0, "title (damaged line order) and byline «كتبه طه العاني»; "
                      "the day and year of the dateline were lost"))
        return b0, len(text), parts
    if aid == "000":
        return 0, len(text), parts  # no title, no byline: the PDF kept only the running text
    if aid == "003":
        title = _at(text, "تحديات ماثلة:\n")
        b0 = _line_start(text, _at(text, "وقع الرئيس الأمريكي جو بايدن"))
        b1 = _line_start(text, _at(text, "لتحميل الموضوع بصيغة PDF"))
        parts.append(("ticker", 0, title, "the site's news ticker «أخبار المركز» (five headlines of "
                      "other pieces), not the article"))
        parts.append(("header", title, b0, "title and date line «30 يوليو، 2021»"))
        parts.append(("furniture", b1, len(text), "download link «لتحميل الموضوع بصيغة PDF …»"))
        return b0, b1, parts
    if aid == "002":
        abstract = _at(text, "مستخلص البحث :")
        keywords = _at(text, "الكلمات المفتاحية:")
        b0 = _at(text, "المقدمة (Introduction)")
        b1 = _at(text, "(References and Sources)")
        abstract_en = _at(text, "Iraqi–American Relations Since 2021 and Their Future Prospects\n\nAsst.")
        parts.append(("header", 0, abstract, "title, author, affiliation and e-mail"))
        parts.append(("abstract", abstract, keywords, "the Arabic abstract (it restates the paper; "
                      "counted with part='page' only)"))
        parts.append(("header", keywords, b0, "keywords line"))
        parts.append(("references", b1, abstract_en, "bibliography «(References and Sources)»: "
                      "12 Arabic sources and 34 foreign ones"))
        parts.append(("abstract_en", abstract_en, len(text), "English title page and abstract"))
        body = text[b0:b1]
        taken: list[tuple[int, int]] = []
        # footnotes, each with the URL line that continues it, if any
        for m in FOOTNOTE_LINE.finditer(body):
            s, e = b0 + m.start(), b0 + m.end()
            nxt = URL_LINE.match(body, _skip_blank(body, m.end()))
            note = ""
            if nxt and not FOOTNOTE_LINE.match(body, nxt.start()):
                e, note = b0 + nxt.end(), "with the URL line that continues it"
            parts.append(("footnote", s, e, note))
            taken.append((s, e))
        # sources of the table and the figure, with their URL line
        src = _at(text, "الجدول من اعداد الباحثة. المصدر:")
        url = URL_LINE.search(text, src)
        parts.append(("source", src, url.end(), "source of Table 1, with its URL line"))
        fig = _at(text, "Source: Jim Garamone")
        parts.append(("source", fig, text.index("\n", fig), "source of Figure 1"))
        taken += [(src, url.end()), (fig, text.index("\n", fig))]
        # any URL line left is a URL part of its own
        for m in URL_LINE.finditer(body):
            s, e = b0 + m.start(), b0 + m.end()
            if not any(a <= s < z for a, z in taken):
                parts.append(("url", s, e, ""))
                taken.append((s, e))
        # footnote markers in the running text
        for m in MARKER.finditer(body):
            s, e = b0 + m.start(), b0 + m.end()
            if text[s] in " \t":
                s += 1
            if not any(a <= s < z for a, z in taken):
                parts.append(("marker", s, e, "footnote marker"))
        return b0, b1, parts
    raise SystemExit(f"no page rules for article {aid}")


def _skip_blank(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] in " \t\n":
        pos += 1
    return pos


def build() -> tuple[str, str]:
    rows, bounds = [], {}
    for aid in sorted(ARTICLE_IDS):
        text = get_article(aid).text
        b0, b1, parts = _page(aid, text)
        bounds[aid] = (b0, b1)
        for i, (kind, s, e, note) in enumerate(sorted(parts, key=lambda p: p[1]), start=1):
            rows.append({"id": f"P{aid}-{i:03d}", "article_id": aid, "kind": kind,
                         "in_body": "yes" if b0 <= s < b1 else "no",
                         "evidence": text[s:e], "evidence_start": s, "note": note})
    out = io.StringIO()
    w = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)

    with open(ARTICLES, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = [c for c in reader.fieldnames if c not in ("body_start", "body_end")]
        arts = list(reader)
    fields += ["body_start", "body_end"]
    cat = io.StringIO()
    w = csv.DictWriter(cat, fields, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in arts:
        r["body_start"], r["body_end"] = bounds[r["id"]]
        w.writerow(r)
    return out.getvalue(), cat.getvalue()


def main(argv: list[str]) -> int:
    parts, catalogue = build()
    if "--check" in argv:
        stale = [p.name for p, new in ((PARTS, parts), (ARTICLES, catalogue))
                 if not p.exists() or p.read_text(encoding="utf-8") != new]
        if stale:
            print("out of date:", ", ".join(stale), "(run python scripts/build_page_parts.py)")
            return 1
        return 0
    PARTS.write_text(parts, encoding="utf-8")
    ARTICLES.write_text(catalogue, encoding="utf-8")
    print(f"wrote {PARTS.relative_to(ROOT)} ({parts.count(chr(10)) - 1} lines) and body bounds "
          f"in {ARTICLES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
