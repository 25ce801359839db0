#!/usr/bin/env python3
"""One command for a class on one Linux server: install the hub, create the accounts, start it.

Run as root on a machine (VM, lab server) that has Python ≥ 3.11 and Node.js/npm::

    sudo python3 deploy/jupyterhub/install_hub.py --roster class.csv
    sudo python3 deploy/jupyterhub/install_hub.py --roster class.csv --port 8000 --no-start

What it does, in order (every step can be re-run: nothing that exists is overwritten):

1. copies the course (``src/ data/ notebooks/ assignments/`` …) to ``PREFIX/course`` (root-owned,
   read-only for everybody else) and installs it, with jupyterhub from PyPI, in the shared
   environment ``PREFIX/env`` — every user's Python and kernel;
2. installs configurable-http-proxy from npm into ``PREFIX/proxy`` (``npm ci``, never globally);
3. creates one Unix account per roster line (students and instructors, real passwords: the
   roster's ``password`` column or a generated one written to ``PREFIX/hub/initial-passwords.csv``,
   readable by root only) and the grader account ``grader-arabtexts``, which owns the course
   directory ``~grader-arabtexts/arabtexts`` (gradebook, source, submissions: mode 700);
4. prepares nbgrader's exchange ``PREFIX/exchange`` with nbgrader's own permissions (inbound
   write-only for students) and makes every submission readable by its student and the grader
   only (see ``arabtexts_hub_exchange.py``);
5. imports the roster's students into the gradebook (``nbgrader db student import``);
6. writes ``PREFIX/hub/settings.json`` and starts JupyterHub with ``jupyterhub_config.py``.

Roster CSV (UTF-8, header line): ``id,first_name,last_name,email[,role][,password]``; ``id`` is the
login name (a valid Unix name such as ``sara.ali`` → use ``sara_ali``); ``role`` is ``student``
(default) or ``instructor``. Example: ``roster.example.csv``.

Example of a roster line with an Arabic name::

    s_karim,كريم,الجبوري,karim@example.edu,student,
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import grp
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
COURSE_ID = "arabtexts"
GRADER = f"grader-{COURSE_ID}"
# what of the repository a class needs (the rest — tests, benchmarks, .git — stays out)
COURSE_PARTS = ("src", "data", "notebooks", "assignments", "deploy", "pyproject.toml",
                "README.md", "LICENSE", "requirements.txt")
ASSIGNMENT_PARTS = ("source", "selfcheck", "nbgrader_config.py", "README.md")
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
# the hub's version is pinned: the config is tested against it
JUPYTERHUB = "jupyterhub==6.1.1"


class RosterError(ValueError):
    """A roster that cannot be used as it is (the message says which line and why)."""


@dataclass(frozen=True)
class Person:
    id: str
    first_name: str
    last_name: str
    email: str
    role: str = "student"
    password: str = ""


def say(msg: str) -> None:
    print(f"[hub] {msg}", flush=True)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


# --------------------------------------------------------------------------------------
# roster
# --------------------------------------------------------------------------------------
def read_roster(path: str | os.PathLike) -> list[Person]:
    """Read and check a roster CSV; raise :class:`RosterError` naming the bad line.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("id,first_name,last_name,email\\ns_karim,كريم,الجبوري,k@example.edu\\n", encoding="utf-8")
    >>> read_roster(p)[0].last_name
    'الجبوري'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(f"cannot read the roster {path}: {e}") from e
    rows = list(csv.DictReader(text.splitlines()))
    need = {"id", "first_name", "last_name", "email"}
    if not rows:
        raise RosterError(f"the roster {path} has no lines after its header")
    missing = need - set(rows[0])
    if missing:
        raise RosterError(f"the roster {path} lacks the column(s) {', '.join(sorted(missing))}; "
                          "expected id,first_name,last_name,email[,role][,password]")
    people, seen = [], set()
    for n, row in enumerate(rows, start=2):
        pid = (row.get("id") or "").strip()
        if not UNIX_NAME.match(pid):
            raise RosterError(f"{path}, line {n}: id {pid!r} is not a valid login name "
                              "(lower-case letters, digits, _ and -, starting with a letter)")
        if pid in seen or pid == GRADER:
            raise RosterError(f"{path}, line {n}: id {pid!r} is used twice or reserved")
        role = (row.get("role") or "student").strip() or "student"
        if role not in ("student", "instructor"):
            raise RosterError(f"{path}, line {n}: role {role!r} must be student or instructor")
        seen.add(pid)
        people.append(Person(pid, (row.get("first_name") or "").strip(),
                             (row.get("last_name") or "").strip(), (row.get("email") or "").strip(),
                             role, (row.get("password") or "").strip()))
    return people


# --------------------------------------------------------------------------------------
# the shared environment
# --------------------------------------------------------------------------------------
def usable_by_everyone(python: str) -> bool:
    """True when an unprivileged account (``nobody``) can run this Python."""
    try:
        r = subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", "import sys, venv"],
                           capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def choose_python(wanted: str | None) -> str:
    """The Python the shared environment is made from: it must be runnable by every account
    (a Python under ``/root``, e.g. pyenv's, is not)."""
    candidates = [wanted] if wanted else [getattr(sys, "_base_executable", sys.executable),
                                          "/usr/bin/python3", "/usr/local/bin/python3"]
    for py in candidates:
        if py and Path(py).exists() and usable_by_everyone(py):
            out = subprocess.run([py, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                                 capture_output=True, text=True)
            if out.stdout.strip() == "True":
                return py
    raise SystemExit("No Python ≥ 3.11 that every account can run was found "
                     f"(tried {', '.join(c for c in candidates if c)}); pass --python.")


def copy_course(prefix: Path) -> Path:
    dest = prefix / "course"
    dest.mkdir(parents=True, exist_ok=True)
    # assignments/source holds the solutions: it goes to the grader's private course directory,
    # never to this copy that every account can read
    ignore = shutil.ignore_patterns("node_modules", "__pycache__", "*.pyc", ".ipynb_checkpoints",
                                    "*.egg-info", "exchange", "gradebook.db", "release", "source",
                                    "submitted", "autograded", "feedback", "grading-logs")
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=ignore, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def _merge_json(path: Path, update: dict) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def merge(a, b):
        for k, v in b.items():
            a[k] = merge(a.get(k, {}), v) if isinstance(v, dict) else v
        return a

    path.write_text(json.dumps(merge(data, update), indent=2), encoding="utf-8")


def install_env(prefix: Path, course: Path, python: str, extra_pip: list[str]) -> Path:
    env = prefix / "env"
    if not (env / "bin" / "python").exists():
        run([python, "-m", "venv", env])
    pip = [env / "bin" / "python", "-m", "pip", "install", "--quiet", *extra_pip]
    run(pip + [JUPYTERHUB, "-e", course])
    # the Assignment List for everybody; the formgrader, the assignment creator and the course
    # list only in the grader's service (enabled on its command line): students' servers never
    # load them. Written as the files `jupyter server extension disable --sys-prefix` and
    # `jupyter labextension disable --level=sys_prefix` would write (those take minutes on a
    # busy machine).
    etc = env / "etc" / "jupyter"
    (etc / "labconfig").mkdir(parents=True, exist_ok=True)
    _merge_json(etc / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}})
    _merge_json(etc / "labconfig" / "page_config.json",
                {"disabledExtensions": {p: True for p in ("@jupyter/nbgrader:formgrader",
                                                          "@jupyter/nbgrader:create-assignment",
                                                          "@jupyter/nbgrader:course-list")}})
    site = Path(subprocess.run([env / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    shutil.copy2(HERE / "arabtexts_hub_exchange.py", site / "arabtexts_hub_exchange.py")
    return env


def install_proxy(prefix: Path) -> Path:
    dest = prefix / "proxy"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / name, dest / name)
    chp = dest / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        local = HERE / "node_modules"
        if (local / ".bin" / "configurable-http-proxy").exists():
            shutil.copytree(local, dest / "node_modules", symlinks=True, dirs_exist_ok=True)
        else:
            run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=dest)
    return chp


def write_nbgrader_config(env: Path, exchange: Path) -> None:
    """nbgrader's settings for every account (students' Assignment List and Validate)."""
    etc = env / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "nbgrader_config.py").write_text(f'''"""Written by install_hub.py: nbgrader for every account of the hub."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{COURSE_ID}"
c.Exchange.root = "{exchange}"
c.Exchange.path_includes_course = False
# submissions readable by their student and the grader only (nbgrader's default: by anyone
# who learns the folder's name)
c.ExchangeFactory.submit = "arabtexts_hub_exchange.PrivateExchangeSubmit"
''', encoding="utf-8")


# --------------------------------------------------------------------------------------
# accounts, exchange, grader's course
# --------------------------------------------------------------------------------------
def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def create_accounts(people: list[Person], prefix: Path) -> dict[str, str]:
    """One Unix account per person (home 700); returns the passwords that were generated."""
    generated = {}
    for p in people:
        if user_exists(p.id):
            say(f"account {p.id} exists: kept, password unchanged")
            continue
        run(["useradd", "--create-home", "--shell", "/bin/bash",
             "--comment", f"{p.first_name} {p.last_name}".strip(), p.id])
        os.chmod(pwd.getpwnam(p.id).pw_dir, 0o700)
        password = p.password or secrets.token_urlsafe(12)
        if not p.password:
            generated[p.id] = password
        subprocess.run(["chpasswd"], input=f"{p.id}:{password}\n", text=True, check=True)
    if generated:
        hub = prefix / "hub"
        hub.mkdir(mode=0o700, parents=True, exist_ok=True)
        out = hub / "initial-passwords.csv"
        with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8") as fh:
            for k, v in generated.items():
                fh.write(f"{k},{v}\n")
        say(f"generated passwords written to {out} (root only): hand them out, then delete it")
    return generated


def create_grader(course: Path, exchange: Path, env: Path) -> Path:
    """The grader account and its course directory (nbgrader's 'one class, one grader')."""
    if not user_exists(GRADER):
        run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", "--comment",
             f"nbgrader grader of {COURSE_ID}", GRADER])
    pw = pwd.getpwnam(GRADER)
    home = Path(pw.pw_dir)
    os.chmod(home, 0o700)
    course_dir = home / COURSE_ID
    course_dir.mkdir(exist_ok=True)
    for part in ASSIGNMENT_PARTS:
        src = REPO / "assignments" / part
        dst = course_dir / part
        if dst.exists():
            continue  # the instructor's edits are theirs
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.exists():
            shutil.copy2(src, dst)
    # the exchange: nbgrader wants its root writable by all (students' submit checks it); the
    # sticky bit and the grader's own <course>/ folder, made here before anyone else can, keep
    # students from squatting or deleting; nbgrader's release then makes outbound/ 0755,
    # inbound/ 2733 (write-only) and feedback/ 0711 inside it
    (exchange / COURSE_ID).mkdir(parents=True, exist_ok=True)
    for path in [course_dir, *course_dir.rglob("*"), exchange, exchange / COURSE_ID]:
        os.chown(path, pw.pw_uid, pw.pw_gid, follow_symlinks=False)
    os.chmod(exchange, 0o1777)
    os.chmod(exchange / COURSE_ID, 0o755)
    return course_dir


def as_grader(cmd, course_dir: Path, env: Path, exchange: Path, **kw):
    path = f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    return run(["runuser", "-u", GRADER, "--", "env", f"PATH={path}", f"HOME={pwd.getpwnam(GRADER).pw_dir}",
                f"ARABTEXTS_EXCHANGE={exchange}", *cmd], cwd=course_dir, **kw)


def import_roster(people: list[Person], course_dir: Path, env: Path, exchange: Path) -> None:
    students = [p for p in people if p.role == "student"]
    if not students:
        return
    tmp = course_dir / ".roster-import.csv"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "first_name", "last_name", "email"])
        for p in students:
            w.writerow([p.id, p.first_name, p.last_name, p.email])
    pw = pwd.getpwnam(GRADER)
    os.chown(tmp, pw.pw_uid, pw.pw_gid)
    try:
        as_grader(["nbgrader", "db", "student", "import", tmp.name], course_dir, env, exchange,
                  capture_output=True)
    finally:
        tmp.unlink(missing_ok=True)


def write_settings(prefix: Path, people: list[Person], a, course_dir: Path, chp: Path,
                   env: Path, exchange: Path) -> Path:
    hub = prefix / "hub"
    hub.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(hub, 0o700)
    settings = {
        "course_id": COURSE_ID,
        "prefix": str(prefix),
        "env": str(env),
        "course": str(prefix / "course"),
        "exchange": str(exchange),
        "grader": GRADER,
        "grader_course_dir": str(course_dir),
        "proxy": str(chp),
        "state": str(hub),
        "ip": a.ip,
        "port": a.port,
        "hub_port": a.hub_port,
        "proxy_api_port": a.proxy_api_port,
        "service_port": a.service_port,
        "instructors": [p.id for p in people if p.role == "instructor"],
        "students": [p.id for p in people if p.role == "student"],
    }
    path = hub / "settings.json"
    path.write_text(json.dumps(settings, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def hub_command(prefix: Path) -> tuple[list[str], dict]:
    """How to start the hub of an installed ``prefix`` (also used by the tests)."""
    settings = prefix / "hub" / "settings.json"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["ARABTEXTS_HUB_SETTINGS"] = str(settings)
    env["PATH"] = f"{prefix / 'env' / 'bin'}:" + env.get("PATH", "/usr/bin:/bin")
    cfg = prefix / "course" / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    return [str(prefix / "env" / "bin" / "jupyterhub"), "-f", str(cfg)], env


def remove(prefix: Path, people: list[Person]) -> None:
    """Undo an installation: the roster's accounts (and homes), the grader, the prefix."""
    for name in [p.id for p in people] + [GRADER]:
        if user_exists(name):
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        try:
            grp.getgrnam(name)
            subprocess.run(["groupdel", name], capture_output=True)
        except KeyError:
            pass
    shutil.rmtree(prefix, ignore_errors=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--roster", required=True, help="CSV: id,first_name,last_name,email[,role][,password]")
    p.add_argument("--prefix", default="/opt/arabtexts", help="where the course, environment, exchange and hub state go")
    p.add_argument("--python", default=None, help="Python ≥ 3.11 runnable by every account (default: found)")
    p.add_argument("--ip", default="", help="address the hub listens on (default: all)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--hub-port", type=int, default=8081)
    p.add_argument("--proxy-api-port", type=int, default=8001)
    p.add_argument("--service-port", type=int, default=9999, help="the grader's formgrader service (127.0.0.1)")
    p.add_argument("--pip-arg", action="append", default=[], help="extra argument for pip (repeatable)")
    p.add_argument("--no-start", action="store_true", help="install only")
    p.add_argument("--remove", action="store_true", help="remove the roster's accounts, the grader and the prefix")
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run as root (sudo): the hub creates accounts and starts servers as them")
    try:
        people = read_roster(a.roster)
    except RosterError as e:
        raise SystemExit(str(e))
    prefix = Path(a.prefix).resolve()
    if a.remove:
        remove(prefix, people)
        say(f"removed {len(people)} accounts, {GRADER} and {prefix}")
        return 0
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    course = copy_course(prefix)
    env = install_env(prefix, course, choose_python(a.python), a.pip_arg)
    chp = install_proxy(prefix)
    exchange = prefix / "exchange"
    write_nbgrader_config(env, exchange)
    create_accounts(people, prefix)
    course_dir = create_grader(course, exchange, env)
    import_roster(people, course_dir, env, exchange)
    write_settings(prefix, people, a, course_dir, chp, env, exchange)
    cmd, hub_env = hub_command(prefix)
    if a.no_start:
        say("installed; start the hub with:  " + f"ARABTEXTS_HUB_SETTINGS={prefix}/hub/settings.json " + " ".join(cmd))
        return 0
    say(f"starting JupyterHub on port {a.port}")
    os.chdir(prefix / "hub")
    os.execve(cmd[0], cmd, hub_env)
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
