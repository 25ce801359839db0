"""Driving JupyterLab 4 and the course's widgets in a real browser (playwright, sync API).

Selectors were read off JupyterLab 4.6 / ipywidgets 8 / nbgrader 0.9 in this repository's
environment; docs/browser-tests.md lists them with the pitfalls they avoid. playwright is
imported inside the functions only (this module must import without it).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_NAME = f"{NOTEBOOK} .jp-NotebookPanel-toolbar .jp-KernelName"
KERNEL_STATUS = ".jp-StatusBar-TextItem[title^='Change kernel']"
WIDGET_OUTPUT = ".jp-OutputArea-output:has(> .jupyter-widgets)"  # (no data-mime-type on these)
ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


# ------------------------------------------------------------------ screenshots


class Shots:
    """Numbered screenshots of one test: ``artifacts/browser/<test>/NN-<step>.png``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0
        self.paths: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def __call__(self, target, step: str) -> Path:
        """Screenshot an element (a cell, a dialog) — never ``full_page``: the notebook
        scrolls inside its own panel, so a page screenshot misses most of it, and an
        element taller than the panel comes out blank. So the element's top is scrolled to
        the top of its panel and the visible part of it is captured."""
        self.n += 1
        path = self.folder / f"{self.n:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
        target.evaluate("(e) => e.scrollIntoView({block: 'start', inline: 'nearest'})")
        box = target.evaluate(
            """(e) => {
                const r = e.getBoundingClientRect();
                let p = e.parentElement;  // the panel that scrolls (the notebook's)
                while (p && !(/(auto|scroll)/.test(getComputedStyle(p).overflowY)
                              && p.scrollHeight > p.clientHeight)) p = p.parentElement;
                const v = (p || document.documentElement).getBoundingClientRect();
                const top = Math.max(r.top, v.top, 0), left = Math.max(r.left, 0);
                const bottom = Math.min(r.bottom, v.bottom, window.innerHeight);
                const right = Math.min(r.right, window.innerWidth);
                return {x: left, y: top, width: right - left, height: bottom - top};
            }""")
        page = target.page
        if box["width"] > 0 and box["height"] > 0:
            page.screenshot(path=str(path), clip=box, animations="disabled")
        else:
            target.screenshot(path=str(path), animations="disabled")
        self.paths.append(path)
        return path


# ------------------------------------------------------------------ JupyterLab


def open_notebook(page, lab, relpath: str, *, timeout: float = 120_000):
    """Open ``relpath`` with ``?reset`` (no saved workspace) and wait until its kernel is
    really there: the toolbar shows the kernel's display name and the status bar says Idle.

    The execution indicator in the toolbar says "idle" before the kernel even exists, so
    it is not used.
    """
    page.goto(lab.url(f"lab/tree/{relpath}", reset=True))
    panel = page.locator(NOTEBOOK)
    expect(panel).to_have_count(1, timeout=timeout)
    display = lab.kernel_display_name()
    expect(page.locator(KERNEL_NAME)).to_have_text(display, timeout=timeout)
    expect(page.locator(KERNEL_STATUS)).to_have_text(
        re.compile(rf"^{re.escape(display)} \| Idle$"), timeout=timeout)
    return panel


def menu(page, top: str, item: str) -> None:
    """Click a main-menu entry by its exact labels: ``menu(page, "Run", "Run All Cells")``.

    Exact text, because labels overlap ("Formgrader" / "Formgrader (local)")."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel").filter(
        has_text=re.compile(rf"^{re.escape(item)}$")).click()


def code_cell_count(path: Path) -> int:
    """Non-empty code cells of a notebook file (those that Run All gives a number)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())


def run_all(page, n_code_cells: int, *, timeout: float = 180_000) -> float:
    """Run → Run All Cells, then wait until ``n_code_cells`` cells show an execution count
    (no ``[*]``) and the kernel is idle again. Returns the seconds it took."""
    t0 = time.monotonic()
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(
        """([sel, n]) => {
            const prompts = [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent.trim());
            return prompts.filter(p => /^\\[\\d+\\]:$/.test(p)).length >= n
                && !prompts.some(p => p.includes('*'));
        }""",
        arg=[NOTEBOOK, n_code_cells], timeout=timeout, polling=250)
    expect(page.locator(KERNEL_STATUS)).to_have_text(re.compile(r"\| Idle$"), timeout=timeout)
    return time.monotonic() - t0


def tracebacks(page) -> list[str]:
    """Texts of error outputs (tracebacks) in the open notebook."""
    texts = page.locator(f"{NOTEBOOK} {ERROR_OUTPUT}").all_inner_texts()
    return [t for t in texts if "Traceback" in t or re.search(r"\b\w+Error\b", t)]


def wait_widgets_rendered(page, *, timeout: float = 60.0, settle: float = 1.0) -> int:
    """Wait until the notebook shows widget views and their number has not changed for
    ``settle`` seconds (views render after the cells' outputs arrive); returns it."""
    outs = page.locator(f"{NOTEBOOK} {WIDGET_OUTPUT}")
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        n = outs.count()
        if n != last:
            last, since = n, time.monotonic()
        elif n > 0 and time.monotonic() - since >= settle:
            return n
        time.sleep(0.2)
    raise AssertionError(f"no widget view rendered within {timeout:.0f} s (last count {last})")


def cell_of(locator):
    """The notebook cell (``.jp-Cell``) holding an element."""
    return locator.locator("xpath=ancestor::div[contains(@class,'jp-Cell ')][1]")


# ------------------------------------------------------------------ right to left

_RTL_JS = r"""
(el) => {
  const AR = /[\u0621-\u064A]/;
  const BLOCK = ['block', 'list-item', 'table-cell', 'table-caption', 'flow-root'];
  // the leaf blocks that hold Arabic text: paragraphs, list items, headings, cells …
  const blocks = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!AR.test(n.data)) continue;
    let b = n.parentElement;
    while (b !== el && !BLOCK.includes(getComputedStyle(b).display)) b = b.parentElement;
    if (!blocks.includes(b)) blocks.push(b);
  }
  return blocks.slice(0, 40).map(b => {
    const cs = getComputedStyle(b);
    const r = b.getBoundingClientRect();
    const cl = r.left + b.clientLeft + parseFloat(cs.paddingLeft);
    const cr = r.left + b.clientLeft + b.clientWidth - parseFloat(cs.paddingRight);
    // the lines of text of this block (text rectangles grouped by their top)
    const lines = [];
    const tw = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
    for (let t = tw.nextNode(); t; t = tw.nextNode()) {
      if (!t.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      for (const x of range.getClientRects()) {
        if (x.width <= 0 || x.height <= 0) continue;
        let l = lines.find(l => Math.abs(l.top - x.top) < 4);
        if (!l) lines.push({top: x.top, left: x.left, right: x.right});
        else { l.left = Math.min(l.left, x.left); l.right = Math.max(l.right, x.right); }
      }
    }
    return {tag: b.tagName.toLowerCase(), direction: cs.direction, textAlign: cs.textAlign,
            lines: lines.length, width: Math.round(cr - cl),
            gapRight: lines.length ? Math.max(...lines.map(l => cr - l.right)) : null,
            gapLeft: lines.length ? Math.min(...lines.map(l => l.left - cl)) : null,
            text: b.innerText.trim().replace(/\s+/g, ' ').slice(0, 60)};
  });
}
"""


def rtl_report(locator) -> list[dict]:
    """For each block holding Arabic text inside ``locator`` (paragraph, list item, heading,
    table cell …): computed ``direction`` and ``text-align``, and the largest gap between a
    line of its text and the right edge of its content box (``gapRight``)."""
    locator.scroll_into_view_if_needed()
    return locator.evaluate(_RTL_JS)


def rtl_problems(locator, what: str, *, slack: float = 12.0) -> list[str]:
    """Why the Arabic of ``locator`` does not read right to left (empty list: it does).

    Every block holding Arabic must have computed direction ``rtl``, an alignment that is
    right in rtl (``right``/``start``/``-webkit-right``, not ``left``), and every line of it
    must end at the right edge (within ``slack`` px; a left-aligned short line would not).
    Table cells are only checked for their direction: their alignment is the table's design.
    """
    blocks = rtl_report(locator)
    if not blocks:
        return [f"{what}: no Arabic text inside"]
    out = []
    for b in blocks:
        bad = []
        if b["direction"] != "rtl":
            bad.append(f"direction {b['direction']}")
        # table cells are aligned by the table's design (a concordance hugs its keyword)
        cell = b["tag"] in {"td", "th", "caption"}
        if not cell and b["textAlign"] not in {"right", "start", "-webkit-right"}:
            bad.append(f"text-align {b['textAlign']}")
        if not cell and b["gapRight"] is not None and b["gapRight"] > slack:
            bad.append(f"a line ends {b['gapRight']:.0f} px left of the right edge")
        if bad:
            out.append(f"{what}: <{b['tag']}> «{b['text']}»: {', '.join(bad)}")
    return out


# ------------------------------------------------------------------ images


def assert_images_rendered(imgs, what: str) -> list[dict]:
    """Every ``<img>`` matched by ``imgs`` has loaded (natural size > 0) and is drawn (box > 0)."""
    n = imgs.count()
    assert n > 0, f"{what}: no <img>"
    out = []
    for i in range(n):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        img.page.wait_for_function("(el) => el.complete && el.naturalWidth > 0",
                                   arg=img.element_handle(), timeout=30_000)
        info = img.evaluate("(el) => ({nw: el.naturalWidth, nh: el.naturalHeight, "
                            "w: el.getBoundingClientRect().width, h: el.getBoundingClientRect().height, "
                            "src: el.src.slice(0, 30)})")
        assert info["nw"] > 0 and info["nh"] > 0 and info["w"] > 0 and info["h"] > 0, f"{what}: {info}"
        out.append(info)
    return out


# ------------------------------------------------------------------ the course's widgets

#: tool name (the CSS class ``arabtexts-<name>``) -> words to type in its text box
SEARCH_WORDS = {"reader": ("بغداد", "واشنطن"), "concordance": ("بايدن", "واشنطن")}


def tool_name(root) -> str:
    classes = root.get_attribute("class").split()
    names = [c[len("arabtexts-"):] for c in classes
             if c.startswith("arabtexts-") and c != "arabtexts-tool"]
    return names[0] if names else "?"


def output_state(root) -> str:
    """What a tool shows (its HTML outputs' text and its images), not its controls."""
    return root.evaluate(
        """(el) => [...el.querySelectorAll('.widget-html-content')].map(x => x.innerText).join('\\n§\\n')
                   + '\\n§img§' + [...el.querySelectorAll('img')].map(i => i.src.length + ':' +
                   i.src.slice(-40)).join(',')""")


def wait_changed(root, before: str, what: str, *, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = output_state(root)
        if now != before:
            time.sleep(0.3)  # let the other outputs of the same update arrive
            return output_state(root)
        time.sleep(0.1)
    raise AssertionError(f"{what}: nothing shown changed within {timeout:.0f} s")


def settle(root, *, quiet: float = 0.6, timeout: float = 30.0) -> str:
    """Wait until the kernel is idle and what the tool shows has not changed for ``quiet``
    seconds (typing sends one update per keystroke: the last one must have arrived before
    the next step compares states)."""
    page = root.page
    deadline = time.monotonic() + timeout
    last, since = output_state(root), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = output_state(root)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet and \
                page.locator(KERNEL_STATUS).inner_text().strip().endswith("| Idle"):
            return now
    return last


def _select_other(select, root, what: str, before: str) -> str:
    """Choose other options of a drop-down until what the tool shows changes."""
    values = select.evaluate("(s) => [...s.options].map(o => o.value)")
    current = select.input_value()
    last_error = None
    for v in [v for v in values if v != current][:4]:
        select.select_option(v)
        try:
            return wait_changed(root, before, f"{what} = option {v!r}", timeout=15)
        except AssertionError as exc:  # some choices legitimately show the same thing
            last_error = exc
    raise last_error or AssertionError(f"{what}: no other option")


def _press_slider(handle, key: str, times: int) -> None:
    handle.focus()
    for _ in range(times):
        handle.press(key)


def exercise_tool(root, shots, cell) -> list[str]:
    """Use every control of one course tool and assert that what it shows changes after
    each use. Returns a log of what was done."""
    name = tool_name(root)
    done: list[str] = []

    def step(what: str, action) -> None:
        before = output_state(root)
        result = action(before)
        after = result if isinstance(result, str) else wait_changed(root, before, f"{name}: {what}")
        assert after != before
        settle(root)
        done.append(what)
        shots(cell, f"{name}-{what}")

    def typed(part: str, words):
        box = root.locator(f".arabtexts-{name}-{part} input")

        def act(before):
            for k, word in enumerate(words):
                box.click()
                box.fill("")
                # real key presses, one character at a time, as a student types
                box.press_sequentially(word, delay=40)
                try:
                    after = wait_changed(root, before, f"{name}: typed {word}", timeout=15)
                except AssertionError:
                    if k == len(words) - 1:
                        raise
                    continue
                # the tool reports on the word typed (reader: «N matches for «…»»,
                # concordance: «N occurrences of «…»»)
                after = settle(root)
                assert f"«{word}»" in after, f"{name}: «{word}» typed, but not reported:\n{after[:500]}"
                return after
        return act

    def selected(part: str):
        sel = root.locator(f".arabtexts-{name}-{part} select")
        return lambda before: _select_other(sel, root, f"{name}: {part}", before)

    def slid(part: str, moves=((".noUi-handle", "ArrowRight", 3),)):
        """Move a slider with its keyboard (noUiSlider handles take arrow keys); tries each
        ``(handle, key, times)`` until what the tool shows changes."""
        def act(before):
            for k, (handle, key, times) in enumerate(moves):
                _press_slider(root.locator(f".arabtexts-{name}-{part} {handle}").first, key, times)
                try:
                    return wait_changed(root, before, f"{name}: {part} {handle} {key}",
                                        timeout=15 if k < len(moves) - 1 else 30)
                except AssertionError:
                    if k == len(moves) - 1:
                        raise
        return act

    def toggled(selector: str):
        def act(_b):
            root.locator(selector).first.click()
        return act

    def other_button(part: str):
        def act(_b):
            root.locator(f".arabtexts-{name}-{part} button:not(.mod-active)").first.click()
        return act

    if name == "reader":
        step("search", typed("search", SEARCH_WORDS["reader"]))
        step("article", selected("article"))
        step("layer", other_button("layer"))
    elif name == "concordance":
        step("query", typed("query", SEARCH_WORDS["concordance"]))
        step("width-slider", slid("width"))
        step("article", selected("article"))
    elif name == "entities":
        step("kind-checkbox", toggled(f".arabtexts-{name}-kinds input[type=checkbox]"))
        step("article", selected("article"))
    elif name == "timeline":
        # raise the first year; if that shows the same events, put it back and lower the last
        step("years-slider", slid("years", ((".noUi-handle-lower", "ArrowRight", 1),
                                            (".noUi-handle-lower", "ArrowLeft", 1),
                                            (".noUi-handle-upper", "ArrowLeft", 1))))
        step("article", selected("article"))
        step("undated-checkbox", toggled(f".arabtexts-{name}-undated input[type=checkbox]"))
    elif name == "compare":
        step("text-a", selected("left"))
        step("text-b", selected("right"))
        step("words-slider", slid("top"))
    elif name == "figures":
        step("unit", selected("unit"))
        step("article", selected("article"))
    else:
        raise AssertionError(f"no browser actions for the tool arabtexts-{name}: add them to "
                             "tests/browser/driver.py (exercise_tool)")
    return done


def rtl_blocks(root):
    """The outermost ``dir="rtl"`` blocks shown by a tool (not those nested in another)."""
    blocks = root.locator(".widget-html-content [dir='rtl']")
    out = []
    for i in range(blocks.count()):
        b = blocks.nth(i)
        if b.evaluate("(el) => !el.parentElement.closest('[dir=rtl]') && el.innerText.trim() !== ''"):
            out.append(b)
    return out
