"""The course hub of tests/hub: installed once per session with the real installer, then removed.

Needs Linux, root, useradd/runuser and configurable-http-proxy (``npm ci`` in deploy/jupyterhub,
which ``.ci/run`` does). Without them the hub tests are skipped with the reason; with
``ARABTEXTS_REQUIRE_HUB=1`` (CI) they fail instead. ``ARABTEXTS_KEEP_HUB_TMP=1`` keeps the
installation folder (its ``hub/jupyterhub.log``) for a post-mortem.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hubclient  # noqa: E402

from hubclient import INSTRUCTOR, STUDENTS, WEB_STUDENT  # noqa: E402


def _need_hub():
    missing = hubclient.missing_requirements()
    if missing:
        msg = "a real JupyterHub needs: " + ", ".join(missing)
        if os.environ.get("ARABTEXTS_REQUIRE_HUB") == "1":
            pytest.fail(msg + " (ARABTEXTS_REQUIRE_HUB=1)")
        pytest.skip(msg)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """``item.rep_call``: the browser test saves screenshots when its call failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def semester(hub):
    """The whole end-to-end workflow, once per session (semester.py)."""
    from semester import run_semester

    return run_semester(hub)


@pytest.fixture(scope="session")
def hub():
    _need_hub()
    names = {INSTRUCTOR: "instructor", **{s: "student" for s in (*STUDENTS, WEB_STUDENT)}}
    h = hubclient.install(names)
    try:
        hubclient.start(h)
        yield h
    finally:
        hubclient.stop(h)
