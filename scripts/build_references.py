"""Parse the footnotes and the bibliography of the 2025 paper (article 002) into data/references.csv.

Every row keeps the whole printed line as `evidence` with its offset in the raw text, so
`get_article("002").text[start:start+len(evidence)] == evidence`. Authors, titles, years and
kinds are parsed by simple rules, then corrected by the curated table CURATED below (every
fix is listed there, nothing is edited by hand in the CSV).

    python scripts/build_references.py          # rewrite data/references.csv
    python scripts/build_references.py --check  # exit 1 if the CSV is not up to date
"""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from arabtexts.corpus import get_article  # noqa: E402

OUT = ROOT / "data" / "references.csv"
COLUMNS = ["id", "section", "subsection", "number", "author", "title", "year", "language", "kind",
           "refers_to", "article_id", "evidence", "evidence_start", "note"]

SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FOOTNOTE = re.compile(r"^(?:\((\d{1,2})\)|⁽([⁰-⁹¹²³]+)⁾|([⁰-⁹¹²³]+)(?=\s))\s*(.+)$")
BIB = re.compile(r"^(?:-\s*)?(\d{1,2})\s*\.\)?\s*(.+)$")
CROSS = re.compile(r"^(?:Ibid|I bid|المصدر السابق)", re.I)
OPCIT = re.compile(r"op\.\s*cit|Ibid|I bid|المصدر السابق", re.I)

# Curated fixes, keyed by (section, number): fields that the rules get wrong or cannot know.
CURATED: dict[tuple[str, str], dict[str, str]] = {
    ("footnote", "3"): {"author": "", "title": "تحديات ماثلة: ما تداعيات الانسحاب الأمريكي المُحتمل من العراق", "year": "2024"},
    ("footnote", "4"): {"author": "U.S. Department of State, Office of Inspector General", "title": "Inspection of Embassy Baghdad and Constituent Post, Iraq", "year": "2024"},
    ("footnote", "9"): {"author": "U.S. Embassy Baghdad", "title": "Public Diplomacy Section", "year": "",
                        "note": "No publication date; «Accessed on July 10, 2025». Author inferred from the URL iq.usembassy.gov."},
    ("footnote", "10"): {"author": "U.S. Department of State, Office of Inspector General", "title": "Inspection of Embassy Baghdad and Constituent Post, Iraq (Report No. ISP-I-24-06)", "year": "2024"},
    ("footnote", "11"): {"author": "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)", "title": "Interpretive Guidance on the Oil Proceeds Receipt Account for the Central Bank of Iraq", "year": "2003"},
    ("footnote", "12"): {"author": "", "title": "Iraq's oil fortune: The two-decade grip of a US 'fortress'", "year": "2025"},
    ("footnote", "13"): {"author": "", "title": "The legal basis for depositing oil revenues in the US Federal Reserve, CBI clarified", "year": "2024"},
    ("footnote", "14"): {"author": "", "title": "Iraq's oil fortune: The two-decade grip of a US 'fortress'"},
    ("footnote", "16"): {"author": "", "title": "Iraq's oil fortune: The two-decade grip of a US 'fortress'"},
    ("footnote", "22"): {"year": "2024", "note": "Printed «30 May 2024» but the URL has /2023/12/; «Accessed on 14 July 17, 2025» is garbled as printed."},
    ("footnote", "37"): {"author": "Republic of Türkiye Ministry of Foreign Affairs", "title": "Relations between Türkiye and Iraq", "year": "",
                         "note": "(n.d.): no publication year."},
    ("footnote", "38"): {"author": "Halgr N. Tairo; Celal Nazım İrem", "title": "The Impact of KRG on the Relations between Turkey and Iraq Since 2010", "year": "2018",
                         "note": "Printed with a stray parenthesis «Prof. Dr. Celal Nazım İREM)»."},
    ("footnote", "39"): {"author": "Republic of Türkiye Ministry of Foreign Affairs", "title": "Relations between Türkiye and Iraq"},
    ("footnote", "48"): {"author": "RAND Corporation", "title": "U.S. Strategic Competition with China and Russia in the Middle East (Research Report No. RRA969-3)", "year": "2023"},
    ("footnote", "50"): {"author": "", "title": "What are the Implications of a Potential US Withdrawal from Iraq?", "year": "2024"},
    ("footnote", "51"): {"author": "Jennifer Lind; Daryl G. Press", "title": "Strategies of Prioritization: American Foreign Policy After Primacy", "year": "2025",
                         "note": "Two sources in one footnote; the second is «US strategy: a shift from Europe and the Middle East to Asia» (March 2025)."},
    ("footnote", "52"): {"author": "", "title": "What are the Implications of a Potential US Withdrawal from Iraq?"},
    ("footnote", "54"): {"author": "", "title": "What are the Implications of a Potential US Withdrawal from Iraq"},
    ("bibliography", "2"): {"author": "", "title": "تحديات ماثلة: ما تدايعات الانسحاب الأمريكي المُحتمل من العراق", "year": "2024"},
    ("bibliography", "10"): {"author": "يويوست", "title": "العلاقات العراقية-الصينية في عامها الخامس والستين: الآفاق المستقبلية والتحديات", "year": "2023",
                             "note": "Cited nowhere in the surviving footnotes (it belongs to the lost part of the China section, footnotes 40–43)."},
    ("bibliography", "Ab2"): {},
    ("bibliography", "4E"): {"author": "RAND Corporation", "title": "U.S. Strategic Competition with China and Russia in the Middle East (Research Report No. RRA969-3)", "year": "2023"},
}
# keys of the foreign bibliography are given as "<n>E", of the Arabic websites as "Ab<n>"
CURATED.update({
    ("figure-source", "1"): {"author": "Jim Garamone", "title": "U.S. Completes Troop-Level Drawdown in Afghanistan, Iraq", "year": "2021",
                             "note": "Source line printed under the lost figure (شكل رقم (1)); same work as bibliography 16 (foreign)."},
    ("table-source", "1"): {"author": "وزارة الخارجية العراقية", "title": "الحوار الاستراتيجي بين العراق والولايات المتحدة", "year": "", "kind": "government",
                            "note": "Source of Table 1 («الجدول من اعداد الباحثة»); no publication date, «تم الدخول 2 تموز 2025»."},
    ("footnote", "6"): {"title": "U.S. Planning to Slash Iraq Embassy Staff by as Much as Half"},
    ("bibliography", "6E"): {"title": "U.S. Planning to Slash Iraq Embassy Staff by as Much as Half"},
    ("footnote", "7"): {"title": "State Department Outlines Dramatic Scale-Down of U.S. Presence in Iraq"},
    ("bibliography", "26E"): {"title": "State Department Outlines Dramatic Scale-Down of U.S. Presence in Iraq"},
    ("footnote", "15"): {"title": "US bars 14 Iraqi banks from dollar transactions, says regulator"},
    ("bibliography", "11E"): {"title": "US bars 14 Iraqi banks from dollar transactions, says regulator"},
    ("footnote", "18"): {"title": "Biden, Kadhimi Seal Agreement to End U.S. Combat Mission in Iraq"},
    ("bibliography", "28E"): {"title": "Biden, Kadhimi Seal Agreement to End U.S. Combat Mission in Iraq"},
    ("bibliography", "16E"): {"title": "U.S. Completes Troop-Level Drawdown in Afghanistan, Iraq",
                              "note": "Also the source printed under the lost figure (شكل رقم (1)), which has no footnote number."},
    ("footnote", "46"): {"title": "Russia's Influence in Iraq: Structurally Limited, Geopolitically Constrained"},
    ("bibliography", "21E"): {"title": "Russia's Influence in Iraq: Structurally Limited, Geopolitically Constrained"},
    ("footnote", "45"): {"title": "Russia \"has Invested over $19bn in Iraqi Energy Sector\""},
    ("bibliography", "17E"): {"title": "Russia \"has Invested over $19bn in Iraqi Energy Sector\""},
    ("footnote", "17"): {"title": "العلاقة بين العراق وأميركا \"استراتيجية ومؤسسية\""},
    ("bibliography", "Ab1"): {"title": "العلاقة بين العراق وأميركا \"استراتيجية ومؤسسية\""},
    ("footnote", "49"): {"author": "Reuters", "title": "U.S.-led coalition mission in Iraq to end by September 2025", "year": "2024"},
    ("footnote", "44"): {"refers_to": "", "kind": "cross-reference",
                         "note": "«I bid.» follows the lost footnotes 40–43 (part of the China section and the start of the Russia section were lost), so its target is lost."},
    ("footnote", "56"): {"title": "الاستراتيجية الأميركية تجاه العراق خلال الفترة (2008-2016)", "year": "2020", "kind": "book"},
    ("bibliography", "4"): {"title": "الاستراتيجية الأمريكية تجاه العراق خلال الفترة (2008- 2016)", "year": "2020", "kind": "book"},
    ("bibliography", "Ab2"): {"author": "وزارة الخارجية العراقية", "title": "الحوار الاستراتيجي بين العراق والولايات المتحدة", "year": "",
                              "note": "No publication date; «تم الدخول 2 تموز 2025». Source of Table 1."},
    ("bibliography", "1E"): {"note": "Not cited in the surviving footnotes (probably in the lost footnotes 40–43)."},
    ("bibliography", "2E"): {"author": "Halgr N. Tairo; Celal Nazım İrem", "title": "The Impact of KRG on the Relations between Turkey and Iraq Since 2010", "year": "2018"},
    ("bibliography", "7E"): {"author": "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)", "title": "Interpretive Guidance on the Oil Proceeds Receipt Account for the Central Bank of Iraq", "year": "2003"},
    ("bibliography", "10E"): {"author": "Wikipedia", "title": "Embassy of the United States, Baghdad", "year": "2025",
                              "note": "Not cited in any footnote as printed (footnote 5 cites Hanley 2006 for the same facts)."},
    ("bibliography", "12E"): {"author": "Ingrid d'Hooghe; Vera Kranenburg; Erwin van Veen", "title": "China in Iraq", "year": "2025",
                              "note": "Printed as «- 12.)» with markdown link residue; «Accessed on December 26, 2025» is later than the paper's other access dates. Not cited in the surviving footnotes."},
    ("bibliography", "13E"): {"author": "", "title": "Iraq's oil fortune: The two-decade grip of a US 'fortress'", "year": "2025"},
    ("bibliography", "15E"): {"author": "", "title": "US strategy: a shift from Europe and the Middle East to Asia", "year": "2025"},
    ("bibliography", "14E"): {"author": "Jennifer Lind; Daryl G. Press", "title": "Strategies of Prioritization American Foreign Policy After Primacy", "year": "2025"},
    ("bibliography", "23E"): {"author": "U.S. Embassy Baghdad", "title": "Public Diplomacy Section", "year": ""},
    ("bibliography", "24E"): {"author": "Republic of Türkiye Ministry of Foreign Affairs", "title": "Relations between Türkiye and Iraq", "year": ""},
    ("bibliography", "25E"): {"year": "2024"},
    ("bibliography", "29E"): {"author": "TRT Global", "title": "The importance of Russia's growing footprint in Iraq", "year": "2020",
                              "note": "Not cited in the surviving footnotes (probably in the lost footnotes 40–43)."},
    ("bibliography", "30E"): {"author": "", "title": "The legal basis for depositing oil revenues in the US Federal Reserve, CBI clarified", "year": "2024"},
    ("bibliography", "31E"): {"author": "U.S. Department of State, Office of Inspector General", "title": "Inspection of Embassy Baghdad and Constituent Post, Iraq", "year": "2024"},
    ("bibliography", "32E"): {"author": "U.S. Department of State, Office of Inspector General", "title": "Inspection of Embassy Baghdad and Constituent Post, Iraq (Report No. ISP-I-24-06)", "year": "2024"},
    ("bibliography", "33E"): {"author": "Reuters", "title": "U.S.-led coalition mission in Iraq to end by September 2025", "year": "2024"},
    ("bibliography", "34E"): {"author": "", "title": "What are the Implications of a Potential US Withdrawal from Iraq?", "year": "2024"},
})

KIND_RULES = [
    ("cross-reference", r"^(?:Ibid|I bid|المصدر السابق)|op\.\s*cit"),
    ("journal", r"مجلة|Journal|Volume|middle east policy"),
    ("magazine", r"(?<!of )Foreign Affairs|Foreign Policy|national interest"),
    ("news", r"Reuters|New York Times|Shafaq News|The National|صحيفة|iraq-businessnews"),
    ("government", r"Department of State|Department of the Treasury|Ministry of Foreign Affairs|وزارة الخارجية|usembassy|Public Diplomacy|Department of War"),
    ("report", r"مركز|Center|Institute|Chatham House|RAND|Council|تريندز|futureuae|Stockholm|Clingendael|clingendael|المركز"),
    ("web", r"Wikipedia|Foreign Affairs|Foreign Policy|atlanticcouncil|national interest|agbi|Arabian Gulf Business Insight|flyajetfighter|TRT|globalpolicy|https?://"),
]
ACCESS = re.compile(r"(?:Accessed|accessed|Retrieved|تم الدخول)[^<]*")


def _kind(text: str) -> str:
    for kind, rx in KIND_RULES:
        if re.search(rx, text, re.I):
            return kind
    return "other"


def _year(text: str) -> str:
    text = ACCESS.sub(" ", text)
    text = re.sub(r"https?://\S+|<[^>]*>", " ", text)
    years = re.findall(r"(?<!\d)(19[5-9]\d|20[0-2]\d)(?!\d)", text)
    return years[-1] if years else ""


def _split(body: str, lang: str) -> tuple[str, str]:
    sep = "، " if lang == "ar" else ", "
    if sep not in body:
        return "", body
    author, rest = body.split(sep, 1)
    title = rest.split(sep)[0]
    return author.strip(), title.strip(" *\"“”")


def parse(text: str) -> list[dict]:
    rows: list[dict] = []
    bib_start = text.index("(References and Sources)")
    bib_end = text.index("Iraqi–American Relations Since 2021 and Their Future Prospects", bib_start)
    offset = 0
    subsection = ""
    last_target = None
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        s = line.rstrip("\n")
        stripped = s.strip()
        if not stripped:
            continue
        lead = len(s) - len(s.lstrip())
        if bib_start <= start < bib_end:
            if stripped.startswith("أولاً"):
                subsection = "ar-research"
            elif stripped.startswith("أ. "):
                subsection = "ar-research"
            elif stripped.startswith("ب. "):
                subsection = "ar-web"
            elif stripped.startswith("ثانياً"):
                subsection = "foreign"
            m = BIB.match(stripped)
            if not m:
                if rows and rows[-1]["section"] == "bibliography" and stripped.startswith(("- accessed", "<http")):
                    _extend(rows[-1], text, start + lead + len(stripped))
                continue
            number, body = m.group(1), m.group(2)
            section = "bibliography"
        elif start < bib_start:
            if stripped.startswith("<http") and rows and text[rows[-1]["evidence_start"] + len(rows[-1]["evidence"]):start].strip() == "":
                _extend(rows[-1], text, start + lead + len(stripped))     # URL printed on its own line
                continue
            if stripped.startswith("Source: ") or stripped.startswith("الجدول من اعداد الباحثة"):
                kind_of = "figure-source" if stripped.startswith("Source: ") else "table-source"
                body = stripped.split(": ", 1)[1] if kind_of == "figure-source" else stripped.split("المصدر: ", 1)[1]
                lang = "en" if kind_of == "figure-source" else "ar"
                author, title = _split(body, lang)
                rows.append({"section": kind_of, "subsection": "", "number": "1", "author": author, "title": title,
                             "year": _year(body), "language": lang, "kind": _kind(body), "refers_to": "", "article_id": "002",
                             "evidence": stripped, "evidence_start": start + lead, "note": "", "_key": "1", "_body": body})
                continue
            m = FOOTNOTE.match(stripped)
            if not m:
                continue
            raw_no = m.group(1) or m.group(2) or m.group(3)
            number = raw_no.translate(SUP)
            body = m.group(4)
            section = "footnote"
            if not (line.startswith(("(", "⁽", "⁴", "²")) and len(stripped) > 8):
                continue
        else:
            continue
        lang = "ar" if re.search(r"[\u0600-\u06FF]", body[:40]) else "en"
        author, title = _split(body, lang)
        row = {"section": section, "subsection": subsection if section == "bibliography" else "",
               "number": number, "author": author, "title": title, "year": _year(body), "language": lang,
               "kind": _kind(body), "refers_to": "", "article_id": "002", "evidence": stripped,
               "evidence_start": start + lead, "note": ""}
        if section == "footnote" and CROSS.match(body):
            row["author"], row["title"], row["year"] = "", "", ""
        key = number
        if section == "bibliography":
            key = {"ar-web": f"Ab{number}", "foreign": f"{number}E"}.get(subsection, number)
        row["_key"] = key
        row["_body"] = body
        if row["section"] == "footnote":
            if CROSS.match(body):                      # Ibid / المصدر السابق alone: the footnote before
                row["refers_to"] = last_target or ""
                if OPCIT.search(body) and body.startswith("المصدر السابق"):
                    row["refers_to"] = last_target or ""
            elif OPCIT.search(body):                   # «Author, Title, op. cit.»: the first footnote with that title
                head = body.split(",")[0].split("،")[0].strip()
                for r in rows:
                    if r["section"] == "footnote" and not r["refers_to"] and r["_body"].startswith(head[:25]):
                        row["refers_to"] = r["number"]
                        break
            else:
                last_target = number
            if row["refers_to"]:
                row["kind"] = "cross-reference"
                last_target = row["refers_to"]
        rows.append(row)
    # Arabic «المصدر السابق» with an author: «ميثاق مناحي العيسى، المصدر السابق» -> that author's first footnote
    for row in rows:
        if row["section"] == "footnote" and "المصدر السابق" in row["evidence"] and not CROSS.match(row["evidence"].split(" ", 1)[1]):
            author = row["evidence"].split(" ", 1)[1].split("،")[0].strip()
            for r in rows:
                if r["section"] == "footnote" and r["author"] == author and "المصدر السابق" not in r["evidence"]:
                    row["refers_to"] = r["number"]
                    row["kind"] = "cross-reference"
                    break
    for row in rows:
        if row["refers_to"]:
            row["kind"] = "cross-reference"
            if re.search(r"المصدر السابق|Ibid|I bid", row["_body"]) and not re.search(r"op\.\s*cit", row["_body"]):
                row["title"] = "" if "المصدر السابق" in row["_body"] else row["title"]
        row.update(CURATED.get((row["section"], row.pop("_key")), {}))
        row.pop("_body")
    out = []
    for i, r in enumerate(rows, 1):
        r["id"] = f"R{i:03d}"
        out.append(r)
    return out


def _extend(row: dict, text: str, end: int) -> None:
    """Let a reference's evidence run on to a continuation line (URL or access date printed apart)."""
    row["evidence"] = text[row["evidence_start"]:end]
    extra = "Evidence runs over the next printed line (URL / access date printed apart)."
    if extra not in row.get("note", ""):
        row["note"] = (row.get("note", "") + " " + extra).strip()


def render(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in COLUMNS})
    return buf.getvalue()


def main(argv: list[str]) -> int:
    text = get_article("002").text
    rows = parse(text)
    for r in rows:
        s = r["evidence_start"]
        assert text[s:s + len(r["evidence"])] == r["evidence"], r
    data = render(rows)
    if "--check" in argv:
        return 0 if OUT.read_text(encoding="utf-8") == data else 1
    OUT.write_text(data, encoding="utf-8")
    print(f"{len(rows)} references -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
