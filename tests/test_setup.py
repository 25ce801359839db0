"""The README's first command: idempotent setup, never touching notebooks; headless start."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

VENV = ROOT / ".venv"
pytestmark = pytest.mark.skipif(not (VENV / ".course-setup.json").exists(),
                                reason="run through `python3 course.py test` (needs the course venv)")


def _tree_digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".ipynb_checkpoints" not in p.parts}


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the repository sharing the already-built venv (so setup is the fast path)."""
    dest = tmp_path / "course"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "artifacts", "release",
                                    "submitted", "autograded", "feedback", "exchange", "gradebook.db")
    shutil.copytree(ROOT, dest, ignore=ignore)
    (dest / ".venv").symlink_to(VENV, target_is_directory=True)
    return dest


def test_second_setup_is_fast_and_keeps_learners_edits(course_copy):
    nb = next((course_copy / "notebooks").glob("*.ipynb"), None)
    if nb is None:
        pytest.skip("no notebooks yet")
    data = json.loads(nb.read_text(encoding="utf-8"))
    data["cells"].append({"cell_type": "markdown", "id": "learner-note", "metadata": {},
                          "source": ["ملاحظتي: my own note"]})
    nb.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = {**_tree_digest(course_copy / "notebooks"),
              **{"A/" + k: v for k, v in _tree_digest(course_copy / "assignments" / "source").items()}}
    stamp = course_copy / ".venv" / ".course-setup.json"
    stamp_before = stamp.read_bytes()
    out = subprocess.run([sys.executable, str(course_copy / "course.py"), "setup"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "up to date" in out.stdout
    after = {**_tree_digest(course_copy / "notebooks"),
             **{"A/" + k: v for k, v in _tree_digest(course_copy / "assignments" / "source").items()}}
    assert after == before
    assert "ملاحظتي" in nb.read_text(encoding="utf-8")
    # the fast path does not call pip and leaves the environment's record as it was
    assert "installing" not in out.stdout
    assert stamp.read_bytes() == stamp_before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_headless_start_serves_the_start_notebook(tmp_path):
    port, token = _free_port(), "course-test-token"
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "cfg"), ("JUPYTER_RUNTIME_DIR", "run"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "ws"), ("IPYTHONDIR", "ipy")]:
        env[var] = str(tmp_path / sub)
    proc = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "start", "--headless",
                             "--port", str(port), "--token", token],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not answer:\n" + (proc.stdout.read() if proc.poll() is not None else ""))
            time.sleep(0.5)
        with urllib.request.urlopen(
                f"{base}/api/contents/notebooks/00_start_here.ipynb?token={token}", timeout=10) as r:
            model = json.loads(r.read())
        assert model["type"] == "notebook" and model["content"]["cells"]
        with urllib.request.urlopen(f"{base}/lab/tree/notebooks/00_start_here.ipynb?token={token}",
                                    timeout=10) as r:
            page = r.read().decode()
        assert r.status == 200 and "JupyterLab" in page
        # a kernel of the course environment starts and imports the package
        req = urllib.request.Request(f"{base}/api/kernels?token={token}", method="POST",
                                     data=json.dumps({"name": "python3"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert json.loads(r.read())["name"] == "python3"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        # stopping course.py stops the server it started (and its kernel): nothing is left running
        deadline = time.monotonic() + 30
        while _processes_with(f"--ServerApp.port={port}") and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _processes_with(f"--ServerApp.port={port}")
        for pid in left:
            os.kill(pid, 9)
    assert left == [], "JupyterLab outlived `course.py start`"


def _processes_with(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (Linux /proc; none elsewhere)."""
    found = []
    for d in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if d.isdigit():
            try:
                if text.encode() in Path(f"/proc/{d}/cmdline").read_bytes():
                    found.append(int(d))
            except OSError:
                pass
    return found
