"""Kernels forked from the warm zygote (``arabtexts.grading.zygote``): what the fork adds to the
walls of ``test_sandbox.py`` (which runs every one of its kernel tests in a forked kernel too).

A zygote holds imported modules and forks every student's kernel from them, so the new risks
are sharing: two kernels alive at once must share nothing (files, processes, sockets, random
state), a kernel must never reach the zygote (which stays root), and a grader that dies must
leave no kernel behind. Each test checks from outside, or from a second kernel.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from arabtexts.grading import sandbox as sb

from test_sandbox import Kernel, _pids_with, _zygote, planted_secret  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def zygote(planted_secret):  # noqa: F811
    z = _zygote(planted_secret)
    yield z
    z.close()


@pytest.fixture
def two(zygote, tmp_path):
    a = Kernel(tmp_path / "student-a", zygote=zygote)
    b = Kernel(tmp_path / "student-b", zygote=zygote)
    yield a, b
    a.close()
    b.close()


def test_the_zygote_is_single_threaded_and_kernels_start_warm(zygote, tmp_path):
    # fork() copies one thread only: a zygote with more threads could hand a kernel a held lock
    assert zygote.threads == 1
    k = Kernel(tmp_path, zygote=zygote)
    try:
        assert k.value("[m in __import__('sys').modules for m in ('pandas', 'arabtexts.corpus', 'ipykernel')]") \
            == [True, True, True]
        assert k.value("__import__('os').getpid()") == 1  # process 1 of its own pid namespace
        assert k.value("__import__('os').environ['HOME']") == str(tmp_path)
        status, out, err = k.run("from arabtexts.normalize import normalize\nprint(normalize('أعلنَ ١٥'))")
        assert status == "ok" and out.strip() == "اعلن 15", err
    finally:
        k.close()


def test_two_kernels_at_once_share_no_file_process_socket_or_randomness(two):
    a, b = two
    for k, name in ((a, "a"), (b, "b")):
        status, _, err = k.run(f"open('/tmp/{name}.txt', 'w').write('{name}'); open('mine-{name}', 'w').write('x');"
                               f" open('/dev/shm/{name}', 'w').write('x')")
        assert status == "ok", err
    assert "a.txt" in a.value("__import__('os').listdir('/tmp')")
    assert not a.value("__import__('os').path.exists('/tmp/b.txt')")
    assert not b.value("__import__('os').path.exists('/tmp/a.txt')")
    assert a.value("__import__('os').listdir('/dev/shm')") == ["a"]
    assert b.value("__import__('os').listdir('/dev/shm')") == ["b"]
    assert a.value("[n for n in __import__('os').listdir('.') if not n.startswith('.')]") == ["mine-a"]
    # each sees only its own processes, under its own uid
    ua, ub = a.value("__import__('os').getuid()"), b.value("__import__('os').getuid()")
    if os.geteuid() == 0:
        assert ua != ub and 0 not in (ua, ub)
    for k, uid in ((a, ua), (b, ub)):
        owners = k.value("sorted({__import__('os').stat(f'/proc/{p}').st_uid for p in __import__('os').listdir('/proc') "
                         "if p.isdigit()})")
        assert owners == [uid]
    # an abstract Unix socket of one kernel is not reachable from the other (separate network namespaces)
    name = "atx-" + uuid.uuid4().hex[:8]
    status, _, err = a.run(f"import socket\nsrv = socket.socket(socket.AF_UNIX)\nsrv.bind('\\0{name}')\nsrv.listen(1)")
    assert status == "ok", err
    status, _, err = b.run(f"import socket\nsocket.socket(socket.AF_UNIX).connect('\\0{name}')")
    assert status == "error" and "ConnectionRefused" in err, err
    # random state is each kernel's own, not the zygote's copy
    assert a.value("__import__('numpy').random.randint(0, 2**31)") != b.value("__import__('numpy').random.randint(0, 2**31)")
    assert a.value("__import__('random').random()") != b.value("__import__('random').random()")


def test_a_kernel_cannot_reach_the_zygote(zygote, tmp_path):
    """The zygote is root and forks kernels on request: a kernel must hold none of its pipes
    (it could ask for a kernel of its choosing) and must not see it at all."""
    pipes = {f"pipe:[{os.fstat(f.fileno()).st_ino}]" for f in (zygote.proc.stdin, zygote.proc.stdout)}
    k = Kernel(tmp_path, zygote=zygote)
    try:
        status, _, err = k.run("import os\nfds = []\nfor f in os.listdir('/proc/self/fd'):\n    try:\n"
                               "        fds.append(os.readlink(f'/proc/self/fd/{f}'))\n    except OSError:\n        pass")
        assert status == "ok", err
        fds = k.value("fds")
        assert len(fds) > 3
        assert not pipes & set(fds), fds
        assert k.value("__import__('os').readlink('/proc/self/fd/0')") == "/dev/null"
        status, _, err = k.run(f"import os, signal; os.kill({zygote.proc.pid}, signal.SIGKILL)")
        assert status == "error" and "No such process" in err, err
        assert zygote.alive()
        # the runtime folders of other kernels are not visible
        assert k.value(f"sorted(__import__('os').listdir({str(zygote.root)!r}))") == [k.km.id]
    finally:
        k.close()


def test_without_sandbox_the_zygote_gives_plain_kernels_that_still_stop(tmp_path):
    from arabtexts.grading.zygote import Zygote

    z = Zygote(sandbox=False)
    try:
        k = Kernel(tmp_path, zygote=z)
        try:
            assert not k.km.sandboxed and k.km.kernel_uid is None
            assert k.value("__import__('os').getcwd()") == str(tmp_path)
            assert k.value(f"__import__('os').path.isdir({str(ROOT / 'assignments')!r})") is True
            token = "plain-" + uuid.uuid4().hex[:12]
            status, _, err = k.run("import subprocess, sys\n"
                                   f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', {token!r}])")
            assert status == "ok", err
            assert _pids_with(token)
        finally:
            k.close()
        end = time.monotonic() + 10
        while _pids_with(token) and time.monotonic() < end:
            time.sleep(0.1)
        assert _pids_with(token) == []  # its process group went with it, as jupyter_client does
    finally:
        z.close()


def test_batches_fall_back_to_one_bubblewrap_per_kernel_and_say_why(monkeypatch):
    from arabtexts.grading import execute, zygote

    said: list[str] = []
    monkeypatch.setattr(zygote, "zygote_supported", lambda: (False, "the zygote needs the grader to run as root"))
    factory = execute.kernel_factory(sandbox=True, zygote=True, log=said.append)
    assert not isinstance(factory, zygote.Zygote) and callable(factory)
    assert said and "no zygote: the zygote needs the grader to run as root" in said[-1]
    said.clear()
    monkeypatch.setenv("ARABTEXTS_ZYGOTE", "0")
    factory = execute.kernel_factory(sandbox=True, zygote=True, log=said.append)
    assert not isinstance(factory, zygote.Zygote) and "ARABTEXTS_ZYGOTE=0" in said[0]


def test_the_zygote_refuses_to_confine_without_root_and_says_why(monkeypatch):
    from arabtexts.grading import zygote

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    ok, why = zygote.zygote_supported()
    assert not ok and "root" in why
    with pytest.raises(zygote.ZygoteUnavailable, match="root"):
        zygote.Zygote()


def test_limits_reach_a_forked_kernel(planted_secret, tmp_path):  # noqa: F811
    lim = sb.Limits(memory_mb=1536, file_size_mb=5)
    z = _zygote(planted_secret, limits=lim)
    try:
        k = Kernel(tmp_path, zygote=z)
        try:
            got = k.value("[__import__('resource').getrlimit(getattr(__import__('resource'), n)) for n in "
                          "('RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_CORE')]")
            assert got == [(1536 * sb.MB, 1536 * sb.MB), (5 * sb.MB, 5 * sb.MB), (0, 0)]
            status, _, err = k.run("import resource; resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40))")
            assert status == "error" and "ValueError" in err, err
        finally:
            k.close()
    finally:
        z.close()


def test_a_forked_kernel_can_write_only_its_own_tmp_folder_and_shm(zygote, tmp_path):
    """Walk everything a forked kernel sees: the zygote's root view (made by root) must offer it
    no writable place but its private tmpfs mounts and its own socket files."""
    k = Kernel(tmp_path, zygote=zygote)
    try:
        status, _, err = k.run(
            "import os\n"
            "writable = []\n"
            "for top, dirs, files in os.walk('/'):\n"
            "    if top.startswith(('/proc', '/sys')):\n"
            "        dirs[:] = []\n"
            "        continue\n"
            "    if os.access(top, os.W_OK):\n"
            "        writable.append(top)\n"
            "    for f in files:\n"
            "        p = os.path.join(top, f)\n"
            "        if not top.startswith('/dev') and not os.path.islink(p) and os.access(p, os.W_OK):\n"
            "            writable.append(p)", timeout=120)
        assert status == "ok", err
        writable = k.value("writable")
        sockets = str(Path(k.km.ip).parent) + "/"
        bad = [p for p in writable
               if not (p in ("/tmp", "/dev/shm") or p.startswith(("/tmp/matplotlib", str(tmp_path), sockets)))]
        assert bad == [], bad
        assert "/tmp" in writable and str(tmp_path) in writable
    finally:
        k.close()


def test_a_zygote_killed_from_outside_is_started_again_for_the_next_student(planted_secret, tmp_path):  # noqa: F811
    """No kernel can reach the zygote, but the machine can (the OOM killer, an operator): the
    kernels it forked die with it, and the next student still gets a kernel."""
    z = _zygote(planted_secret)
    try:
        a = Kernel(tmp_path / "a", zygote=z)
        assert a.value("6 * 7") == 42
        os.kill(z.proc.pid, 9)
        end = time.monotonic() + 20
        while a.km.is_alive() and time.monotonic() < end:
            time.sleep(0.05)
        assert not a.km.is_alive()
        a.close()
        assert a.km.sandbox_pids() == []
        b = Kernel(tmp_path / "b", zygote=z)
        try:
            assert z.restarts == 1
            assert b.value("__import__('os').getpid()") == 1 and b.value("'بغداد'[::-1]") == "دادغب"
        finally:
            b.close()
    finally:
        z.close()


def test_course_folders_under_tmp_stay_visible_and_read_only(planted_secret, tmp_path, monkeypatch):  # noqa: F811
    """A course cloned in /tmp (CI does that) or a data folder copied there (the browser tests):
    each fork's own /tmp must not hide them, and must not make them writable."""
    import shutil

    data = tmp_path / "course" / "data"
    shutil.copytree(ROOT / "data", data)
    monkeypatch.setenv("ARABTEXTS_DATA", str(data))
    z = _zygote(planted_secret)
    try:
        assert str(data) in z.keep and str(data).startswith("/tmp/")
        k = Kernel(tmp_path / "work", zygote=z)
        try:
            assert k.value(f"len(open({str(data / 'articles.csv')!r}, encoding='utf-8').read()) > 100")
            # a module of the course the zygote did not import: read from the package on disk
            assert k.value("__import__('arabtexts.plotting', fromlist=['x']).__name__") == "arabtexts.plotting"
            status, _, err = k.run(f"open({str(data / 'planted.txt')!r}, 'w')")
            assert status == "error" and ("Read-only" in err or "Permission" in err), err
            assert not (data / "planted.txt").exists()
            # nothing else of the grader's /tmp came with it
            assert k.value(f"__import__('os').listdir({str(tmp_path / 'course')!r})") == ["data"]
        finally:
            k.close()
    finally:
        z.close()
