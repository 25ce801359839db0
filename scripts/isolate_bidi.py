"""Isolate the runs of the other direction in the notebooks' markdown, so mixed Arabic and Latin
text displays in its logical order.

Why: the Unicode bidirectional algorithm lets neutral characters (brackets, commas, dashes)
take the direction of the paragraph. In an Arabic paragraph `load_corpus()` then shows as
«()load_corpus», and in an English sentence «title», نون بوست (Noon Post) shows the outlet in
front of the title. An *isolate* makes a run a closed box that the surrounding text cannot
reorder. This script, for every markdown cell:

1. right-aligns Arabic paragraphs (``scripts/rtl_paragraphs.py``, which it runs first);
2. inside Arabic blocks (``<div dir="rtl">``, ``<p dir="rtl">``): makes every code span a
   left-to-right element, ```x``` → ``<code dir="ltr">x</code>`` (and adds ``dir="ltr"`` to
   a bare ``<code>``), and wraps every Latin or number run (a name, ``Shift+Enter``,
   ``U+0640``, ``2020–2025``) in ``<bdi>…</bdi>``;
3. outside them (English text): wraps every Arabic run (a title in «…», a name) in
   ``<bdi>…</bdi>``;
4. everywhere, a code span holding Arabic becomes ``<code dir="ltr">`` with its Arabic runs
   in ``<bdi>``: ```"الســياسة"[4]``` would otherwise show as «[4]"الســياسة"».

``<bdi>`` is HTML's isolate (``dir="auto"``: it takes the direction of its first strong
letter); the plain-text equivalent is U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL
ISOLATE. Code blocks, inline code in English text, HTML tags, link targets and runs already in
``<bdi>`` or ``<code>`` are left alone. The script is idempotent.

    python scripts/isolate_bidi.py NOTEBOOK ...          # rewrite these notebooks
    python scripts/isolate_bidi.py --check NOTEBOOK ...  # list runs not isolated; exit 1 if any

Apply it to the notebooks you own only. ``LATIN_RUN`` and ``ARABIC_RUN`` are also used by the
browser test ``tests/browser/test_bidi.py``, which measures the rendered order of these runs.
"""
from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Arabic letters, marks, digits and punctuation (Arabic, Arabic Supplement/Extended-A,
#: presentation forms)
ARABIC = "\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF"
#: an Arabic run: from an Arabic character (or «) to an Arabic character (or »), with spaces,
#: digits and sentence punctuation inside; a Latin comma, a bracket or a Latin letter ends it
ARABIC_RUN = (rf"«?[{ARABIC}](?:[{ARABIC}0-9 \u00A0.:\-–«»!'\"…/%]*[{ARABIC}»])?»?")
#: a Latin or number run: Latin letters, digits and the punctuation of names, keys, code and
#: ranges (spaces inside), then an optional (…) group: ``load_corpus()``, ``check(...)``. It
#: never starts with a section or item number («2. JupyterLab»: the «2.» stays Arabic order)
LATIN_RUN = (r"(?!\d+[.)][ \t])[A-Za-z0-9_](?:[A-Za-z0-9_ .+\-–/:#@&'’=<>\[\]{}\"]*[A-Za-z0-9_\]}\"])?"
             rf"(?:\([^(){ARABIC}\n]*\))?")
_ARABIC_RX = re.compile(ARABIC_RUN)
_LATIN_RX = re.compile(LATIN_RUN)
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_RANGE = re.compile(r"\d[–—]\d")
_HAS_ARABIC = re.compile(f"[{ARABIC}]")

# Things never rewritten: fenced code, isolates and code already there, other tags, inline
# code (in English text), link targets, URLs, HTML entities.
_PROTECT = re.compile(
    r"(?P<fence>^[ \t]*(```|~~~).*?^[ \t]*\2[ \t]*$)"
    r"|(?P<bdi><bdi\b[^>]*>.*?</bdi>)"
    r"|(?P<code><code\b(?P<cattrs>[^>]*)>(?P<cbody>.*?)</code>)"
    r"|(?P<tag><[^>\n]+>)"
    r"|(?P<md>`[^`\n]+`)"
    r"|(?P<link>\]\([^)\s]*\))"
    r"|(?P<url>https?://[^\s<>)]+)"
    r"|(?P<entity>&[#\w]+;)",
    re.S | re.M,
)
_RTL_OPEN = re.compile(r'<(div|p)\b[^>]*\bdir="rtl"[^>]*>')


def _rtl_regions(src: str) -> list[tuple[int, int]]:
    """Spans of ``src`` inside an element with ``dir="rtl"`` (``<div>`` or ``<p>``)."""
    regions = []
    for m in _RTL_OPEN.finditer(src):
        tag, depth, pos = m.group(1), 1, m.end()
        rx = re.compile(rf"<{tag}\b[^>]*>|</{tag}>")
        for t in rx.finditer(src, pos):
            depth += -1 if t.group().startswith("</") else 1
            if depth == 0:
                regions.append((m.end(), t.start()))
                break
        else:
            regions.append((m.end(), len(src)))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(regions):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _wrap_runs(text: str, rtl: bool) -> str:
    """Wrap the foreign runs of a piece of plain text in ``<bdi>``."""
    if rtl:
        def repl(m):
            run = m.group()
            if not (_LATIN_LETTER.search(run) or _RANGE.search(run)):
                return run  # a bare number keeps its place in Arabic text
            return f"<bdi>{run}</bdi>"
        return _LATIN_RX.sub(repl, text)
    return _ARABIC_RX.sub(lambda m: f"<bdi>{m.group()}</bdi>", text)


def _isolate(piece: str, rtl: bool) -> str:
    out, pos = [], 0
    for m in _PROTECT.finditer(piece):
        out.append(_wrap_runs(piece[pos:m.start()], rtl))
        tok = m.group()
        if m.group("md") and (rtl or _HAS_ARABIC.search(tok)):
            body = _isolate(html.escape(tok[1:-1], quote=False), rtl=False)
            tok = f'<code dir="ltr">{body}</code>'
        elif m.group("code") and (rtl or _HAS_ARABIC.search(m.group("cbody"))):
            attrs = m.group("cattrs") if "dir=" in m.group("cattrs") else ' dir="ltr"' + m.group("cattrs")
            tok = f'<code{attrs}>{_isolate(m.group("cbody"), rtl=False)}</code>'
        out.append(tok)
        pos = m.end()
    out.append(_wrap_runs(piece[pos:], rtl))
    return "".join(out)


def isolate_markdown(src: str) -> str:
    """The markdown ``src`` with every foreign run isolated (see the module docstring).

    >>> isolate_markdown('<div dir="rtl" lang="ar">\\n\\nحمّل النصوص بـ `load_corpus()` الآن\\n\\n</div>')
    '<div dir="rtl" lang="ar">\\n\\nحمّل النصوص بـ <code dir="ltr">load_corpus()</code> الآن\\n\\n</div>'
    >>> isolate_markdown('1. فراس إلياس (Firas Elias), «زيارة الكاظمي», نون بوست (Noon Post)')
    '1. <bdi>فراس إلياس</bdi> (Firas Elias), <bdi>«زيارة الكاظمي»</bdi>, <bdi>نون بوست</bdi> (Noon Post)'
    """
    regions = _rtl_regions(src)
    out, pos = [], 0
    for s, e in regions:
        out.append(_isolate(src[pos:s], rtl=False))
        out.append(_isolate(src[s:e], rtl=True))
        pos = e
    out.append(_isolate(src[pos:], rtl=False))
    return "".join(out)


def unisolated(src: str) -> list[str]:
    """Foreign runs of ``src`` that are not isolated yet (empty list: all are)."""
    done = isolate_markdown(src)
    if done == src:
        return []
    found = re.findall(r"<bdi>(.*?)</bdi>", done)
    have = set(re.findall(r"<bdi>(.*?)</bdi>", src))
    code = re.findall(r'<code dir="ltr"[^>]*>(.*?)</code>', done)
    have_code = set(re.findall(r'<code dir="ltr"[^>]*>(.*?)</code>', src))
    return [r for r in found if r not in have] + [f"`{c}`" for c in code if c not in have_code] or [
        "(markup differs)"]


def _rtl_paragraphs():
    spec = importlib.util.spec_from_file_location("rtl_paragraphs", ROOT / "scripts" / "rtl_paragraphs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fix_cell(src: str) -> str:
    """Right-aligned Arabic paragraphs, then isolation: what the script does to one cell."""
    return isolate_markdown(_rtl_paragraphs().fix_markdown(src))


def process(path: Path, check: bool) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed, problems = False, []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if check:
            problems += [f"{path.name} cell {i}: {r}" for r in unisolated(src)]
            continue
        new = fix_cell(src)
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"rewrote {path}")
    return problems


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")]
    if not paths:
        print(__doc__.strip().splitlines()[-4])
        print("give the notebooks to process (only your own)")
        return 2
    problems = [p for path in paths for p in process(path, check)]
    for p in problems:
        print("not isolated:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
