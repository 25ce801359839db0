"""Mixed Arabic and Latin text renders in its logical order (real JupyterLab, real Chromium).

For every lecture notebook, every rendered markdown cell is measured character by character
(``Range.getClientRects``) and split into runs with the very patterns that
``scripts/isolate_bidi.py`` isolates (``LATIN_RUN``, ``ARABIC_RUN``):

* **inside a run of Latin text or code** (``load_corpus()``, ``check(...)``, ``Shift+Enter``,
  ``2020–2025``) the characters of one line must go left to right in their logical order: a
  bracket pushed to the other end («()load_corpus») fails;
* **between runs**, when one of the two is foreign to its block (Arabic in an English block,
  Latin in an Arabic block), the two must follow each other in the block's direction on their
  line: in an English sentence «title», نون بوست (Noon Post) must show the title before the
  outlet, not after it.

Runs of one isolate are compared in the direction of the element that holds both: in
«الفرق بين مجموعتين ``set(a) - set(b)`` يعطي …» the two calls sit in one ``<code dir="ltr">`` and
must read left to right, not in the Arabic block's order (an earlier version of this test
compared them right to left and reported such spans as swapped although Chromium drew them
right; ``test_spaced_code_in_arabic_is_measured_right`` keeps that from coming back, and checks
that the same spans, not isolated, are reported).

Notebooks whose markdown was not isolated fail (that is the point); run
``python scripts/isolate_bidi.py notebooks/NN_….ipynb`` on them. Problems are reported
together, with the cell number and the text of the run.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import NOTEBOOK, expect, open_notebook  # noqa: E402
from jlab import ROOT  # noqa: E402

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))


def _isolate_bidi():
    spec = importlib.util.spec_from_file_location("isolate_bidi", ROOT / "scripts" / "isolate_bidi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _patterns() -> tuple[str, str]:
    mod = _isolate_bidi()
    return mod.ARABIC_RUN, mod.LATIN_RUN


# The measurement, in the page. Returns a list of problems (strings) for one rendered cell.
_ORDER_JS = r"""
(root, [AR, LAT]) => {
  const BLOCK = ['block', 'list-item', 'table-cell', 'table-caption', 'flex', 'grid'];
  const blocks = new Map();
  const tw = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = tw.nextNode(); t; t = tw.nextNode()) {
    if (!t.data.trim() || t.parentElement.closest('pre, mjx-container, .MathJax, script, style')) continue;
    let b = t.parentElement;
    while (b !== root && !BLOCK.includes(getComputedStyle(b).display)) b = b.parentElement;
    if (!blocks.has(b)) blocks.set(b, []);
    blocks.get(b).push(t);
  }
  const rectOf = (n, i) => {
    const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
    const rs = r.getClientRects(); return rs.length ? rs[0] : null;
  };
  const problems = [];
  const hasLetter = s => /[A-Za-z]/.test(s) || /\d[–—]\d/.test(s);
  for (const [b, nodes] of blocks) {
    const dir = getComputedStyle(b).direction;
    let text = ''; const map = [];
    for (const n of nodes) { for (let i = 0; i < n.data.length; i++) map.push([n, i]); text += n.data; }
    const segs = [];
    for (const [script, src] of [['ar', AR], ['lat', LAT]]) {
      const rx = new RegExp(src, 'g');
      for (let m; (m = rx.exec(text)); ) {
        if (!m[0].length) { rx.lastIndex++; continue; }
        segs.push({script, s: m.index, e: m.index + m[0].length, t: m[0]});
      }
    }
    segs.sort((a, c) => a.s - c.s || (c.e - c.s) - (a.e - a.s));
    const runs = [];
    for (const g of segs) if (!runs.length || g.s >= runs[runs.length - 1].e) runs.push(g);
    const rects = k => rectOf(...map[k]);
    const sameLine = (a, c) => a && c && Math.abs(a.top - c.top) < 3;
    // 1. a Latin run reads left to right
    for (const g of runs) {
      if (g.script !== 'lat' || !hasLetter(g.t)) continue;
      let prev = null;
      for (let k = g.s; k < g.e; k++) {
        if (/\s/.test(text[k])) continue;
        const r = rects(k);
        if (prev && sameLine(prev, r) && r.left < prev.left - 1) {
          problems.push(`reversed inside «${g.t}» (${dir} block): «${text[k]}» drawn before what precedes it`);
          break;
        }
        if (r) prev = r;
      }
    }
    // 2. foreign runs keep their place in the direction of the element that holds both
    //    (the block, or a <code dir="ltr"> / <bdi> around both of them)
    const common = (a, c) => {
      let e = map[a.s][0].parentElement;
      const other = map[c.s][0];
      while (e && !e.contains(other)) e = e.parentElement;
      return e || b;
    };
    const strong = runs.filter(g => dir === 'ltr' || g.script === 'ar' || hasLetter(g.t));
    for (let i = 0; i + 1 < strong.length; i++) {
      const a = strong[i], c = strong[i + 1];
      const d = getComputedStyle(common(a, c)).direction;
      const foreign = g => d === 'rtl' ? (g.script === 'lat' && hasLetter(g.t)) : g.script === 'ar';
      if (!foreign(a) && !foreign(c)) continue;
      const ra = rects(a.e - 1), rc = rects(c.s);
      if (!sameLine(ra, rc)) continue;
      const ext = g => {
        let l = Infinity, r = -Infinity;
        for (let k = g.s; k < g.e; k++) {
          const x = rects(k);
          if (x && sameLine(x, ra) && !/\s/.test(text[k])) { l = Math.min(l, x.left); r = Math.max(r, x.right); }
        }
        return [l, r];
      };
      const [al, ar] = ext(a), [cl, cr] = ext(c);
      if (!isFinite(al) || !isFinite(cl)) continue;
      const ok = d === 'rtl' ? al >= cr - 1 : ar <= cl + 1;
      if (!ok) problems.push(`«${a.t}» and «${c.t}» swapped in a ${d} context`);
    }
  }
  return problems;
}
"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_mixed_runs_render_in_logical_order(page, lab, name):
    patterns = list(_patterns())
    open_notebook(page, lab, f"notebooks/{name}")
    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    n = cells.count()
    assert n > 0
    problems, measured = [], 0
    for i in range(n):
        cell = cells.nth(i)
        if "jp-MarkdownCell" not in (cell.get_attribute("class") or ""):
            continue
        cell.scroll_into_view_if_needed()
        rendered = cell.locator(".jp-RenderedMarkdown")
        expect(rendered).to_have_count(1, timeout=20_000)
        found = rendered.evaluate(_ORDER_JS, patterns)
        measured += 1
        problems += [f"cell {i}: {p}" for p in found]
    assert measured > 0, f"{name}: no rendered markdown cell"
    assert not problems, (f"{name}: {len(problems)} runs render out of logical order "
                          f"(run scripts/isolate_bidi.py on it):\n" + "\n".join(problems[:40]))


#: code spans a learner writes inside an Arabic sentence: spaces, commas and nested brackets
SPACED_CODE = [
    "والفرق بين مجموعتين `set(a) - set(b)` يعطي ما في الأولى وليس في الثانية.",
    "تستخرج الأماكن من النص باستخدام `find_entities(text, gazetteer())` وتعدّها بحسب نوعها.",
    "حمّل النصوص بـ `load_corpus()` ثم اقرأ المقال بـ `get_article(\"001\")` الآن.",
]


def test_spaced_code_in_arabic_is_measured_right(page, lab):
    """The measurement itself: spaced code spans in Arabic sentences pass once isolated by
    ``scripts/isolate_bidi.py`` and fail as plain markdown code (drawn right to left)."""
    import nbformat

    fix_cell = _isolate_bidi().fix_cell
    plain = [f'<div dir="rtl" lang="ar">\n\n{s}\n\n</div>' for s in SPACED_CODE]
    isolated = [fix_cell(md) for md in plain]
    assert all('<code dir="ltr">' in md for md in isolated)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md) for md in plain + isolated])
    nb.metadata = nbformat.read(ROOT / "notebooks" / NOTEBOOKS[0], as_version=4).metadata  # its kernel
    nbformat.write(nb, lab.root / "notebooks" / "zz_bidi_probe.ipynb")
    open_notebook(page, lab, "notebooks/zz_bidi_probe.ipynb")
    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    expect(cells).to_have_count(len(nb.cells))
    found = []
    for i in range(len(nb.cells)):
        rendered = cells.nth(i).locator(".jp-RenderedMarkdown")
        expect(rendered).to_have_count(1, timeout=20_000)
        found.append(rendered.evaluate(_ORDER_JS, list(_patterns())))
    n = len(SPACED_CODE)
    assert all(found[:n]), f"plain code spans in Arabic should be reported: {found[:n]}"
    assert found[n:] == [[]] * n, f"isolated code spans measured out of order: {found[n:]}"
