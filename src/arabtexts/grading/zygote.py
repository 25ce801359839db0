"""Sandboxed kernels forked from a warm zygote: the same confinement, a second less per student.

Starting a grading kernel costs about a second of CPU before the student's first cell: Python,
``ipykernel``, ``pandas`` and the course package are imported afresh every time. A class of
300 pays that 300 times. The zygote pays it once: one process, started inside bubblewrap like
any kernel (read-only course, no network, clean environment; :mod:`.sandbox`), imports all
of it and then forks one kernel per student. Each fork makes its own namespaces before it runs
anything of the student's (:mod:`._zygote_server`): its own private ``/tmp``, working folder
and ``/dev/shm``, its own ``/proc`` and pid namespace (it is process 1: when it dies, every
process it left dies with it), its own network and IPC namespaces, hard rlimits,
``no_new_privs`` and a fresh unprivileged uid. Kernels are never reused: a student's kernel
starts from the zygote's state, which has run no student code, never from another student's.

The zygote needs the rights bubblewrap has when the grader runs as root (new mount and pid
namespaces for each kernel, a uid per kernel). :func:`zygote_status` says whether it works
here; where it does not (an ordinary user, a container without ``CAP_SYS_ADMIN``), grading
starts one bubblewrap per kernel instead (:func:`.sandbox.kernel_manager`), which is as safe
and a little slower.

:class:`ZygoteKernelManager` offers the part of :class:`jupyter_client.KernelManager` the
grader uses (``start_kernel``, ``client``, ``is_alive``, ``interrupt_kernel``,
``shutdown_kernel``, ``kill_kernel``, ``cleanup_resources``). Example::

    with Zygote() as z:
        km = z.kernel_manager(Path("/tmp/grading/طالب-1"))
        km.start_kernel()
        kc = km.client(); kc.start_channels(); kc.wait_for_ready()
        kc.execute_interactive("print('بغداد')")   # بغداد
        km.shutdown_kernel(now=True); km.cleanup_resources()
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import sandbox as sb

#: what the zygote imports once for every kernel (the grader's warm-up imports, and ipykernel)
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython",
           "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
           "IPython.extensions.storemagic", "tornado.platform.asyncio", "tornado.queues", "tornado.locks",
           "encodings.idna", "http.server", "pandas", "numpy",
           "arabtexts.corpus", "arabtexts.normalize", "arabtexts.tokenize")
SERVER = Path(__file__).with_name("_zygote_server.py")
SETUP_FAILED = 121


class ZygoteUnavailable(RuntimeError):
    """The zygote cannot run here (the message says why); grading uses one bubblewrap per kernel."""


def zygote_supported() -> tuple[bool, str]:
    """Whether this machine can fork sandboxed kernels from a zygote, before trying it."""
    if not sys.platform.startswith("linux"):
        return False, "the zygote needs Linux"
    if os.geteuid() != 0:
        return False, "the zygote needs the grader to run as root (a uid and mount namespace per kernel)"
    ok, why = sb.sandbox_status()
    if not ok:
        return False, why
    return True, "bubblewrap as root"


class Zygote:
    """One warm zygote process in bubblewrap; forks one sandboxed kernel per request."""

    def __init__(self, *, sandbox: bool = True, limits: sb.Limits = sb.Limits(), start_timeout: float = 120.0):
        if sandbox:
            ok, why = zygote_supported()
            if not ok:
                raise ZygoteUnavailable(why)
        elif not sys.platform.startswith("linux"):
            raise ZygoteUnavailable("the zygote needs Linux")
        self.sandbox = sandbox
        self.limits = limits
        # what the zygote's view binds read-only (the course, venv, data): each fork keeps it
        self.keep = [str(p) for p in sb._course_paths()]
        self.root = Path(tempfile.mkdtemp(prefix="atx-z-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        sb._RUNTIME_DIRS.add(self.root)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._replies: dict[str, queue.Queue] = {}
        self._owner: dict[str, subprocess.Popen] = {}  # kernel id -> the zygote process that forked it
        self.exits: dict[str, int] = {}
        self._exited = threading.Condition()
        self.log = open(self.root / "zygote.log", "w+b")
        self._start_lock = threading.Lock()
        self._closed = False
        self.restarts = 0
        self._launch(start_timeout)

    def _launch(self, start_timeout: float) -> None:
        if self.sandbox:
            cmd = self._bwrap_cmd()
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        else:  # --no-sandbox: the grader's rights and environment, as jupyter_client would give
            self._pass_fds = []
            cmd = [sys.executable, str(SERVER), ",".join(PRELOAD)]
            env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
            env.update(NBGRADER_EXECUTION="autograde", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                       MKL_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     env=env, cwd="/", pass_fds=tuple(self._pass_fds), close_fds=True)
        for fd in self._pass_fds:
            os.close(fd)
        first = self._read_line(start_timeout)
        if not first or not first.get("ready"):
            self.close()
            raise ZygoteUnavailable(f"the zygote did not start: {self._log_tail() or 'no message'}")
        self.pid = first.get("pid")
        self.threads = first.get("threads")
        self._reader = threading.Thread(target=self._read_loop, args=(self.proc,), daemon=True)
        self._reader.start()

    def _ensure_running(self) -> None:
        """A zygote that died (killed from outside: no kernel can reach it) is started again, so
        the rest of the batch still gets kernels; ``restarts`` counts it."""
        with self._start_lock:
            if self._closed or self.proc.poll() is None:
                return
            self.restarts += 1
            self._launch(120.0)

    # ---- the command ----------------------------------------------------------------------
    def _bwrap_cmd(self) -> list[str]:
        self._pass_fds: list[int] = []
        # the view of a kernel's own bubblewrap (as root), without the kernel's own parts: those
        # (working folder, /tmp, /dev/shm, /proc, passwd, uid) each fork makes for itself
        cmd = sb.bwrap_view(home=Path("/nonexistent"), limits=self.limits, privileged=True, also=[self.root])
        # made-up passwd and group (each kernel binds its own over them); real files, since
        # bubblewrap's --ro-bind-data files cannot be mounted over
        for name, data in (("passwd", "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"), ("group", "root:x:0:\n")):
            path = self.root / f"etc-{name}"
            path.write_text(data, encoding="ascii")
            os.chmod(path, 0o644)
            cmd += ["--ro-bind", str(path), f"/etc/{name}"]
        cmd += ["--perms", "0755", "--dir", "/run/arabtexts-fonts", "--perms", "0755", "--dir", "/run/arabtexts-etc"]
        for font_list in sb._font_caches():
            cmd += ["--ro-bind", str(font_list), f"/run/arabtexts-fonts/{font_list.name}"]
        cmd += ["--bind", str(self.root), str(self.root), "--chdir", "/", "--",
                sys.executable, str(SERVER), ",".join(PRELOAD)]
        return cmd

    # ---- talking to the zygote ------------------------------------------------------------
    def _read_line(self, timeout: float):
        assert self.proc.stdout is not None
        import select

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                line = self.proc.stdout.readline()
                if not line:
                    return None
                try:
                    return json.loads(line)
                except ValueError:
                    continue
            if self.proc.poll() is not None:
                return None
        return None

    def _read_loop(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if "exit" in msg:
                with self._exited:
                    self.exits[str(msg["exit"])] = int(msg.get("code", 1))
                    self._exited.notify_all()
            elif "id" in msg and str(msg["id"]) in self._replies:
                self._replies[str(msg["id"])].put(msg)
        with self._exited:  # this zygote is gone: so is every kernel it forked
            for kid in list(self._replies):
                if self._owner.get(kid) is proc:
                    self.exits.setdefault(kid, -1)
            self._exited.notify_all()

    def request(self, msg: dict, timeout: float = 30.0) -> dict:
        kid = str(msg["id"])
        q: queue.Queue = queue.Queue()
        self._replies[kid] = q
        self._owner.setdefault(kid, self.proc)
        data = (json.dumps(msg) + "\n").encode()
        with self._lock:
            if self.proc.poll() is not None or self.proc.stdin is None:
                raise RuntimeError(f"the zygote has stopped: {self._log_tail()}")
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        try:
            return q.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError("the zygote did not answer") from None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exited(self, kid: str) -> bool:
        with self._exited:
            return kid in self.exits

    def wait_exit(self, kid: str, timeout: float) -> bool:
        with self._exited:
            return self._exited.wait_for(lambda: kid in self.exits, timeout=timeout)

    def _log_tail(self) -> str:
        try:
            self.log.flush()
            self.log.seek(0)
            lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
            return lines[-1] if lines else ""
        except (OSError, ValueError):
            return ""

    def new_id(self) -> str:
        return f"k{next(self._ids)}"

    def kernel_manager(self, scratch, **_ignored) -> "ZygoteKernelManager":
        """A not-yet-started manager for one student's kernel (the factory of :mod:`.execute`)."""
        self._ensure_running()
        return ZygoteKernelManager(self, Path(scratch))

    __call__ = kernel_manager

    def close(self) -> None:
        self._closed = True
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            self.log.close()
        except OSError:
            pass
        sb._RUNTIME_DIRS.discard(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ZygoteKernelManager:
    """One student's kernel, forked by a :class:`Zygote`; the part of KernelManager the grader uses."""

    def __init__(self, zygote: Zygote, scratch: Path):
        self.zygote = zygote
        self.sandboxed = zygote.sandbox
        self.scratch = Path(os.path.abspath(scratch))
        self._arabtexts_cwd = str(self.scratch)
        self.id = zygote.new_id()
        self.kernel_uid: int | None = sb._kernel_uid() if zygote.sandbox else None
        self.runtime = zygote.root / self.id
        self.connection_file = str(self.runtime / "kernel.json")
        self.transport = "ipc"
        self.ip = str(self.runtime / "s" / "k")
        self.has_kernel = False
        self._info: dict | None = None

    # ---- start ----------------------------------------------------------------------------
    def start_kernel(self, **_ignored) -> None:
        from jupyter_client.connect import write_connection_file

        uid = self.kernel_uid
        rt, sockets = self.runtime, self.runtime / "s"
        rt.mkdir(mode=0o700)
        sockets.mkdir(mode=0o700)
        if uid is not None:
            # owned by the grader, group = the kernel's: it may make its sockets, never chmod them
            os.chmod(rt, 0o750)
            os.chown(rt, 0, uid)
            os.chmod(sockets, 0o770)
            os.chown(sockets, 0, uid)
        fname, info = write_connection_file(self.connection_file, transport="ipc", ip=self.ip,
                                            key=secrets.token_hex(32).encode(), kernel_name="python3")
        if uid is not None:
            os.chown(fname, 0, uid)
            os.chmod(fname, 0o640)
        self._info = info
        req = {"op": "spawn", "id": self.id, "conn": fname, "rt": str(rt), "cwd": str(self.scratch),
               "confine": self.sandboxed, "keep": self.zygote.keep}
        if self.sandboxed:
            req.update(uid=uid, rlimits=sb._rlimits(self.zygote.limits, uid),
                       scratch_bytes=self.zygote.limits.scratch_mb * sb.MB)
        else:
            self.scratch.mkdir(parents=True, exist_ok=True)
        reply = self.zygote.request(req)
        if "error" in reply:
            raise RuntimeError(f"the zygote could not fork a kernel: {reply['error']}")
        self.has_kernel = True
        if self.sandboxed:
            self._seal_sockets()

    def _seal_sockets(self, timeout: float = 120.0) -> None:
        """Once the kernel has made its socket files, it may write nothing more in that folder."""
        sockets = self.runtime / "s"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                made = [p for p in sockets.iterdir() if stat.S_ISSOCK(p.lstat().st_mode)]
            except OSError:
                made = []
            if len(made) >= sb._SOCKETS:
                break
            if self.zygote.exited(self.id):
                why = self.setup_error()
                raise RuntimeError(f"the sandboxed kernel stopped while starting{': ' + why if why else ''}")
            time.sleep(0.01)
        os.chmod(sockets, 0o750 if self.kernel_uid is not None else 0o500)

    def setup_error(self) -> str:
        try:
            return (self.runtime / "setup-error.txt").read_text(encoding="utf-8", errors="replace")[:500]
        except OSError:
            return ""

    def client(self):
        from jupyter_client import BlockingKernelClient

        kc = BlockingKernelClient()
        kc.load_connection_info(self._info or {})
        return kc

    # ---- state and signals ----------------------------------------------------------------
    def is_alive(self) -> bool:
        return self.has_kernel and not self.zygote.exited(self.id)

    def interrupt_kernel(self) -> None:
        """Ask the kernel over its control channel (a signal from here would need its pid)."""
        from jupyter_client.session import Session

        if not self.is_alive() or self._info is None:
            return
        import zmq

        key = self._info["key"]
        session = Session(key=key.encode() if isinstance(key, str) else key, signature_scheme=self._info.get("signature_scheme", "hmac-sha256"))
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 1000
        try:
            sock.connect(f"ipc://{self._info['ip']}-{self._info['control_port']}")
            session.send(sock, session.msg("interrupt_request", content={}))
        finally:
            sock.close()

    def sandbox_pids(self) -> list[int]:
        """Processes still running as this kernel's uid."""
        return [] if self.kernel_uid is None else sb.pids_of_uid(self.kernel_uid)

    def kill_kernel(self) -> None:
        """The kernel (process 1 of its namespace: every process of it goes too), then any
        process left with the kernel's uid."""
        if self.has_kernel and self.zygote.alive() and not self.zygote.exited(self.id):
            try:
                self.zygote.request({"op": "kill", "id": self.id}, timeout=10)
            except RuntimeError:
                pass
        for _ in range(3):
            pids = self.sandbox_pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def shutdown_kernel(self, now: bool = True, restart: bool = False) -> None:
        if not self.has_kernel:
            return
        self.kill_kernel()
        self.zygote.wait_exit(self.id, timeout=10)
        end = time.monotonic() + 10
        while self.sandbox_pids() and time.monotonic() < end:
            self.kill_kernel()
            time.sleep(0.02)
        self.has_kernel = False

    def cleanup_resources(self, restart: bool = False) -> None:
        sb.remove_runtime(self.runtime)
