"""A real JupyterLab server on a temporary copy of the course, and helpers to drive it.

Used by ``conftest.py`` (fixtures) and by the browser tests. Nothing here imports
playwright at module level: the module must import (for ``--doctest-modules``) on a
machine without it.

The server is started exactly as ``python3 course.py start --headless --port P --token T``
starts it (``jupyter lab --ServerApp.root_dir=<repo> --ServerApp.ip=127.0.0.1 …`` with the
course's ``bin`` first on PATH), but in a temporary copy of the repository and with
temporary Jupyter config, data, runtime, settings, workspace and IPython folders, so a
test run never touches the real repository or the user's Jupyter state.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("ARABTEXTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FIRST_ASSIGNMENT = "01-kadhimi-washington"

#: folders of the repository that are never copied (environment, history, working areas)
_SKIP_TOP = {".venv", ".git", "artifacts", ".pytest_cache", "my-work", ".jupyter-local",
             "build", "dist"}
_SKIP_COURSE = {"release", "submitted", "autograded", "feedback", "exchange", "gradebook.db",
                "grades.csv"}
_SKIP_ANY = {"__pycache__", ".ipynb_checkpoints", ".mypy_cache", ".ruff_cache"}


def venv_bin() -> Path:
    """The course environment's ``bin`` (``.venv/bin``), else the running Python's."""
    b = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
    return b if (b / "jupyter").exists() else Path(sys.executable).parent


def copy_repository(dest: Path) -> Path:
    """Copy the working tree (untracked notebooks included) without .venv, .git, nbgrader
    working areas and caches; returns ``dest``."""
    def ignore(folder, names):
        folder = Path(folder)
        skip = {n for n in names if n in _SKIP_ANY or n.endswith((".pyc", ".lock"))}
        if folder == ROOT:
            skip |= {n for n in names if n in _SKIP_TOP or n.endswith(".egg-info")}
        if folder == ROOT / "assignments":
            skip |= {n for n in names if n in _SKIP_COURSE}
        return skip

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_lab_settings(settings_dir: Path) -> None:
    """User settings of the test JupyterLab: no news toast, no update check."""
    f = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")


@dataclass
class LabServer:
    """``jupyter lab`` on 127.0.0.1 in a temporary copy of the course."""

    tmp: Path
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)
    course_job: object = None  # background preparation of the course (conftest.py)

    @property
    def root(self) -> Path:
        """The temporary copy of the repository (the server's root_dir and cwd)."""
        return self.tmp / "course"

    @property
    def course(self) -> Path:
        """The nbgrader course directory of the copy."""
        return self.root / "assignments"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab", *, reset: bool = False) -> str:
        q = f"token={self.token}" + ("&reset" if reset else "")
        return f"{self.base}/{path.lstrip('/')}?{q}"

    # ------------------------------------------------------------------ start / stop
    def prepare(self) -> None:
        copy_repository(self.root)
        jdirs = {
            "JUPYTER_CONFIG_DIR": "jupyter/config",
            "JUPYTER_DATA_DIR": "jupyter/data",
            "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
            "JUPYTERLAB_SETTINGS_DIR": "jupyter/lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "jupyter/lab-workspaces",
            "IPYTHONDIR": "ipython",
        }
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # a student's kernel shows figures inline
        for k, rel in jdirs.items():
            (self.tmp / rel).mkdir(parents=True, exist_ok=True)
            env[k] = str(self.tmp / rel)
        write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        bindir = venv_bin()
        env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")  # nbgrader runs alembic
        env["VIRTUAL_ENV"] = str(bindir.parent)
        env.pop("PYTHONHOME", None)
        env["ARABTEXTS_ROOT"] = str(self.root)            # data/ of the copy
        env["ARABTEXTS_COURSE_ROOT"] = str(self.course)   # arabtexts CLI on the copy
        env["ARABTEXTS_EXCHANGE"] = str(self.tmp / "exchange")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        (self.tmp / "exchange").mkdir(exist_ok=True)
        self.env = env

    def start(self, timeout: float = 60.0) -> None:
        if not self.env:
            self.prepare()
        self.port = self.port or free_port()
        bindir = venv_bin()
        cmd = [str(bindir / "jupyter"), "lab",
               f"--ServerApp.root_dir={self.root}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", "--no-browser",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--allow-root")
        self._log = open(self.tmp / "jupyterlab.log", "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        p = self.tmp / "jupyterlab.log"
        return "\n".join(p.read_text(errors="replace").splitlines()[-n:]) if p.exists() else ""

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernel_display_name(self, name: str = "python3") -> str:
        """What JupyterLab shows for the notebooks' kernel (``Python 3 (arabtexts course)``
        once ``course.py setup`` has registered the course kernel)."""
        specs = self.api("GET", "api/kernelspecs")["kernelspecs"]
        return specs[name]["spec"]["display_name"]

    def stop(self) -> None:
        """Shut the kernels down through the REST API, then stop the server (our own
        process group, by its id)."""
        if self.proc is None:
            return
        try:
            for k in self.api("GET", "api/kernels") or []:
                try:
                    self.api("DELETE", f"api/kernels/{k['id']}")
                except OSError:
                    pass
        except OSError:
            pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        self.proc = None

    # ------------------------------------------------------------------ course commands
    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """``arabtexts <args>`` on the copy's course directory (raises on failure)."""
        cmd = [str(venv_bin() / "python"), "-m", "arabtexts.cli", "--course-root", str(self.course),
               *args]
        p = subprocess.run(cmd, cwd=self.root, env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p


def source_assignments(course: Path) -> list[str]:
    """The assignment folders of ``<course>/source`` (as the formgrader should list them)."""
    src = course / "source"
    return sorted(p.name for p in src.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_"))) if src.is_dir() else []
