"""Every lecture notebook is stored without outputs and runs headless top to bottom."""
import json

import pytest

from conftest import ROOT
from notebook_support import errors, executed_as_stored, outputs, run_seconds

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb"))
SOURCES = sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS + SOURCES, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name}: a code cell carries outputs"
            assert cell.get("execution_count") is None, f"{path.name}: execution counts stored"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    if path in NOTEBOOKS:  # lecture notebooks: stable cell ids, valid nbformat
        import nbformat

        assert all(c.get("id") for c in nb["cells"]), f"{path.name}: every cell has an id"
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_bilingual_objectives_and_rtl(path):
    text = path.read_text(encoding="utf-8")
    assert 'dir=\\"rtl\\"' in text or "dir='rtl'" in text or 'dir="rtl"' in text
    assert 'lang=\\"ar\\"' in text or 'lang="ar"' in text


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_headless(path):
    nb = executed_as_stored(path)
    assert not errors(nb)
    assert sum("image/png" in o.get("data", {}) for o in outputs(nb)) >= 1, "no figure rendered"
    print(f"{path.name}: {run_seconds(path):.1f}s")


@pytest.mark.parametrize("path", NOTEBOOKS + SOURCES, ids=lambda p: p.name)
def test_arabic_paragraphs_are_right_aligned(path):
    """JupyterLab left-aligns plain paragraphs even inside <div dir="rtl">: each Arabic paragraph
    must be its own right-aligned <p> (scripts/rtl_paragraphs.py rewrites them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rtl_paragraphs", ROOT / "scripts" / "rtl_paragraphs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = [p for c in nb["cells"] if c["cell_type"] == "markdown"
           for p in mod.bare_paragraphs("".join(c["source"]))]
    assert not bad, f"{path.name}: run `python scripts/rtl_paragraphs.py`: {bad[:3]}"


def test_rtl_rewrite_keeps_inline_markdown():
    import importlib.util

    spec = importlib.util.spec_from_file_location("rtl_paragraphs", ROOT / "scripts" / "rtl_paragraphs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    src = '<div dir="rtl" lang="ar">\n\n**التالي:** الدفتر `01` و[الواجب](../assignments)\n\n- بند\n\n</div>'
    out = mod.fix_markdown(src)
    assert '<p dir="rtl" lang="ar" style="text-align:right"><strong>التالي:</strong> الدفتر <code>01</code>' in out
    assert '<a href="../assignments">الواجب</a></p>' in out
    assert "\n- بند\n" in out
    assert mod.fix_markdown(out) == out  # idempotent
    assert mod.bare_paragraphs(out) == [] and mod.bare_paragraphs(src)


def _isolate_bidi():
    import importlib.util

    spec = importlib.util.spec_from_file_location("isolate_bidi", ROOT / "scripts" / "isolate_bidi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_isolate_bidi_rewrites_the_runs_that_break():
    """The cases of the review: code in Arabic, citations in English, Arabic in code."""
    mod = _isolate_bidi()
    rtl = ('<div dir="rtl" lang="ar">\n\n4. تحمّل النصوص باستخدام `load_corpus()` واضغط Shift+Enter '
           'أو <code>check(...)</code> بين 2020–2025 و2021\n\n</div>')
    out = mod.isolate_markdown(rtl)
    assert '<code dir="ltr">load_corpus()</code>' in out
    assert '<code dir="ltr">check(...)</code>' in out
    assert "<bdi>Shift+Enter</bdi>" in out and "<bdi>2020–2025</bdi>" in out
    assert "<bdi>2021</bdi>" not in out                      # a bare number keeps its place
    ltr = ('1. **001** — فراس إلياس (Firas Elias), «زيارة الكاظمي لواشنطن.. ماذا ينتظر؟», '
           'نون بوست (Noon Post). See `"الســياسة"[4]` and [«الواجب»](../x)\n```\nلا\n```')
    out = mod.isolate_markdown(ltr)
    assert "<bdi>فراس إلياس</bdi> (Firas Elias), <bdi>«زيارة الكاظمي لواشنطن.. ماذا ينتظر؟»</bdi>, " \
           "<bdi>نون بوست</bdi> (Noon Post)" in out
    assert '<code dir="ltr">"<bdi>الســياسة</bdi>"[4]</code>' in out
    assert "](../x)" in out and "```\nلا\n```" in out       # link targets and code blocks untouched
    for src in (rtl, ltr):
        once = mod.fix_cell(src)
        assert mod.fix_cell(once) == once                    # idempotent
        assert mod.unisolated(once) == [] and mod.unisolated(src)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_mixed_runs_are_isolated(path):
    """Code, Latin and number runs in Arabic, and Arabic in English, are isolated (the browser
    test tests/browser/test_bidi.py measures the rendering; this is its fast static twin)."""
    mod = _isolate_bidi()
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = [f"cell {i}: {r}" for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
           for r in mod.unisolated("".join(c["source"]))]
    assert not bad, f"{path.name}: run `python scripts/isolate_bidi.py notebooks/{path.name}`: {bad[:5]}"


_EASTERN = "٠١٢٣٤٥٦٧٨٩"


def mixed_digit_sentences(markdown: str) -> list[str]:
    """Sentences (split at . ! ? ؟ ، and line ends) that use Eastern Arabic digits (٠–٩) and
    Western digits (0–9) together. Markup (tags, code) is left out before looking."""
    import re

    text = re.sub(r"<code[^>]*>.*?</code>|`[^`\n]*`|<[^>]+>|\]\([^)]*\)", " ", markdown, flags=re.S)
    return [s.strip()[:70] for s in re.split(r"[.!?؟\n]", text)
            if re.search(f"[{_EASTERN}]", s) and re.search(r"[0-9]", s)]


def test_mixed_digit_sentences_are_found():
    assert mixed_digit_sentences("الدفتر ٠١ (المقال 001، آب/أغسطس 2020)") != []
    assert mixed_digit_sentences("الدفتر 01 (المقال 001).\nالقسم ٣ وحده.") == []
    assert mixed_digit_sentences('الدالة <code dir="ltr">f(2)</code> في القسم ٣') == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_digit_system_per_sentence(path):
    """The review's M4: «الدفتر ٠١ … (المقال 001، آب/أغسطس 2020)» mixes two digit systems."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = [f"cell {i}: {s}" for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
           for s in mixed_digit_sentences("".join(c["source"]))]
    assert not bad, f"{path.name}: {bad[:5]}"
