"""The hub in a real browser (Debian's Chromium through playwright, never a downloaded one).

A student logs in on the hub's login page (PAM password), lands in their own JupyterLab, opens
*Nbgrader → Assignment List*, fetches assignment 01, opens it, runs *Validate* and reads the
result dialog, then submits from the Assignment List. The instructor logs in, collects, and sees
the submission in the formgrader, opened in its own tab (JupyterHub ≥ 4.1 forbids framing it).
Runs after the end-to-end ``semester`` (which released the assignment).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hubclient import COURSE, INSTRUCTOR, WEB_STUDENT, HubUser

pytestmark = [pytest.mark.slow, pytest.mark.browser]

A = "01-kadhimi-washington"
CHROMIUM = os.environ.get("ARABTEXTS_CHROMIUM", "/usr/bin/chromium")
# the flags measured here (docs/browser-tests.md)
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "hub-browser"


def _unavailable(reason: str):
    if os.environ.get("ARABTEXTS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ARABTEXTS_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=False)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    ctx.set_default_timeout(60_000)
    yield ctx
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for i, pg in enumerate(ctx.pages):
            try:
                pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"))
            except Exception:  # noqa: BLE001
                pass
    ctx.close()


def login(page, hub, name: str):
    from playwright.sync_api import expect

    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(hub.accounts[name].password)
    page.locator("#login_submit").click()
    expect(page.locator("#login_submit")).to_have_count(0, timeout=30_000)


def menu(page, top: str, item: str):
    exact = lambda s: re.compile(rf"^{re.escape(s)}$")  # noqa: E731
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=exact(top)).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=exact(item)).click()


def test_student_fetches_validates_and_submits_in_the_browser(hub, semester, context):
    from playwright.sync_api import expect

    page = context.new_page()
    login(page, hub, WEB_STUDENT)
    # the hub spawns the server and its pending page forwards to JupyterLab
    page.wait_for_url(re.compile(rf"/user/{WEB_STUDENT}/lab"), timeout=240_000)
    expect(page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile("^Nbgrader$"))).to_be_visible(
        timeout=120_000)
    menu(page, "Nbgrader", "Assignment List")
    released = page.locator("#released_assignments_list")
    row = released.locator(".list_item").filter(has_text=A)
    expect(row).to_have_count(1, timeout=60_000)
    row.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    expect(fetched.locator(".list_item").filter(has_text=A).first).to_be_visible(timeout=60_000)

    # open the fetched notebook and Validate it (nothing answered: validation must fail)
    page.goto(f"{hub.url}/user/{WEB_STUDENT}/lab/tree/{A}/{A}.ipynb?reset")
    toolbar_validate = page.locator(".jp-NotebookPanel-toolbar .validate-button")
    expect(toolbar_validate).to_be_visible(timeout=120_000)
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible()
    toolbar_validate.click()
    dialog = page.locator(".jp-Dialog").filter(
        has=page.locator(".jp-Dialog-header").get_by_text("Validation Results", exact=True))
    expect(dialog).to_be_visible(timeout=240_000)
    text = dialog.locator(".jp-Dialog-body").inner_text()
    assert "There was an error running the validate command" not in text, text
    expect(dialog.locator(".validation-failed")).to_have_count(1)
    assert "NotImplementedError" in text, text[:1500]
    dialog.get_by_role("button", name="Ok").click()

    # submit from the Assignment List
    menu(page, "Nbgrader", "Assignment List")
    fetched = page.locator("#fetched_assignments_list")
    item = fetched.locator(".list_item").filter(has_text=A).first
    expect(item).to_be_visible(timeout=60_000)
    item.get_by_role("button", name="Submit").click()
    submitted = page.locator("#submitted_assignments_list")
    expect(submitted.locator(".list_item").filter(has_text=A).first).to_be_visible(timeout=60_000)
    inbound = hub.exchange / COURSE / "inbound"
    assert list(inbound.glob(f"{WEB_STUDENT}+{A}+*")), "no submission of the browser student in inbound/"


def test_instructor_sees_the_submission_in_the_formgrader(hub, semester, context):
    from playwright.sync_api import expect

    if not list((hub.exchange / COURSE / "inbound").glob(f"{WEB_STUDENT}+{A}+*")):
        pytest.skip("the browser student's submission is missing (see the test before)")
    page = context.new_page()
    login(page, hub, INSTRUCTOR)
    # collect, as the formgrader's Collect button does
    teacher = HubUser(hub, INSTRUCTOR)
    assert teacher.login().status_code == 302
    assert teacher.open_service("/formgrader").status_code == 200
    r = teacher.post(f"{teacher.service}/formgrader/api/assignment/{A}/collect", f"/services/{COURSE}")
    assert r.status_code == 200 and r.json().get("success"), r.text[:500]
    # the formgrader in its own tab, not in JupyterLab's iframe
    page.goto(f"{hub.url}/services/{COURSE}/formgrader/manage_submissions/{A}")
    table = page.locator("#main-table")
    expect(table).to_contain_text(WEB_STUDENT, timeout=60_000)
    expect(table.locator("tr").filter(has_text=WEB_STUDENT)).to_have_count(1)
