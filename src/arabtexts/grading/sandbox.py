"""Sandboxed Jupyter kernels for running untrusted student code (bubblewrap on Linux).

:func:`kernel_manager` returns a not-yet-started :class:`jupyter_client.KernelManager` whose
``start_kernel()`` launches this Python's ``ipykernel`` inside ``bwrap``:

* **read-only**: the virtual environment (``sys.prefix``) and the base Python it was made
  from, the course package's ``src/``, the ``data/`` folder, ``/usr`` and the few ``/etc``
  files Python and fonts need (a made-up ``/etc/passwd`` with one user, ``student``);
* **writable**: only ``scratch`` (the kernel's working folder and ``HOME``), as a size-limited
  private tmpfs on which the files already in ``scratch`` appear read-only, and a private,
  size-limited ``/tmp``. Nothing written there reaches the disk; all of it vanishes with the
  kernel. Nothing of ``assignments/`` (source, gradebook, submissions, exchange, reports),
  nor the instructor's home, is visible;
* **no network**: new network, pid, ipc, uts and cgroup namespaces (and, when the grader is
  not root, a user namespace that maps only its own uid);
  the kernel's ZeroMQ sockets are Unix-domain (``transport="ipc"``) files in a private runtime
  folder that the grader makes read-only for the kernel once its sockets exist;
* **a clean environment** (``--clearenv``): ``PATH``, ``HOME``, ``LANG``, ``MPLBACKEND=Agg`` …
  and nothing else, so no token or secret of the grader's environment reaches student code
  (even ``bwrap`` itself is started with that small environment);
* **limits** (:class:`Limits`): address space, processes, CPU seconds, file size, core dumps
  off, set as hard limits before ``ipykernel`` starts, and ``oom_score_adj`` 1000 (if memory
  runs out, Linux kills sandboxed processes first). When the grader runs as root the kernel
  runs under a fresh unprivileged uid of its own (``RLIMIT_NPROC`` does not bind uid 0, and a
  uid per kernel keeps one student's fork bomb from starving another's kernel);
* ``--die-with-parent --new-session``: when the kernel is shut down or killed, or the grader
  dies, every process of the sandbox (its pid namespace) dies with it.

``kernel_manager(scratch, sandbox=False)`` gives the same manager unconfined (the trusted
solution kernel, or ``--no-sandbox``). :func:`sandbox_status` says whether the sandbox works
on this machine and, if not, why (macOS, Windows, no ``bwrap``, no user namespaces).

Example (a student's code cannot see the gradebook, and Arabic output is fine)::

    km = kernel_manager(Path("/tmp/work-s1"))
    km.start_kernel()
    kc = km.client(); kc.start_channels(); kc.wait_for_ready()
    kc.execute_interactive("import os; print('بغداد', os.path.exists('/work/main/assignments'))")
    # بغداد False
    kc.stop_channels(); km.shutdown_kernel(now=True)

Note: ``--die-with-parent`` follows the *thread* that started the kernel (Linux's parent
death signal): start and stop a kernel from the same long-lived thread.
"""
from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import AsyncKernelManager, KernelManager
from jupyter_core.utils import run_sync

__all__ = [
    "Limits",
    "SandboxUnavailable",
    "kernel_manager",
    "sandbox_status",
    "bwrap_path",
    "SandboxKernelManager",
    "AsyncSandboxKernelManager",
]

MB = 1024 * 1024
SANDBOX_USER = "student"
_UID_BASE = 2_000_000_000  # fresh uids for kernels when the grader is root (never real users)
_uid_counter = itertools.count(secrets.randbelow(50_000_000))
_SOCKETS = 5  # shell, iopub, stdin, control, heartbeat


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run on this machine; the message says why, in plain words."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel (all hard limits; the kernel cannot raise them)."""

    memory_mb: int = 2048  # address space (RLIMIT_AS) of each process
    processes: int = 64  # processes and threads (RLIMIT_NPROC) beyond those already running
    cpu_seconds: int = 300  # CPU time of each process (RLIMIT_CPU)
    file_size_mb: int = 50  # largest file a process may write (RLIMIT_FSIZE)
    scratch_mb: int = 200  # size of the writable scratch folder, and of the private /tmp


# --------------------------------------------------------------------------------------
# is the sandbox usable here?
# --------------------------------------------------------------------------------------


def bwrap_path() -> str | None:
    """The bubblewrap executable (``$ARABTEXTS_BWRAP``, then ``PATH``, then ``/usr/bin/bwrap``)."""
    env = os.environ.get("ARABTEXTS_BWRAP")
    if env:
        return env if os.access(env, os.X_OK) else None
    found = shutil.which("bwrap")
    if found:
        return found
    return "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None


_status_cache: tuple[bool, str] | None = None


def sandbox_status(*, refresh: bool = False) -> tuple[bool, str]:
    """``(usable, reason)``: whether kernels can be sandboxed on this machine, and why (not).

    The check runs a tiny sandbox exactly as a kernel would get it (same namespaces, same
    uid change when run as root), so "usable" means it really started.

    >>> ok, why = sandbox_status()   # on Linux with bubblewrap: (True, 'bubblewrap 0.8.0 …')
    """
    global _status_cache
    if _status_cache is not None and not refresh:
        return _status_cache
    _status_cache = _probe()
    return _status_cache


def _probe() -> tuple[bool, str]:
    if sys.platform == "darwin":
        return False, ("macOS has no bubblewrap (it needs Linux namespaces): grade on Linux, "
                       "for example on the JupyterHub server or in a Linux virtual machine")
    if os.name == "nt" or sys.platform.startswith(("win", "cygwin")):
        return False, ("Windows has no bubblewrap (it needs Linux namespaces): grade on Linux, "
                       "for example in WSL 2 with `apt install bubblewrap`, or on the JupyterHub server")
    if not sys.platform.startswith("linux"):
        return False, f"the sandbox needs Linux; this is {sys.platform}"
    bwrap = bwrap_path()
    if not bwrap:
        return False, ("bubblewrap is not installed (no `bwrap` command): install it with "
                       "`sudo apt install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap`")
    try:
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bubblewrap ({bwrap}) could not be run: {exc}"
    uid = _kernel_uid()
    cmd = [bwrap, *_namespace_args(uid), "--die-with-parent", "--new-session",
           "--clearenv", *_system_binds(), "--proc", "/proc", "--dev", "/dev",
           "--tmpfs", "/tmp", "--", "/bin/sh", "-c", "exit 0"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=20, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"bubblewrap could not start a sandbox: {exc}"
    if res.returncode != 0:
        err = (res.stderr or "").strip().splitlines()
        detail = err[-1] if err else f"exit code {res.returncode}"
        hint = ""
        if uid is not None:
            hint = (" — as root, bubblewrap creates mount, pid and network namespaces itself: inside a "
                    "container that needs CAP_SYS_ADMIN (e.g. `docker run --cap-add SYS_ADMIN "
                    "--security-opt seccomp=unconfined`), or grade outside the container")
        elif "namespace" in detail.lower() or "permission" in detail.lower():
            hint = (" — this Linux does not allow unprivileged user namespaces (check "
                    "`sysctl kernel.unprivileged_userns_clone` or "
                    "`kernel.apparmor_restrict_unprivileged_userns`), or a container forbids them")
        return False, f"bubblewrap could not start a sandbox: {detail}{hint}"
    problem = _probe_kernel()
    if problem:
        return False, problem
    who = "as a fresh unprivileged uid per kernel" if uid is not None else "as this user"
    return True, f"{version or 'bubblewrap'} at {bwrap}, kernels run {who}, without network"


# What the probe runs in a full kernel sandbox: the kernel's own imports, as the kernel's uid.
_PROBE = """\
import os, sys
if sys.argv[1] != '-':
    uid = int(sys.argv[1]); os.setgroups([]); os.setgid(uid); os.setuid(uid)
import ipykernel, arabtexts.paths
arabtexts.paths.data_dir()
print('ok')
"""


def _probe_kernel() -> str | None:
    """None if a kernel's sandbox can import ipykernel and the course package, else why not."""
    scratch = Path(tempfile.mkdtemp(prefix="atx-probe-"))
    km = SandboxKernelManager()
    km._sbx_setup(scratch, Limits(), False)
    km._sbx_on = True
    try:
        km._sbx_prepare_runtime()
        uid = km._sbx_uid
        cmd = km._sbx_bwrap_cmd([sys.executable, "-c", _PROBE, "-" if uid is None else str(uid)])
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=str(scratch),
                             env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, pass_fds=tuple(km._sbx_fds))
    except (OSError, subprocess.SubprocessError) as exc:
        return f"a sandboxed kernel could not be tried: {exc}"
    finally:
        for fd in km._sbx_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        km._sbx_cleanup_runtime()
        shutil.rmtree(scratch, ignore_errors=True)
    if res.returncode == 0 and res.stdout.strip() == "ok":
        return None
    err = (res.stderr or "").strip().splitlines()
    detail = err[-1] if err else f"exit code {res.returncode}"
    hint = ""
    if uid is not None:
        hint = (" — the kernel runs as an unprivileged uid, so the virtual environment, the Python it "
                f"was made from, src/ and data/ must be readable by all users (chmod -R o+rX {sys.prefix})")
    return f"a sandboxed kernel cannot start: {detail}{hint}"


# --------------------------------------------------------------------------------------
# building the bwrap command
# --------------------------------------------------------------------------------------


def _kernel_uid() -> int | None:
    """A fresh unprivileged uid for one kernel when the grader is root, else None (keep ours)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    return _UID_BASE + next(_uid_counter) % 100_000_000


def _namespace_args(uid: int | None) -> list[str]:
    """Namespaces: all new. As root, bwrap runs privileged (no user namespace) and the kernel's
    first lines drop to ``uid``; otherwise an unprivileged user namespace maps our own uid."""
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if uid is not None:
        return common
    return ["--unshare-user", "--disable-userns", *common]


_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "fonts",
              "alternatives", "mime.types", "locale.alias", "hosts", "host.conf", "os-release",
              "ssl/openssl.cnf", "matplotlibrc", "timezone")


def _system_binds() -> list[str]:
    """Read-only binds of the system pieces Python needs: /usr (+ merged /bin, /lib …) and a few /etc files."""
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/" + top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in _ETC_FILES:
        p = Path("/etc") / name
        if p.exists():
            args += ["--ro-bind", str(p), str(p)]
    return args


def _course_paths() -> list[Path]:
    """Read-only course paths: the venv, its base Python, the package source, the data folder."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix)]
    pkg_src = Path(__file__).resolve().parents[2]  # …/src
    paths.append(pkg_src)
    try:
        from ..paths import data_dir

        paths.append(data_dir())
    except Exception:  # noqa: BLE001 - no data folder: the kernel simply does not get one
        pass
    # the real file behind the interpreter (a venv's python may be a symlink elsewhere)
    paths.append(Path(os.path.realpath(sys.executable)).parent)
    out: list[Path] = []
    for p in paths:
        rp = Path(os.path.realpath(p))
        if rp.exists() and rp != Path("/") and rp not in out:
            out.append(rp)
    # a path inside another one is already bound
    return [p for p in out if not any(q != p and q in p.parents for q in out)]


def _font_caches() -> list[Path]:
    """The grader's matplotlib font lists (``fontlist-v*.json``), if any."""
    base = os.environ.get("MPLCONFIGDIR")
    if base:
        folder = Path(base)
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    try:
        return sorted(p for p in folder.glob("fontlist-v*.json") if p.is_file())[-2:]
    except OSError:
        return []


def _passwd(uid: int, gid: int, home: str) -> bytes:
    return (f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
            f"{SANDBOX_USER}:x:{uid}:{gid}:student:{home}:/usr/sbin/nologin\n").encode()


def _group(gid: int) -> bytes:
    return f"root:x:0:\n{SANDBOX_USER}:x:{gid}:\n".encode()


def kernel_env(scratch: Path, *, sandboxed: bool = True) -> dict[str, str]:
    """The whole environment of a sandboxed kernel: nothing of the grader's, except the locale."""
    lang = os.environ.get("LANG", "")
    if "utf" not in lang.lower().replace("-", ""):
        lang = "C.UTF-8"
    env = {
        "PATH": os.pathsep.join([str(Path(sys.prefix) / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(scratch),
        "USER": SANDBOX_USER,
        "LOGNAME": SANDBOX_USER,
        "LANG": lang,
        "LC_ALL": lang,
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "VIRTUAL_ENV": sys.prefix,
    }
    for key in ("ARABTEXTS_DATA", "ARABTEXTS_ROOT"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


# The kernel's first Python lines, inside the sandbox: hard limits, then ipykernel as `-m` would.
_BOOT = """\
import ctypes, os, resource, runpy, sys
lim = {k: int(v) for k, v in (a.split('=') for a in sys.argv[1].split(','))}
uid = lim.pop('UID', None)
for name, value in lim.items():
    r = getattr(resource, 'RLIMIT_' + name)
    hard = value + 5 if name == 'CPU' else value
    resource.setrlimit(r, (value, hard))
ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
try:  # under memory pressure the kernel (Linux) kills sandboxed processes first
    with open('/proc/self/oom_score_adj', 'w') as f:
        f.write('1000')
except OSError:
    pass
if uid is not None:
    os.setgroups([]); os.setgid(uid); os.setuid(uid)  # drops every capability
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit('could not drop privileges')
sys.argv = ['ipykernel_launcher'] + sys.argv[2:]
runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)
"""


def bwrap_view(*, home: Path, limits: Limits, privileged: bool, also: list[Path]) -> list[str]:
    """The start of every sandbox's bubblewrap command (a kernel's own, or the zygote's): new
    namespaces (a user namespace too unless ``privileged``, i.e. the grader is root), a clean
    environment with ``HOME=home``, the system and the course read-only, new ``/proc`` and
    ``/dev``, a private size-limited ``/tmp``, and the folders leading to the course and to the
    ``also`` paths (readable by the kernel's uid: bubblewrap would make them 0700).

    For example ``bwrap_view(home=Path("/tmp/طالب"), limits=Limits(), privileged=False, also=[])``
    starts with ``bwrap --unshare-user --disable-userns --unshare-pid …``.
    """
    cmd = [bwrap_path() or "bwrap", *_namespace_args(0 if privileged else None),
           "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]
    for k, v in kernel_env(home).items():
        cmd += ["--setenv", k, v]
    cmd += _system_binds()
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--perms", "1777", "--size", str(limits.scratch_mb * MB), "--tmpfs", "/tmp"]
    course = _course_paths()
    parents = sorted({str(a) for p in [*course, *also] for a in p.parents if str(a) not in ("/", "/tmp")})
    for a in parents:
        cmd += ["--perms", "0755", "--dir", a]
    for p in course:
        cmd += ["--ro-bind", str(p), str(p)]
    return cmd


def pids_of_uid(uid: int) -> list[int]:
    """The processes (not zombies already reaped) whose real uid is ``uid``."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            out.append(int(d))
                        break
        except (OSError, ValueError):
            continue
    return out


def _tasks_of_uid(uid: int) -> int:
    """How many processes and threads this uid runs now (RLIMIT_NPROC counts them all)."""
    n = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{d}")
            if st.st_uid == uid:
                n += len(os.listdir(f"/proc/{d}/task"))
        except OSError:
            continue
    return n


def _rlimits(limits: Limits, uid: int | None) -> str:
    nproc = limits.processes
    if uid is None:  # our own uid: RLIMIT_NPROC counts every process we already run
        nproc += _tasks_of_uid(os.getuid())
    vals = {
        "AS": limits.memory_mb * MB,
        "NPROC": nproc,
        "CPU": limits.cpu_seconds,
        "FSIZE": limits.file_size_mb * MB,
        "CORE": 0,
    }
    if uid is not None:
        vals["UID"] = uid
    return ",".join(f"{k}={v}" for k, v in vals.items())


# --------------------------------------------------------------------------------------
# the kernel manager
# --------------------------------------------------------------------------------------


_RUNTIME_DIRS: set[Path] = set()


def remove_runtime(rt: Path) -> None:
    """Remove a kernel's runtime folder, whose socket folder ``s`` may have been sealed."""
    for d in (rt, rt / "s"):
        try:
            os.chmod(d, 0o700)
        except OSError:
            pass
    shutil.rmtree(rt, ignore_errors=True)


@atexit.register
def _remove_runtime_dirs() -> None:
    """Runtime folders of kernels never shut down (the grader crashed): their kernels died with
    the grader (``--die-with-parent``); remove the folders too."""
    for rt in list(_RUNTIME_DIRS):
        remove_runtime(rt)


class _SandboxMixin:
    """Launch ipykernel inside bubblewrap (or unconfined), ZeroMQ over IPC in a private folder."""

    def _sbx_setup(self, scratch: Path, limits: Limits, sandbox: bool) -> None:
        self._sbx_scratch = Path(os.path.abspath(scratch))
        self._sbx_limits = limits
        self._sbx_on = sandbox
        self._sbx_uid: int | None = None
        self._sbx_runtime: Path | None = None
        self._sbx_fds: list[int] = []
        if sandbox:
            ok, why = sandbox_status()
            if not ok:
                raise SandboxUnavailable(f"Student code cannot be sandboxed here: {why}.")

    # ---- runtime folder: connection file + socket files --------------------------------
    def _sbx_prepare_runtime(self) -> None:
        self._sbx_scratch.mkdir(parents=True, exist_ok=True)
        rt = Path(tempfile.mkdtemp(prefix="atx-k-", dir="/tmp" if os.name == "posix" else None))
        _RUNTIME_DIRS.add(rt)
        sockets = rt / "s"
        sockets.mkdir()
        self._sbx_runtime = rt
        if os.name == "nt":  # pragma: no cover - ipc is unix-only
            self.transport = "tcp"
        else:
            self.transport = "ipc"
            self.ip = str(sockets / "k")
        self.connection_file = str(rt / "kernel.json")
        if self._sbx_on:
            self._sbx_uid = _kernel_uid()
            if self._sbx_uid is not None:
                # owned by the grader, group = the kernel's gid: it may create its sockets now,
                # never change the folder's permissions (not its owner)
                os.chmod(rt, 0o750)
                os.chown(rt, 0, self._sbx_uid)
                os.chmod(sockets, 0o770)
                os.chown(sockets, 0, self._sbx_uid)
            else:
                os.chmod(rt, 0o700)

    def write_connection_file(self, **kwargs):  # type: ignore[override]
        super().write_connection_file(**kwargs)  # type: ignore[misc]
        if self._sbx_on and self._sbx_uid is not None and os.path.exists(self.connection_file):
            os.chown(self.connection_file, 0, self._sbx_uid)
            os.chmod(self.connection_file, 0o640)

    # ---- the command ----------------------------------------------------------------------
    def _sbx_inner_cmd(self, extra_arguments: list[str] | None) -> list[str]:
        conn = os.path.realpath(self.connection_file)
        args = ["-f", conn, "--HistoryManager.enabled=False", *(extra_arguments or [])]
        if not self._sbx_on:
            return [sys.executable, "-m", "ipykernel_launcher", *args]
        return [sys.executable, "-c", _BOOT, _rlimits(self._sbx_limits, self._sbx_uid), *args]

    def _sbx_bwrap_cmd(self, inner: list[str]) -> list[str]:
        scratch = str(self._sbx_scratch)
        lim = self._sbx_limits
        assert self._sbx_runtime is not None
        cmd = bwrap_view(home=self._sbx_scratch, limits=lim, privileged=self._sbx_uid is not None,
                         also=[self._sbx_scratch, self._sbx_runtime])
        # made-up passwd/group naming the kernel's user (the real ones are not shown)
        uid = self._sbx_uid if self._sbx_uid is not None else os.getuid()
        gid = self._sbx_uid if self._sbx_uid is not None else os.getgid()
        for name, data in (("passwd", _passwd(uid, gid, scratch)), ("group", _group(gid))):
            r, w = os.pipe()
            os.write(w, data)
            os.close(w)
            self._sbx_fds.append(r)
            cmd += ["--perms", "0644", "--ro-bind-data", str(r), f"/etc/{name}"]
        # scratch: a size-limited tmpfs; what is already in the folder shows through read-only
        cmd += ["--perms", "1777", "--size", str(lim.scratch_mb * MB), "--tmpfs", scratch]
        for entry in sorted(os.listdir(scratch)):
            path = os.path.join(scratch, entry)
            cmd += ["--ro-bind", path, path]
        # matplotlib's font list, read-only: without it every kernel would rebuild it (~0.2 s)
        cmd += ["--perms", "1777", "--dir", "/tmp/matplotlib"]
        for font_list in _font_caches():
            cmd += ["--ro-bind", str(font_list), f"/tmp/matplotlib/{font_list.name}"]
        rt = str(self._sbx_runtime)
        cmd += ["--bind", rt, rt, "--chdir", scratch, "--", *inner]
        return cmd

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        inner = self._sbx_inner_cmd(extra_arguments)
        return self._sbx_bwrap_cmd(inner) if self._sbx_on else inner

    # ---- start ----------------------------------------------------------------------------
    async def _async_pre_start_kernel(self, **kw):  # type: ignore[override]
        self._sbx_cleanup_runtime()
        self._sbx_prepare_runtime()
        return await super()._async_pre_start_kernel(**kw)  # type: ignore[misc]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:  # type: ignore[override]
        kw["cwd"] = str(self._sbx_scratch)
        if self._sbx_on:
            kw["env"] = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw["pass_fds"] = tuple(self._sbx_fds)
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)  # type: ignore[misc]
        finally:
            for fd in self._sbx_fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._sbx_fds = []

    async def _async_post_start_kernel(self, **kw) -> None:  # type: ignore[override]
        if self._sbx_on and self.transport == "ipc":
            await self._sbx_seal_sockets()
        await super()._async_post_start_kernel(**kw)  # type: ignore[misc]

    async def _sbx_seal_sockets(self, timeout: float = 120.0) -> None:
        """Once the kernel has made its socket files, it may write nothing more in that folder."""
        assert self._sbx_runtime is not None
        sockets = self._sbx_runtime / "s"
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            made = [p for p in sockets.iterdir() if stat.S_ISSOCK(p.lstat().st_mode)]
            if len(made) >= _SOCKETS:
                break
            if self.provisioner is not None and await self.provisioner.poll() is not None:
                break  # the kernel died while starting; the client will notice
            await asyncio.sleep(0.02)
        # as root the folder belongs to the grader: the kernel's uid loses write access for good;
        # otherwise the kernel shares our uid and could chmod it back (see docs/grading-security.md)
        os.chmod(sockets, 0o750 if self._sbx_uid is not None else 0o500)

    # ---- interrupt --------------------------------------------------------------------------
    async def _async_interrupt_kernel(self) -> None:  # type: ignore[override]
        """A signal would reach only ``bwrap`` (the kernel is in its own session and pid
        namespace) and stop the whole sandbox: ask the kernel itself, over its control channel."""
        if not self._sbx_on or not self.has_kernel:
            return await super()._async_interrupt_kernel()  # type: ignore[misc]
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    # ---- stop -----------------------------------------------------------------------------
    async def _async_cleanup_resources(self, restart: bool = False) -> None:  # type: ignore[override]
        await super()._async_cleanup_resources(restart=restart)  # type: ignore[misc]
        if not restart:
            self._sbx_cleanup_runtime()
        # the kernel is dead, so the kernel (Linux) is killing its whole pid namespace: wait
        # until it is done, so that "shut down" means "no process of this student left"
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while self.sandbox_pids() and loop.time() < end:
            await asyncio.sleep(0.02)

    def sandbox_pids(self) -> list[int]:
        """Processes still running as this kernel's own uid (only known when the grader is root)."""
        uid = getattr(self, "_sbx_uid", None)
        return [] if uid is None else pids_of_uid(uid)

    def _sbx_cleanup_runtime(self) -> None:
        rt = getattr(self, "_sbx_runtime", None)
        if rt is not None:
            _RUNTIME_DIRS.discard(rt)
            remove_runtime(rt)
            self._sbx_runtime = None

    @property
    def sandboxed(self) -> bool:
        """Whether this manager confines its kernel."""
        return self._sbx_on

    @property
    def kernel_uid(self) -> int | None:
        """The uid the sandboxed kernel runs as (None: the grader's own uid)."""
        return self._sbx_uid


class SandboxKernelManager(_SandboxMixin, KernelManager):
    """A blocking :class:`jupyter_client.KernelManager` whose kernel runs in the sandbox."""

    # jupyter_client binds these public names to its own coroutines: bind them to ours
    interrupt_kernel = run_sync(_SandboxMixin._async_interrupt_kernel)
    cleanup_resources = run_sync(_SandboxMixin._async_cleanup_resources)


class AsyncSandboxKernelManager(_SandboxMixin, AsyncKernelManager):
    """The same for asyncio callers (``await km.start_kernel()``)."""

    interrupt_kernel = _SandboxMixin._async_interrupt_kernel  # type: ignore[assignment]
    cleanup_resources = _SandboxMixin._async_cleanup_resources  # type: ignore[assignment]


def kernel_manager(scratch: str | os.PathLike, *, limits: Limits = Limits(), sandbox: bool = True,
                   asynchronous: bool = False, **kwargs) -> KernelManager:
    """A not-yet-started kernel manager for one student's code, in ``scratch`` (its working folder).

    ``sandbox=True`` raises :class:`SandboxUnavailable` (with the reason) where the sandbox
    cannot run; ``sandbox=False`` gives the same manager unconfined, for trusted code.
    ``asynchronous=True`` returns an :class:`AsyncKernelManager` subclass (e.g. for nbclient);
    other keyword arguments go to the manager (e.g. ``kernel_name``).

    For example ``kernel_manager("/tmp/grading/طالب-1", limits=Limits(memory_mb=1024))``, then
    ``start_kernel()``: the kernel's working folder is ``/tmp/grading/طالب-1``, a private tmpfs.

    >>> Limits(memory_mb=1024).processes
    64
    """
    cls = AsyncSandboxKernelManager if asynchronous else SandboxKernelManager
    km = cls(**kwargs)
    km._sbx_setup(Path(scratch), limits, sandbox)
    return km
