"""The zygote's own process: run INSIDE bubblewrap by :mod:`.zygote`, never imported.

It imports once what every grading kernel needs (ipykernel, pandas, numpy, the course
package: about a second of CPU per kernel otherwise), then waits for requests on its standard
input, one JSON object per line. For ``{"op": "spawn", ...}`` it forks; the child (C1) drops
every inherited file descriptor, makes new mount, pid, network, IPC and UTS namespaces and
forks the kernel (C2), which is process 1 of its own pid namespace and builds its own view:

* a private, size-limited tmpfs on ``/tmp``, on its working folder and on ``/dev/shm``
  (nothing of another student's files is visible, nothing reaches the disk); the course's
  read-only folders that live under ``/tmp`` (``keep``) are bound back into it read-only;
* its own runtime folder (connection file and socket files) bound back at the same path,
  so the grader connects to it from outside;
* its own ``/proc`` (its own processes only) and a made-up ``/etc/passwd`` naming its uid;
* then hard rlimits, ``no_new_privs``, ``oom_score_adj`` 1000, a new session, a parent-death
  signal, and a fresh unprivileged uid and gid (which drops every capability) — and only
  then ``ipykernel``.

C1 waits for C2 and exits with its status; the zygote reports ``{"exit": id}`` on its
standard output. When C2 (process 1) dies, Linux kills every process of its namespace.
Everything the zygote holds before a fork is trusted (it has run no student code); each
student gets a copy-on-write copy of it and nothing else.

Example request (one line)::

    {"op": "spawn", "id": "k1", "conn": "/tmp/atx-z-1/k1/kernel.json", "rt": "/tmp/atx-z-1/k1",
     "cwd": "/tmp/arabtexts-kernel-طالب", "uid": 2000000123, "rlimits": "AS=2147483648,...",
     "scratch_bytes": 209715200}
"""
import ctypes
import json
import os
import resource
import select
import signal
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP = 0x20000000, 0x40000000, 0x02000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
FONTS = "/run/arabtexts-fonts"  # matplotlib's font lists, bound read-only by the grader
ETC = "/run/arabtexts-etc"  # each kernel's made-up passwd and group
SETUP_FAILED = 121

_libc = ctypes.CDLL(None, use_errno=True)


def _b(s):
    return None if s is None else os.fsencode(s)


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(src, target, fstype, flags, data=None):
    _check(_libc.mount(_b(src), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)), f"mount {target}")


def bind_ro(src, target):
    mount(src, target, None, MS_BIND)
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def say(obj):
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def preload(modules):
    for name in modules:
        try:
            __import__(name)
        except Exception as exc:  # noqa: BLE001 - the kernel imports it again and reports it
            sys.stderr.write(f"zygote: could not preload {name}: {exc!r}\n")


# ------------------------------------------------------------------ the kernel's own setup (C2)


def loopback_up():
    """The new network namespace has only ``lo``, down: bring it up (as bubblewrap does), so a
    connection to 127.0.0.1 is refused by nobody listening rather than unreachable."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", 0x1 | 0x8 | 0x40))  # SIOCSIFFLAGS: UP|LOOPBACK|RUNNING


def build_view(req):
    """Runs as root in the new namespaces: the kernel's private filesystem view."""
    uid = int(req["uid"])
    loopback_up()
    size = int(req["scratch_bytes"])
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    rt_fd = os.open(req["rt"], os.O_PATH | os.O_DIRECTORY)
    fonts = []
    if os.path.isdir(FONTS):
        fonts = [(name, os.open(os.path.join(FONTS, name), os.O_PATH)) for name in sorted(os.listdir(FONTS))]
    # the course's read-only folders that live under /tmp (a clone in /tmp, a copied data folder)
    # must stay visible through the kernel's own /tmp: held open now, bound back below
    keep = [(p, os.open(p, os.O_PATH)) for p in req.get("keep", []) if p.startswith("/tmp/")]
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for path, fd in keep:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            open(path, "a").close()
        bind_ro(f"/proc/self/fd/{fd}", path)
        os.close(fd)
    os.makedirs(req["rt"], mode=0o755)
    mount(f"/proc/self/fd/{rt_fd}", req["rt"], None, MS_BIND)
    os.close(rt_fd)
    cwd = req["cwd"]
    os.makedirs(cwd, mode=0o755, exist_ok=True)
    mount("tmpfs", cwd, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0700,uid={uid},gid={uid}")
    mpl = "/tmp/matplotlib"
    os.mkdir(mpl)
    os.chmod(mpl, 0o1777)
    for name, fd in fonts:
        target = os.path.join(mpl, name)
        open(target, "w").close()
        bind_ro(f"/proc/self/fd/{fd}", target)
        os.close(fd)
    if os.path.isdir("/dev/shm"):
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=16777216,mode=1777")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", ETC, "tmpfs", MS_NOSUID | MS_NODEV, "size=65536,mode=0755")
    for name, text in (("passwd", f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                                  f"student:x:{uid}:{uid}:student:{cwd}:/usr/sbin/nologin\n"),
                       ("group", f"root:x:0:\nstudent:x:{uid}:\n")):
        path = os.path.join(ETC, name)
        with open(path, "w") as fh:
            fh.write(text)
        os.chmod(path, 0o644)
        bind_ro(path, f"/etc/{name}")
    mount(None, ETC, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=65536,mode=0755")


def confine(req):
    """Limits, then the kernel's own uid: from here on nothing is privileged."""
    uid = int(req["uid"])
    lim = {k: int(v) for k, v in (a.split("=") for a in req["rlimits"].split(","))}
    lim.pop("UID", None)
    os.chdir(req["cwd"])
    os.setsid()
    for name, value in lim.items():
        hard = value + 5 if name == "CPU" else value
        resource.setrlimit(getattr(resource, "RLIMIT_" + name), (value, hard))
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != uid:
        raise SystemExit("could not drop privileges")
    # after the uid change (which clears it): die with C1, hence with the zygote and the grader
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    os.environ["HOME"] = req["cwd"]


def run_kernel(req):
    """C2: process 1 of the new pid namespace (confined), or a plain kernel process (not)."""
    try:
        if req.get("confine", True):
            build_view(req)
            confine(req)
        else:  # --no-sandbox: the grader's rights, like a kernel jupyter_client would start
            os.chdir(req["cwd"])
            os.setsid()
            _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    except BaseException as exc:  # noqa: BLE001 - reported through the runtime folder, then exit
        try:
            with open(os.path.join(req["rt"], "setup-error.txt"), "w") as fh:
                fh.write(f"{exc.__class__.__name__}: {exc}")
        except OSError:
            pass
        os._exit(SETUP_FAILED)
    try:
        import numpy.random

        numpy.random.seed()  # not the zygote's state: fresh entropy, as a new kernel would have
    except Exception:  # noqa: BLE001
        pass
    sys.argv = ["ipykernel_launcher", "-f", req["conn"], "--HistoryManager.enabled=False"]
    code = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001
        code = 1
    os._exit(code)


def child(req):
    """C1: no inherited descriptor, new namespaces, fork the kernel, wait for it; on SIGTERM
    (the zygote's ``kill``) kill the kernel: with it goes its pid namespace, or its process group."""
    try:
        signal.set_wakeup_fd(-1)  # the zygote's wake-up pipe is not the kernel's (its fd is closed below)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1 << 16)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
        if os.getppid() != int(req["zygote"]):
            os._exit(SETUP_FAILED)
        if req.get("confine", True):
            flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
            _check(_libc.unshare(flags), "unshare")
            try:
                _check(_libc.unshare(CLONE_NEWCGROUP), "unshare(cgroup)")
            except OSError:
                pass
        pid = os.fork()
    except BaseException:  # noqa: BLE001
        os._exit(SETUP_FAILED)
    if pid == 0:
        run_kernel(req)
        os._exit(1)

    def stop(*_):
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass

    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


# ------------------------------------------------------------------ the zygote's loop


def main():
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)  # this folder is not a place to import from
    preload([m for m in sys.argv[1].split(",") if m])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a child's exit wakes the loop at once (through this pipe), so the grader hears of it at once
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    children = {}  # C1's pid -> kernel id
    say({"ready": True, "pid": os.getpid(), "threads": len(os.listdir("/proc/self/task"))})
    buf = b""
    while True:
        try:
            readable, _, _ = select.select([0, wake_r], [], [], 1.0)
        except InterruptedError:
            readable = []
        if wake_r in readable:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            kid = children.pop(pid, None)
            if kid is not None:
                say({"exit": kid, "code": os.waitstatus_to_exitcode(status)})
        if 0 not in readable:
            continue
        chunk = os.read(0, 65536)
        if not chunk:  # the grader is gone: so are the kernels (their parent-death signal)
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            try:
                req = json.loads(line)
            except ValueError:
                continue
            if req.get("op") == "spawn":
                req["zygote"] = os.getpid()
                try:
                    pid = os.fork()
                except OSError as exc:
                    say({"id": req.get("id"), "error": str(exc)})
                    continue
                if pid == 0:
                    child(req)
                    os._exit(SETUP_FAILED)
                children[pid] = req.get("id")
                say({"id": req.get("id"), "pid": pid})
            elif req.get("op") == "kill":
                for pid, kid in list(children.items()):
                    if kid == req.get("id"):
                        try:
                            os.kill(pid, signal.SIGTERM)
                        except OSError:
                            pass
                say({"id": req.get("id"), "killed": True})
            elif req.get("op") == "ping":
                say({"id": req.get("id"), "pong": True, "threads": len(os.listdir("/proc/self/task"))})


if __name__ == "__main__":
    main()
