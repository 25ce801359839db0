"""A course hub for tests and benchmarks: install it with the real installer, start it, talk to it.

Everything is real: ``deploy/jupyterhub/install_hub.py`` makes the shared environment, the Unix
accounts (with passwords) and the grader's course; JupyterHub runs with configurable-http-proxy on
127.0.0.1; users log in on the hub's login form (PAM) and use their own servers' HTTP API exactly
as JupyterLab does (cookies and the ``_xsrf`` token).
"""
from __future__ import annotations

import csv
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "deploy" / "jupyterhub" / "install_hub.py"
COURSE = "arabtexts"
GRADER = f"grader-{COURSE}"
# the accounts of the hub tests (created and removed by them)
INSTRUCTOR = "athub_teach"
STUDENTS = ("athub_right", "athub_wrong", "athub_blank")
WEB_STUDENT = "athub_web"  # the browser test's student


def missing_requirements() -> list[str]:
    """What this machine lacks to run a real hub (empty when it can)."""
    out = []
    if not sys.platform.startswith("linux"):
        out.append("Linux")
    elif os.geteuid() != 0:
        out.append("root (the hub creates Unix accounts and starts servers as them)")
    for tool in ("useradd", "userdel", "chpasswd", "runuser"):
        if not shutil.which(tool):
            out.append(tool)
    local_chp = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local_chp.exists() and not shutil.which("npm"):
        out.append("configurable-http-proxy (npm ci in deploy/jupyterhub) or npm")
    return out


def scratch_dir() -> str:
    """Where a test hub is installed: ``$ARABTEXTS_HUB_TMP``, else RAM (``/dev/shm``, when it is
    large and allows programs: the ~700 MB environment is written and deleted in seconds
    instead of minutes on a busy disk), else ``/tmp``. Never under /root: the students'
    accounts must reach it."""
    if os.environ.get("ARABTEXTS_HUB_TMP"):
        return os.environ["ARABTEXTS_HUB_TMP"]
    try:
        st = os.statvfs("/dev/shm")
        if not st.f_flag & os.ST_NOEXEC and st.f_bavail * st.f_frsize > 3 * 2**30:
            return "/dev/shm"
    except OSError:
        pass
    return "/tmp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Account:
    name: str
    password: str
    role: str = "student"


@dataclass
class Hub:
    prefix: Path
    url: str
    accounts: dict[str, Account]
    process: subprocess.Popen | None = None
    log: Path | None = None
    ports: dict = field(default_factory=dict)

    @property
    def course_dir(self) -> Path:
        return Path(pwd.getpwnam(GRADER).pw_dir) / COURSE

    @property
    def exchange(self) -> Path:
        return self.prefix / "exchange"

    def grader_run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run a command as the grader in its course directory (the service's terminal)."""
        env_bin = self.prefix / "env" / "bin"
        cmd = ["runuser", "-u", GRADER, "--", "env", f"PATH={env_bin}:/usr/local/bin:/usr/bin:/bin",
               f"HOME={self.course_dir.parent}", f"ARABTEXTS_EXCHANGE={self.exchange}",
               f"ARABTEXTS_COURSE_ROOT={self.course_dir}", *args]
        return subprocess.run(cmd, cwd=self.course_dir, capture_output=True, text=True, timeout=timeout)

    def as_user(self, user: str, code: str) -> subprocess.CompletedProcess:
        """Run Python code as a Unix account with the shared environment's Python."""
        return subprocess.run(["runuser", "-u", user, "--", str(self.prefix / "env" / "bin" / "python"), "-c", code],
                              capture_output=True, text=True, timeout=120, cwd="/")

    def log_tail(self, n: int = 60) -> str:
        if self.log and self.log.exists():
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        return ""


def write_roster(path: Path, accounts: list[Account]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "first_name", "last_name", "email", "role", "password"])
        for i, a in enumerate(accounts):
            w.writerow([a.name, f"طالب{i}", "الاختبار", f"{a.name}@example.edu", a.role, a.password])


def install(names: dict[str, str], *, prefix: Path | None = None) -> Hub:
    """Install a hub for ``names`` (login → role) with the real installer; not started yet."""
    prefix = prefix or Path(tempfile.mkdtemp(prefix="arabtexts-hub-", dir=scratch_dir()))
    os.chmod(prefix, 0o755)
    accounts = {n: Account(n, "pw-" + secrets.token_urlsafe(10), r) for n, r in names.items()}
    roster = prefix / "roster.csv"
    write_roster(roster, list(accounts.values()))
    os.chmod(roster, 0o600)
    remove_accounts(list(accounts))  # leftovers of an interrupted run
    ports = {"port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port(),
             "service_port": free_port()}
    cmd = [sys.executable, str(INSTALLER), "--roster", str(roster), "--prefix", str(prefix),
           "--ip", "127.0.0.1", "--no-start"]
    for k, v in ports.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    except BaseException:  # interrupted (Ctrl-C, timeout): leave no accounts or files behind
        remove_accounts(list(accounts))
        shutil.rmtree(prefix, ignore_errors=True)
        raise
    if r.returncode != 0:
        remove_accounts(list(accounts))
        if not os.environ.get("ARABTEXTS_KEEP_HUB_TMP"):
            shutil.rmtree(prefix, ignore_errors=True)
        raise RuntimeError(f"install_hub.py failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    return Hub(prefix, f"http://127.0.0.1:{ports['port']}", accounts, ports=ports)


def start(hub: Hub, *, timeout: float = 120) -> Hub:
    sys.path.insert(0, str(INSTALLER.parent))
    try:
        from install_hub import hub_command
    finally:
        sys.path.pop(0)
    cmd, env = hub_command(hub.prefix)
    hub.log = hub.prefix / "hub" / "jupyterhub.log"
    fh = open(hub.log, "ab")
    hub.process = subprocess.Popen(cmd, env=env, cwd=hub.prefix / "hub", stdout=fh, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"the hub exited ({hub.process.returncode}):\n{hub.log_tail()}")
        try:
            if requests.get(f"{hub.url}/hub/health", timeout=5).status_code == 200:
                return hub
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the hub did not answer in {timeout} s:\n{hub.log_tail()}")


def processes_of(users: list[str]) -> list[int]:
    uids = set()
    for u in users:
        try:
            uids.add(pwd.getpwnam(u).pw_uid)
        except KeyError:
            pass
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if d.stat().st_uid in uids:
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def remove_accounts(users: list[str]) -> None:
    for pid in processes_of(users + [GRADER]):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for u in users + [GRADER]:
        subprocess.run(["userdel", "--remove", u], capture_output=True)
        subprocess.run(["groupdel", u], capture_output=True)


def stop(hub: Hub) -> None:
    """Stop the hub (it stops the users' servers and the service), remove accounts and prefix.

    ``ARABTEXTS_KEEP_HUB=1`` leaves everything running for a post-mortem (remove it afterwards
    with ``install_hub.py --remove``)."""
    if os.environ.get("ARABTEXTS_KEEP_HUB") == "1":
        print(f"\nhub kept running at {hub.url}, prefix {hub.prefix}, pid {hub.process and hub.process.pid}")
        return
    if hub.process and hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)
            hub.process.wait(10)
    remove_accounts(list(hub.accounts))
    if not os.environ.get("ARABTEXTS_KEEP_HUB_TMP"):
        shutil.rmtree(hub.prefix, ignore_errors=True)


# --------------------------------------------------------------------------------------
# a user in front of the hub
# --------------------------------------------------------------------------------------
class HubUser:
    """One person using the hub over HTTP, as their browser would."""

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.s = requests.Session()

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def login(self, password: str | None = None) -> requests.Response:
        page = self.s.get(f"{self.hub.url}/hub/login", timeout=30)
        m = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        data = {"username": self.name,
                "password": self.hub.accounts[self.name].password if password is None else password}
        if m:
            data["_xsrf"] = m.group(1)
        return self.s.post(f"{self.hub.url}/hub/login?next=", data=data, timeout=60, allow_redirects=False)

    def start_server(self, timeout: float = 180) -> None:
        self.s.get(f"{self.hub.url}/hub/spawn", timeout=60, allow_redirects=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # a page (not the API) so that the hub's OAuth redirects give this session the
            # server's cookie and _xsrf token, as in a browser
            r = self.s.get(f"{self.server}/lab", timeout=60)
            if r.status_code == 200 and r.url.startswith(f"{self.server}/lab"):
                if self.s.get(f"{self.server}/api/status", timeout=30).status_code == 200:
                    return
            time.sleep(1)
        raise RuntimeError(f"{self.name}'s server did not start in {timeout} s:\n{self.hub.log_tail()}")

    def xsrf(self, path: str = "") -> dict:
        tok = None
        for c in self.s.cookies:
            if c.name == "_xsrf" and (c.path or "/").startswith(path or "/"):
                tok = c.value
        return {"X-XSRFToken": tok} if tok else {}

    def get(self, url: str, **kw) -> requests.Response:
        return self.s.get(url, timeout=kw.pop("timeout", 120), **kw)

    def post(self, url: str, path_prefix: str, **kw) -> requests.Response:
        return self.s.post(url, headers=self.xsrf(path_prefix), timeout=kw.pop("timeout", 300), **kw)

    # the calls the Assignment List makes ------------------------------------------------
    def assignments(self) -> list[dict]:
        r = self.get(f"{self.server}/assignments", params={"course_id": COURSE})
        r.raise_for_status()
        body = r.json()
        assert body.get("success"), body
        return body["value"]

    def action(self, action: str, assignment: str) -> dict:
        r = self.post(f"{self.server}/assignments/{action}", f"/user/{self.name}",
                      data={"course_id": COURSE, "assignment_id": assignment})
        r.raise_for_status()
        return r.json()

    # the contents API (what the notebook editor uses) --------------------------------------
    def read_notebook(self, path: str) -> dict:
        r = self.get(f"{self.server}/api/contents/{path}", params={"content": "1"})
        r.raise_for_status()
        return r.json()["content"]

    def write_notebook(self, path: str, nb: dict) -> None:
        r = self.s.put(f"{self.server}/api/contents/{path}", json={"type": "notebook", "format": "json", "content": nb},
                       headers=self.xsrf(f"/user/{self.name}"), timeout=60)
        r.raise_for_status()

    # the formgrader service ---------------------------------------------------------------
    @property
    def service(self) -> str:
        return f"{self.hub.url}/services/{COURSE}"

    def open_service(self, path: str = "/formgrader") -> requests.Response:
        return self.get(f"{self.service}{path}")
