#!/usr/bin/env python3
"""Set up and open the course, or run its tests. Needs only Python 3.11+ and pip.

    python3 course.py            # first time and every time: set up, then open JupyterLab
    python3 course.py test       # run the whole test suite

More:
    python3 course.py setup      # set up only (virtual environment, package, kernel)
    python3 course.py start --headless --port 8899   # a server without a browser
    python3 course.py <anything else>                # runs `arabtexts <anything else>`
                                                     # in the course environment, e.g.
    python3 course.py grade 01-kadhimi-washington    # (instructor commands; see README)

Setup is idempotent: it creates `.venv/` inside the repository, installs the course package
and its requirements with plain pip only when they changed, registers the Jupyter kernel, and
never writes to `notebooks/` or `assignments/source/` (a learner's edits are never overwritten).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".course-setup.json"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
INPUTS = ("pyproject.toml", "requirements.txt", "requirements-test.txt")


def say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def run(cmd, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def course_env() -> dict:
    """Environment for child processes: the venv's bin first on PATH (nbgrader runs alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    env.pop("PYTHONHOME", None)
    return env


def _fingerprint(with_tests: bool) -> str:
    h = hashlib.sha256()
    for name in INPUTS:
        h.update((ROOT / name).read_bytes())
    h.update(sys.version.encode())
    h.update(b"tests" if with_tests else b"")
    return h.hexdigest()


def setup(with_tests: bool = False) -> None:
    """Create/refresh the virtual environment; fast (no pip call) when nothing changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PY.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _fingerprint(with_tests)
    done = json.loads(STAMP.read_text()) if STAMP.exists() else {}
    have = done.get("fingerprint")
    # a test install also satisfies a plain one
    if have == wanted or (not with_tests and have == _fingerprint(True)):
        say("environment is up to date")
    else:
        say("installing the course package and its requirements with pip (about a minute)")
        run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], env=course_env())
        target = ".[test]" if with_tests else "."
        run([PY, "-m", "pip", "install", "--quiet", "-e", target], cwd=ROOT, env=course_env())
        run([PY, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
             "--display-name", "Python 3 (arabtexts course)"], env=course_env(),
            stdout=subprocess.DEVNULL)
        _write_lab_overrides()
        STAMP.write_text(json.dumps({"fingerprint": wanted}))
    (ROOT / "assignments" / "exchange").mkdir(parents=True, exist_ok=True)


def _write_lab_overrides() -> None:
    """Quiet JupyterLab defaults for the course: no news pop-up, no update check."""
    target = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(target.read_text()) if target.exists() else {}
    current.setdefault("@jupyterlab/apputils-extension:notification",
                       {"fetchNews": "false", "checkForUpdates": False})
    target.write_text(json.dumps(current, indent=2))


def start(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="course.py start")
    p.add_argument("--headless", action="store_true", help="no browser (servers, tests)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--token", default=None, help="server token (default: Jupyter's own)")
    a, rest = p.parse_known_args(argv)
    setup()
    cmd = [BIN / "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", f"--ServerApp.ip={a.ip}"]
    if a.port:
        cmd.append(f"--ServerApp.port={a.port}")
    if a.token is not None:
        cmd.append(f"--IdentityProvider.token={a.token}")
    if a.headless:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; Jupyter refuses otherwise
    cmd += rest + [START_NOTEBOOK]
    say("opening the course: " + START_NOTEBOOK)
    return run_forwarding_signals([str(c) for c in cmd])


def run_forwarding_signals(cmd: list[str]) -> int:
    """Run ``cmd`` (JupyterLab) and pass on a request to stop: a SIGTERM or SIGHUP sent to this
    process (a service manager, a test) reaches the server too, which then shuts down its
    kernels; without this it would be left running on its own. Ctrl+C reaches both anyway."""
    import signal

    proc = subprocess.Popen(cmd, cwd=ROOT, env=course_env())

    def forward(signum, _frame):
        proc.send_signal(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # the server got it too and is shutting down
            continue


def test(argv: list[str]) -> int:
    setup(with_tests=True)
    say("running the test suite")
    return subprocess.call([str(PY), "-m", "pytest", *argv], cwd=ROOT, env=course_env())


def main(argv: list[str]) -> int:
    cmd, rest = (argv[0], argv[1:]) if argv else ("start", [])
    if cmd == "setup":
        setup(with_tests="--with-tests" in rest)
        return 0
    if cmd == "start":
        return start(rest)
    if cmd == "test":
        return test(rest)
    if cmd in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    setup()
    return subprocess.call([str(BIN / "arabtexts"), cmd, *rest], cwd=ROOT, env=course_env())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
