"""Make every Arabic paragraph of the notebooks right-aligned in JupyterLab.

JupyterLab's stylesheet gives every rendered paragraph ``text-align: left``, which wins over
``<div dir="rtl">``: headings and list items inside the div come out right-aligned, plain
paragraphs do not (seen in the browser tests). A paragraph that carries its own
``<p dir="rtl" lang="ar" style="text-align:right">`` is right-aligned everywhere.

This script rewrites, inside each ``<div dir="rtl" lang="ar">`` block of a markdown cell, each
plain paragraph (not a heading, list, table, quote or HTML block) into such a ``<p>``, turning
its inline markdown (``**bold**``, ``*italic*``, ```code```, ``[link](url)``) into HTML, since
markdown is not interpreted inside an HTML paragraph. It is idempotent.

    python scripts/rtl_paragraphs.py [--check] [NOTEBOOK ...]

Without arguments it processes notebooks/*.ipynb and assignments/source/*/*.ipynb.
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPEN_P = '<p dir="rtl" lang="ar" style="text-align:right">'
DIV_RE = re.compile(r'(<div dir="rtl" lang="ar"[^>]*>)(.*?)(</div>)', re.S)
BLOCK_START = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|\||>|<|```|\$\$)")


def _inline(md: str) -> str:
    """Inline markdown → HTML (code spans first, so their content is left alone)."""
    parts = re.split(r"(`[^`]+`)", md)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append("<code>" + html.escape(part[1:-1], quote=False) + "</code>")
            continue
        t = html.escape(part, quote=False)
        t = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', t)
        t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t, flags=re.S)
        t = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", t, flags=re.S)
        out.append(t)
    return "".join(out)


def fix_block(body: str) -> str:
    chunks = re.split(r"(\n\s*\n)", body)
    out = []
    for chunk in chunks:
        if not chunk.strip() or re.fullmatch(r"\n\s*\n", chunk) or BLOCK_START.match(chunk):
            out.append(chunk)
            continue
        lead = chunk[: len(chunk) - len(chunk.lstrip())]
        trail = chunk[len(chunk.rstrip()):]
        out.append(f"{lead}{OPEN_P}{_inline(chunk.strip())}</p>{trail}")
    return "".join(out)


def fix_markdown(src: str) -> str:
    return DIV_RE.sub(lambda m: m.group(1) + fix_block(m.group(2)) + m.group(3), src)


def bare_paragraphs(src: str) -> list[str]:
    """Arabic paragraphs inside an rtl div that are not right-aligned ``<p>`` elements."""
    bad = []
    for m in DIV_RE.finditer(src):
        for chunk in re.split(r"\n\s*\n", m.group(2)):
            if chunk.strip() and not BLOCK_START.match(chunk):
                bad.append(chunk.strip()[:60])
    return bad


def process(path: Path, check: bool) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed, problems = False, []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if check:
            problems += [f"{path.name}: {p}" for p in bare_paragraphs(src)]
            continue
        new = fix_markdown(src)
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"rewrote {path.relative_to(ROOT)}")
    return problems


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a).resolve() for a in argv if not a.startswith("--")] or (
        sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "assignments/source").glob("*/*.ipynb")))
    problems = [p for path in paths for p in process(path, check)]
    for p in problems:
        print("not right-aligned:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
