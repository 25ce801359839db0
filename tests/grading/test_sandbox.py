"""The grading sandbox (``arabtexts.grading.sandbox``): what a student's kernel can and cannot do.

Each test runs real code in a real sandboxed ipykernel and checks the effect from outside
(the grader's side): files unchanged, server never contacted, no process left, the grader's
secret absent. Without bubblewrap the tests skip, unless ``ARABTEXTS_REQUIRE_SANDBOX=1``
(CI), where a missing sandbox fails them.
"""
from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from arabtexts.grading import sandbox as sb

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = "ARABTEXTS_TEST_SECRET"
SECRET = "grader-secret-" + uuid.uuid4().hex


def _require_sandbox() -> None:
    ok, why = sb.sandbox_status()
    if ok:
        return
    if os.environ.get("ARABTEXTS_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"ARABTEXTS_REQUIRE_SANDBOX=1 but the sandbox is unavailable: {why}")
    pytest.skip(f"no sandbox here: {why}")


class Kernel:
    """A started kernel with a blocking client and a helper to run code and collect what it said.
    With ``zygote``: forked by that :class:`~arabtexts.grading.zygote.Zygote` (what a batch uses
    as root) instead of a bubblewrap of its own."""

    def __init__(self, scratch: Path, zygote=None, **kw):
        self.mode = "zygote" if zygote is not None else "bwrap"
        self.km = zygote.kernel_manager(scratch) if zygote is not None else sb.kernel_manager(scratch, **kw)
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 60) -> tuple[str, str, str]:
        """(status, stdout text, error name + value) of one execution."""
        out: list[str] = []
        err: list[str] = []

        def hook(msg):
            c = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(c["text"])
            elif msg["msg_type"] == "error":
                err.append(f"{c['ename']}: {c['evalue']}")

        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        return reply["content"]["status"], "".join(out), "".join(err)

    def value(self, expr: str):
        status, out, err = self.run(f"print(repr({expr}))")
        assert status == "ok", err
        import ast

        return ast.literal_eval(out.strip())

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def planted_secret():
    old = os.environ.get(SECRET_NAME)
    os.environ[SECRET_NAME] = SECRET
    yield SECRET
    if old is None:
        os.environ.pop(SECRET_NAME, None)
    else:
        os.environ[SECRET_NAME] = old


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("sandbox")
    s = base / "student-a"
    s.mkdir()
    (s / "given.txt").write_text("نص الطالب", encoding="utf-8")
    other = base / "student-b"
    other.mkdir()
    (other / "answers.txt").write_text("another student's answers", encoding="utf-8")
    return s


def _zygote(planted_secret, **kw):
    """A sandboxed zygote, or skip where it cannot run (not root); CI (root) requires it."""
    _require_sandbox()
    from arabtexts.grading.zygote import Zygote, zygote_supported

    ok, why = zygote_supported()
    if not ok:
        if os.environ.get("ARABTEXTS_REQUIRE_SANDBOX") == "1" and os.geteuid() == 0:
            pytest.fail(f"ARABTEXTS_REQUIRE_SANDBOX=1 as root but the zygote is unavailable: {why}")
        pytest.skip(f"no zygote here: {why}")
    return Zygote(**kw)


@pytest.fixture(scope="module")
def zygote(planted_secret):
    z = _zygote(planted_secret)
    yield z
    z.close()


@pytest.fixture(scope="module", params=["bwrap", "zygote"])
def kernel(request, scratch, planted_secret):
    """Every test below runs twice: in a kernel with a bubblewrap of its own, and in one forked
    from the warm zygote (the same walls, built by the fork itself)."""
    _require_sandbox()
    k = Kernel(scratch, zygote=request.getfixturevalue("zygote") if request.param == "zygote" else None)
    yield k
    k.close()


# ------------------------------------------------------------------ status


def test_status_says_yes_or_why_not():
    ok, why = sb.sandbox_status()
    assert isinstance(ok, bool) and isinstance(why, str) and len(why) > 10
    if sys.platform.startswith("linux") and sb.bwrap_path() and os.environ.get("ARABTEXTS_REQUIRE_SANDBOX") == "1":
        assert ok, why


def test_status_without_bwrap_is_false_and_kernel_manager_refuses(monkeypatch, tmp_path):
    monkeypatch.setenv("ARABTEXTS_BWRAP", str(tmp_path / "no-such-bwrap"))
    monkeypatch.setattr(sys, "platform", "linux")
    ok, why = sb.sandbox_status(refresh=True)
    try:
        assert not ok
        assert "bubblewrap is not installed" in why and "apt install bubblewrap" in why
        with pytest.raises(sb.SandboxUnavailable, match="bubblewrap is not installed"):
            sb.kernel_manager(tmp_path)
        # the unconfined manager is still available (trusted kernels, --no-sandbox)
        km = sb.kernel_manager(tmp_path, sandbox=False)
        assert not km.sandboxed
    finally:
        monkeypatch.undo()
        sb.sandbox_status(refresh=True)


def test_status_is_false_when_a_kernel_could_not_start_in_it(monkeypatch):
    _require_sandbox()
    monkeypatch.setattr(sb, "_PROBE", "import sys\nsys.exit('ModuleNotFoundError: no ipykernel here')")
    try:
        ok, why = sb.sandbox_status(refresh=True)
        assert not ok and "a sandboxed kernel cannot start" in why and "no ipykernel here" in why
        if os.geteuid() == 0:
            assert "readable by all users" in why
    finally:
        monkeypatch.undo()
        assert sb.sandbox_status(refresh=True)[0]


def test_status_when_bwrap_cannot_make_namespaces_says_why(monkeypatch, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'bubblewrap 0.8.0'; exit 0; }\n"
                    "echo 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("ARABTEXTS_BWRAP", str(fake))
    monkeypatch.setattr(sys, "platform", "linux")
    try:
        ok, why = sb.sandbox_status(refresh=True)
        assert not ok and "Creating new namespace failed" in why
        assert ("CAP_SYS_ADMIN" in why) if os.geteuid() == 0 else ("user namespaces" in why)
    finally:
        monkeypatch.undo()
        sb.sandbox_status(refresh=True)


@pytest.mark.parametrize("platform, word", [("darwin", "macOS"), ("win32", "Windows")])
def test_status_on_macos_and_windows_names_the_system(monkeypatch, platform, word):
    monkeypatch.setattr(sys, "platform", platform)
    try:
        ok, why = sb.sandbox_status(refresh=True)
        assert not ok and word in why and "Linux" in why
    finally:
        monkeypatch.undo()
        sb.sandbox_status(refresh=True)


# ------------------------------------------------------------------ files


def test_working_folder_is_scratch_with_its_files_and_arabic_output(kernel, scratch):
    assert kernel.value("__import__('os').getcwd()") == str(scratch)
    if kernel.mode == "bwrap":
        status, out, err = kernel.run("print(open('given.txt', encoding='utf-8').read(), 'بغداد')")
        assert status == "ok", err
        assert out.strip() == "نص الطالب بغداد"
    else:  # a forked kernel's folder starts empty (grading gives it nothing): no file of the grader's
        assert kernel.value("[n for n in __import__('os').listdir('.') if not n.startswith('.')]") == []
        status, out, err = kernel.run("print('بغداد')")
        assert status == "ok" and out.strip() == "بغداد", err
    # new files can be written in the scratch folder, and HOME is the scratch folder
    assert kernel.value("open('mine.txt', 'w').write('عراق')") == 4
    assert kernel.value("__import__('os').environ['HOME']") == str(scratch)


def test_scratch_writes_never_reach_the_disk_and_given_files_are_read_only(kernel, scratch):
    kernel.run("open('left-behind.txt', 'w').write('x')")
    assert not (scratch / "left-behind.txt").exists()
    status, _, err = kernel.run("open('given.txt', 'w').write('changed')")
    if kernel.mode == "bwrap":  # shown read-only; a forked kernel has its own empty folder
        assert status == "error" and ("Read-only" in err or "Permission" in err), err
    assert (scratch / "given.txt").read_text(encoding="utf-8") == "نص الطالب"


def test_course_folders_are_invisible(kernel, scratch):
    hidden = [ROOT / "assignments", ROOT / "assignments" / "gradebook.db", ROOT / "assignments" / "source",
              ROOT / "notebooks", ROOT / "tests", ROOT / ".git", scratch.parent / "student-b",
              Path("/etc/shadow"), Path("/root/.ssh"), Path("/home")]
    seen = kernel.value(f"[__import__('os').path.exists(p) for p in {[str(p) for p in hidden]!r}]")
    assert not any(seen), [str(p) for p, s in zip(hidden, seen) if s]
    # what the kernel does see of the repository: only the package source, the data and the venv
    visible = set(kernel.value(f"__import__('os').listdir({str(ROOT)!r})"))
    allowed = {"src", "data", Path(sys.prefix).name}
    assert visible <= allowed, visible - allowed
    # the grader's home holds at most the folders leading to Python and to the scratch folder
    home = Path.home()
    inside = set(kernel.value(f"__import__('os').listdir({str(home)!r}) if __import__('os').path.isdir({str(home)!r}) else []"))
    leading = {Path(p).relative_to(home).parts[0] for p in (sys.base_prefix, sys.prefix, scratch)
               if Path(p).is_relative_to(home)}
    assert inside <= leading, inside - leading


@pytest.mark.parametrize("target", ["src/arabtexts/paths.py", "data/articles.csv"])
def test_course_package_and_data_are_read_only(kernel, target):
    path = ROOT / target
    before = path.read_bytes()
    status, _, err = kernel.run(f"open({str(path)!r}, 'a').write('# patched by a student\\n')")
    assert status == "error" and ("Read-only" in err or "Permission" in err), err
    status, _, err = kernel.run(f"import os; os.remove({str(path)!r})")
    assert status == "error", err
    assert path.read_bytes() == before


def test_the_package_and_texts_work_inside(kernel):
    status, out, err = kernel.run(
        "from arabtexts.corpus import ARTICLE_IDS, get_article\n"
        "print(len(ARTICLE_IDS), len(get_article(ARTICLE_IDS[0]).text) > 1000)")
    assert status == "ok", err
    assert out.split() == ["5", "True"]


def test_venv_is_read_only(kernel):
    target = Path(sys.prefix) / "lib" / "planted.pth"
    status, _, err = kernel.run(f"open({str(target)!r}, 'w').write('import os')")
    assert status == "error", err
    assert not target.exists()


# ------------------------------------------------------------------ environment, network, identity


def test_grader_environment_never_reaches_the_kernel(kernel, planted_secret):
    env = kernel.value("dict(__import__('os').environ)")
    assert SECRET_NAME not in env and planted_secret not in repr(env)
    assert env["MPLBACKEND"] == "Agg"
    # nor through any process the kernel can see (the sandbox's bwrap included)
    status, out, err = kernel.run(
        "import os\n"
        "found = []\n"
        "for p in os.listdir('/proc'):\n"
        "    if p.isdigit():\n"
        "        try:\n"
        "            found.append(open(f'/proc/{p}/environ', 'rb').read())\n"
        "        except OSError:\n"
        "            pass\n"
        f"print(any({planted_secret.encode()!r} in e for e in found), len(found))")
    assert status == "ok", err
    assert out.split()[0] == "False"


def test_no_network_not_even_to_a_server_of_the_grader(kernel):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list = []
    done = threading.Event()

    def accept():
        while not done.is_set():
            try:
                accepted.append(server.accept())
            except (socket.timeout, OSError):
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    status, _, err = kernel.run(
        f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'x')")
    assert status == "error" and "refused" in err.lower(), err
    status, _, err = kernel.run("import socket; socket.getaddrinfo('pypi.org', 443)")
    assert status == "error", err
    time.sleep(0.5)
    done.set()
    t.join()
    server.close()
    assert accepted == []


def test_kernel_talks_over_ipc_and_cannot_add_files_to_its_socket_folder(kernel):
    assert kernel.km.transport == "ipc"
    folder = Path(kernel.km.ip).parent
    before = sorted(p.name for p in folder.iterdir())
    status, _, err = kernel.run(f"open({str(folder / 'planted')!r}, 'w')")
    assert status == "error", err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_kernel_runs_unprivileged_and_cannot_signal_the_grader(kernel):
    uid = kernel.value("__import__('os').getuid()")
    if os.geteuid() == 0:
        assert uid != 0 and uid == kernel.km.kernel_uid
        assert kernel.value("__import__('os').getgroups()") == []
    status, _, err = kernel.run("import os, signal; os.kill(os.getppid(), signal.SIGKILL)")
    # the kernel's parent is the sandbox's init: the signal is refused or ignored
    assert kernel.value("1 + 1") == 2
    status, _, err = kernel.run(f"import os, signal; os.kill({os.getpid()}, signal.SIGKILL)")
    assert status == "error" and "No such process" in err, err
    status, _, err = kernel.run("import os, signal; os.kill(-1, signal.SIGKILL)")
    assert kernel.value("2 + 2") == 4  # still alive, and so are we


def test_interrupt_stops_the_cell_and_keeps_the_kernel(kernel):
    msg_id = kernel.kc.execute("import time\ntime.sleep(120)")
    time.sleep(1.0)
    kernel.km.interrupt_kernel()
    reply = kernel.kc.get_shell_msg(timeout=20)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kernel.kc.get_shell_msg(timeout=20)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert kernel.km.is_alive() and kernel.value("5 + 5") == 10


# ------------------------------------------------------------------ resources


def test_fork_bomb_ends_fast_at_the_process_limit(kernel):
    status, out, err = kernel.run(
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30); os._exit(0)\n"
        "        n += 1\n"
        "except OSError as e:\n"
        "    print(n, e.errno)", timeout=60)
    assert status == "ok", err
    n, errno_ = map(int, out.split())
    assert errno_ == 11  # EAGAIN
    if os.geteuid() == 0:  # a uid of its own: exactly the limit
        assert n < sb.Limits().processes
    else:  # our own uid: the limit is counted on top of our other processes at start (approximate)
        assert n < 3 * sb.Limits().processes
    assert kernel.value("3 * 3") == 9


def test_sandboxed_processes_are_the_first_the_oom_killer_takes(kernel):
    assert kernel.value("int(open('/proc/self/oom_score_adj').read())") == 1000
    if os.geteuid() == 0:  # set while still privileged: the kernel cannot lower it again
        status, _, err = kernel.run("open('/proc/self/oom_score_adj', 'w').write('-1000')")
        assert status == "error", "an unprivileged kernel must not be able to protect itself"


def test_memory_hog_gets_memory_error(kernel):
    status, _, err = kernel.run(f"x = bytearray({sb.Limits().memory_mb + 256} * 1024 * 1024)")
    assert status == "error" and err.startswith("MemoryError"), err
    assert kernel.value("len(bytearray(50 * 1024 * 1024))") == 50 * 1024 * 1024


def test_disk_filler_hits_the_file_size_and_scratch_limits(kernel):
    lim = sb.Limits()
    status, out, err = kernel.run(
        "f = open('big.bin', 'wb')\n"
        "try:\n"
        "    while True: f.write(b'x' * 2**20)\n"
        "except OSError as e:\n"
        "    print(e.errno, __import__('os').path.getsize('big.bin'))")
    assert status == "ok", err
    assert out.split() == ["27", str(lim.file_size_mb * 2**20)]  # EFBIG at the file size limit
    status, out, err = kernel.run(
        "import os\n"
        "i = 0\n"
        "try:\n"
        "    while True:\n"
        "        open(f'fill{i}', 'wb').write(b'x' * 40 * 2**20); i += 1\n"
        "except OSError as e:\n"
        "    print(e.errno)\n"
        "for n in os.listdir('.'):\n"
        "    if n.startswith(('fill', 'big')): os.remove(n)")
    assert status == "ok", err
    assert out.split() == ["28"]  # ENOSPC: the scratch tmpfs is full, the disk is untouched
    status, out, err = kernel.run(
        "try:\n"
        "    open('/tmp/t.bin', 'wb').write(b'x' * 45 * 2**20); open('/tmp/u.bin', 'wb').write(b'x' * 45 * 2**20)\n"
        "    open('/tmp/v.bin', 'wb').write(b'x' * 45 * 2**20); open('/tmp/w.bin', 'wb').write(b'x' * 45 * 2**20)\n"
        "    open('/tmp/y.bin', 'wb').write(b'x' * 45 * 2**20)\n"
        "except OSError as e:\n"
        "    print(e.errno)")
    assert out.split() == ["28"], err


@pytest.mark.parametrize("mode", ["bwrap", "zygote"])
def test_cpu_limit_and_leftover_processes_end_with_the_kernel(tmp_path, planted_secret, mode):
    _require_sandbox()
    token = "leftover-" + uuid.uuid4().hex[:12]
    z = _zygote(planted_secret, limits=sb.Limits(cpu_seconds=2)) if mode == "zygote" else None
    k = Kernel(tmp_path, zygote=z) if z else Kernel(tmp_path, limits=sb.Limits(cpu_seconds=2))
    try:
        status, out, err = k.run(
            "import subprocess, sys\n"
            f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {token!r}],\n"
            "                     start_new_session=True)\n"
            "print(p.pid)")
        assert status == "ok", err
        end = time.monotonic() + 10
        while not _pids_with(token) and time.monotonic() < end:
            time.sleep(0.1)
        assert _pids_with(token), f"the background process should be running while the kernel runs ({out})"
        # a busy loop past the CPU limit: the kernel is killed by the limit, not by us
        k.kc.execute("while True: pass")
        end = time.monotonic() + 30
        while k.km.is_alive() and time.monotonic() < end:
            time.sleep(0.1)
        assert not k.km.is_alive()
    finally:
        k.close()
        if z is not None:
            z.close()
    assert not _pids_with(token), "a student's background process outlived the kernel"
    assert k.km.sandbox_pids() == []


def _pids_with(token: str) -> list[int]:
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if token.encode() in Path(f"/proc/{d}/cmdline").read_bytes():
                    found.append(int(d))
            except OSError:
                pass
    return found


def test_unconfined_manager_is_the_same_api_without_the_walls(tmp_path, planted_secret):
    k = Kernel(tmp_path, sandbox=False)
    try:
        assert k.km.transport in ("ipc", "tcp") and not k.km.sandboxed
        assert k.value("__import__('os').getcwd()") == str(tmp_path)
        assert k.value(f"__import__('os').path.isdir({str(ROOT / 'assignments')!r})") is True
    finally:
        k.close()


def test_asynchronous_manager_for_asyncio_callers(tmp_path, planted_secret):
    _require_sandbox()
    import asyncio

    async def main():
        km = sb.kernel_manager(tmp_path, asynchronous=True)
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            out = []
            reply = await kc.execute_interactive(
                "import os; print(os.getcwd(), 'ARABTEXTS_TEST_SECRET' in os.environ)",
                output_hook=lambda m: out.append(m["content"].get("text", "")), timeout=60)
            assert reply["content"]["status"] == "ok"
            assert "".join(out).split() == [str(tmp_path), "False"]
            msg_id = kc.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            await km.interrupt_kernel()
            while True:
                reply = await kc.get_shell_msg(timeout=20)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            assert reply["content"]["ename"] == "KeyboardInterrupt"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        assert km.sandbox_pids() == []

    # a loop of its own in a thread of its own: an asyncio caller's loop is never the test's
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()


@pytest.mark.parametrize("mode", ["bwrap", "zygote"])
@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_a_grader_that_dies_leaves_no_kernel_behind(tmp_path, how, mode, planted_secret):
    """The grader crashes (exception) or is killed (SIGKILL) with a kernel running, in a
    bubblewrap of its own or forked from the zygote: the kernel and its children die with it
    (--die-with-parent, parent-death signals), and after a normal exit its runtime folder is gone."""
    _require_sandbox()
    import subprocess

    if mode == "zygote":
        _zygote(planted_secret).close()  # skips where no zygote can run
        make = ("from arabtexts.grading.zygote import Zygote\nz = Zygote()\n"
                f"km = z.kernel_manager({str(tmp_path)!r})\n")
        folder, prefix = "z.root", "atx-z-"
    else:
        make = f"from arabtexts.grading import sandbox as sb\nkm = sb.kernel_manager({str(tmp_path)!r})\n"
        folder, prefix = "km._sbx_runtime", "atx-k-"
    token = "orphan-" + uuid.uuid4().hex[:12]
    script = (
        "import sys, time\n" + make +
        "km.start_kernel()\n"
        "kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)\n"
        "kc.execute_interactive(\"import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
        f"'import time; time.sleep(300)', {token!r}], start_new_session=True)\", timeout=60)\n"
        f"print({folder}, flush=True)\n"
        + ("raise SystemExit('the grader crashed')\n" if how == "exit" else "time.sleep(300)\n"))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    runtime = tmp_path / "never-started"
    try:
        runtime = Path(proc.stdout.readline().strip())
        assert runtime.name.startswith(prefix)
        assert _pids_with(token), "the kernel's child should be running"
        if how == "sigkill":
            proc.kill()
        proc.wait(timeout=60)
        end = time.monotonic() + 10
        while _pids_with(token) and time.monotonic() < end:
            time.sleep(0.1)
        assert _pids_with(token) == []
        if how == "exit":
            assert not runtime.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _pids_with(token):
            os.kill(pid, 9)
        if runtime.exists():
            import shutil

            shutil.rmtree(runtime, ignore_errors=True)
