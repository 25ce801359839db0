"""As a student would: real JupyterLab, real Chromium, the course's notebooks and assignment 01.

* ``test_start_here`` — notebooks/00_start_here.ipynb: Arabic markdown is right to left,
  Run All runs every code cell without a traceback, the matplotlib chart is drawn, every
  course tool in the notebook is used (typing, sliders, drop-downs …) and what it shows
  changes, and its Arabic output is right to left.
* ``test_context_lesson`` — the same for notebooks/00b_context.ipynb (timeline, map, concordance).
* ``test_article_notebook`` — the same for the first article notebook (02_…, else 01_…).
* ``test_assignment_validate`` — assignment 01 released with the ``arabtexts`` CLI, opened
  as a student, question 1 answered by typing into its cell, then nbgrader's Validate
  button: the result dialog reports the unanswered questions as failed and question 1 not.

Screenshots of every step (cells and dialogs): artifacts/browser/<test>/.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import (  # noqa: E402
    NOTEBOOK,
    assert_images_rendered,
    cell_of,
    code_cell_count,
    exercise_tool,
    expect,
    open_notebook,
    rtl_blocks,
    rtl_problems,
    run_all,
    tool_name,
    tracebacks,
    wait_widgets_rendered,
)
from jlab import FIRST_ASSIGNMENT, ROOT  # noqa: E402

pytestmark = pytest.mark.browser

#: preferred article notebooks, in order (the first that exists is tested)
ARTICLE_NOTEBOOKS = ("02_*.ipynb", "01_*.ipynb")


def _article_notebook() -> str | None:
    for pattern in ARTICLE_NOTEBOOKS:
        found = sorted((ROOT / "notebooks").glob(pattern))
        if found:
            return f"notebooks/{found[0].name}"
    return None


def student_walkthrough(page, lab, shots, relpath: str, *, min_tools: set[str]) -> dict:
    """Open, check the Arabic markdown, Run All, check plots, use every tool."""
    open_notebook(page, lab, relpath)
    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    shots(cells.first, "opened")

    # Arabic markdown reads right to left (problems are collected, reported at the end)
    problems: list[str] = []
    md = page.locator(f"{NOTEBOOK} .jp-RenderedMarkdown [dir='rtl']:not([dir='rtl'] [dir='rtl'])")
    n_md = md.count()
    assert n_md > 0, f"{relpath}: no <div dir=\"rtl\"> in the markdown"
    shots(cell_of(md.first), "markdown-rtl")
    for i in range(n_md):
        found = rtl_problems(md.nth(i), f"markdown rtl block {i}")
        if found and sum(1 for p in problems if p.startswith("markdown")) < 3:
            shots(cell_of(md.nth(i)), f"markdown-rtl-PROBLEM-block-{i}")
        problems += found

    # Run All, and wait for every code cell to have run
    n_code = code_cell_count(lab.root / relpath)
    seconds = run_all(page, n_code)
    assert not tracebacks(page), f"{relpath}: errors after Run All:\n" + "\n".join(tracebacks(page))

    # plots: the matplotlib outputs are images with a size
    plots = page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='image/png']")
    for i in range(plots.count()):
        assert_images_rendered(plots.nth(i).locator("img"), f"{relpath}: plot {i}")
        shots(cell_of(plots.nth(i)), f"plot-{i}")

    # every course tool: use each control, check the change and the direction
    n_widgets = wait_widgets_rendered(page)
    roots = page.locator(f"{NOTEBOOK} .arabtexts-tool")
    names = [tool_name(roots.nth(i)) for i in range(roots.count())]
    assert min_tools <= set(names), f"{relpath}: tools shown {names}, expected at least {min_tools}"
    log = {}
    for i, name in enumerate(names):
        root = roots.nth(i)
        cell = cell_of(root)
        root.scroll_into_view_if_needed()
        shots(cell, f"{name}-{i}-as-run")
        for j, block in enumerate(rtl_blocks(root)):
            problems += rtl_problems(block, f"{name} output block {j}")
        log[f"{name}-{i}"] = exercise_tool(root, shots, cell)
        blocks = rtl_blocks(root)
        assert blocks, f"{relpath}: {name} shows no right-to-left Arabic after use"
        for j, block in enumerate(blocks):
            problems += rtl_problems(block, f"{name} output block {j} after use")
        # widget-drawn charts (timeline, figures) are images with a size
        charts = root.locator("img.widget-image:visible")
        if charts.count():
            assert_images_rendered(charts, f"{relpath}: {name} chart")
    assert not tracebacks(page), f"{relpath}: errors while using the tools:\n" + "\n".join(tracebacks(page))
    assert not problems, (f"{relpath}: Arabic that does not read right to left "
                          f"({len(problems)}):\n" + "\n".join(problems))
    return {"run_all_seconds": seconds, "widget_outputs": n_widgets, "tools": log,
            "plots": plots.count()}


def test_start_here(page, lab, shots):
    result = student_walkthrough(page, lab, shots, "notebooks/00_start_here.ipynb",
                                 min_tools={"reader", "concordance"})
    assert result["plots"] >= 1, "notebook 00 draws a bar chart (section 5)"
    print(result)


def test_context_lesson(page, lab, shots):
    """00b: the timeline and the three map panels are drawn, the concordance answers typing,
    and the markdown reads right to left."""
    result = student_walkthrough(page, lab, shots, "notebooks/00b_context.ipynb",
                                 min_tools={"concordance"})
    assert result["plots"] >= 2, "00b draws a timeline and a map"
    print(result)


def test_article_notebook(page, lab, shots):
    relpath = _article_notebook()
    if relpath is None:
        pytest.skip("TODO: no article notebook (02_*.ipynb or 01_*.ipynb) in notebooks/ yet")
    result = student_walkthrough(page, lab, shots, relpath, min_tools={"reader"})
    print(relpath, result)


Q1_ANSWER = ["def remove_tatweel(text):", 'return text.replace(chr(0x0640), "")']


def test_assignment_validate(page, lab, course, shots):
    # the student's copy of the released notebook (Validate saves it: never the release)
    work = lab.root / "student-work" / FIRST_ASSIGNMENT
    work.mkdir(parents=True, exist_ok=True)
    nb_path = work / course["released"].name
    shutil.copy(course["released"], nb_path)
    relpath = nb_path.relative_to(lab.root).as_posix()
    released = nbformat.read(str(nb_path), as_version=4)
    assert "raise NotImplementedError" in "".join(c.source for c in released.cells), \
        "the released notebook should have its solutions replaced by stubs"

    open_notebook(page, lab, relpath)
    cells = page.locator(f"{NOTEBOOK} .jp-CodeCell")
    expect(cells.filter(has_text="def remove_tatweel")).to_have_count(1)
    # pin the cell by position: its text changes below
    index = cells.evaluate_all("(els) => els.findIndex(e => e.textContent.includes('def remove_tatweel'))")
    cell = cells.nth(index)
    shots(cell, "q1-stub")

    # answer question 1 by typing into its cell (auto-indent gives the body its 4 spaces)
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(Q1_ANSWER[0], delay=10)
    page.keyboard.press("Enter")
    page.keyboard.type(Q1_ANSWER[1], delay=10)
    expect(editor).to_contain_text("return text.replace")
    page.keyboard.press("Control+Enter")  # run it, as a student would
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=60_000)
    shots(cell, "q1-answered")

    # Validate (it saves the notebook first) and read the result dialog
    page.locator(f"{NOTEBOOK} .jp-NotebookPanel-toolbar .validate-button").click()
    dialog = page.locator(".jp-Dialog").filter(
        has=page.locator(".jp-Dialog-header").get_by_text("Validation Results", exact=True))
    expect(dialog).to_be_visible(timeout=180_000)
    body = dialog.locator(".jp-Dialog-body")
    shots(dialog.locator(".jp-Dialog-content"), "validate-dialog")
    text = body.inner_text()
    assert "There was an error running the validate command" not in text, text
    # the body node itself carries the result class (validation-failed / -success)
    expect(dialog.locator(".validation-failed")).to_have_count(1)
    # each failure: the cell's source, then its traceback (both <pre>)
    failed_sources = body.locator(".jp-RenderedText pre").all_inner_texts()
    n_failed = body.get_by_text("The following cell failed:", exact=True).count()
    assert n_failed >= 1, text
    # the unanswered questions fail …
    assert any("n_raw" in s for s in failed_sources), \
        f"question 2 (unanswered) should be reported as failed:\n{text[:2000]}"
    # … but question 1, answered above, passes
    assert not any('remove_tatweel("شكـل العـراق")' in s for s in failed_sources), \
        f"question 1 was answered and should pass:\n{text[:2000]}"
    dialog.get_by_role("button", name="Ok").click()
    expect(dialog).to_have_count(0)

    # Validate saved the typed answer
    saved = nbformat.read(str(nb_path), as_version=4)
    q1 = next(c for c in saved.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer")
    assert "return text.replace(chr(0x0640)" in q1.source and "NotImplementedError" not in q1.source, q1.source
    print({"failed_cells": n_failed})
