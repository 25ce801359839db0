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


def _patterns() -> tuple[str, str]:
    spec = importlib.util.spec_from_file_location("isolate_bidi", ROOT / "scripts" / "isolate_bidi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
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
