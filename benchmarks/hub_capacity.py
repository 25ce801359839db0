"""Capacity of the one-server hub: N students log in at once, start their servers, run an
assignment notebook (nbgrader's Validate, which executes it in a fresh kernel of the student's
server) and submit. Writes ``benchmarks/sections/hub-capacity.md`` (appended to REPORT.md).

Run as root on a machine where the hub tests run (Linux, useradd, the proxy installed with
``npm ci`` in deploy/jupyterhub); traffic goes to 127.0.0.1 only; it is bounded in time
(``--deadline``) and removes its accounts and files afterwards::

    sudo .venv/bin/python benchmarks/hub_capacity.py --students 30
    sudo .venv/bin/python benchmarks/hub_capacity.py --students 5 --out /tmp/hub.md   # a quick look

Method: the real installer (``deploy/jupyterhub/install_hub.py``) sets up the hub with one
instructor and N student accounts; the instructor releases assignment 01; then N threads, one per
student, do at the same moment what the browser does: log in on the hub's form (PAM), start the
server (``/hub/spawn``) and wait for it, fetch the assignment (Assignment List API), write the
answers (contents API), Validate (runs every cell), submit. A sampler reads every 0.5 s the
resident memory (RSS) of all processes of each student account (server + kernel) and the machine's
``MemAvailable``. Memory per active student = the median over students of their own peak RSS;
the machine's view = the drop of ``MemAvailable`` at the peak divided by N.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "hub"))
sys.path.insert(0, str(ROOT / "tests"))

import bad_submissions as bs  # noqa: E402
import hubclient  # noqa: E402

A = "01-kadhimi-washington"


def mem_available_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])
    return 0


def rss_by_uid(uids: set[int]) -> dict[int, int]:
    """Resident memory (kB) of every process, summed per owner uid, for the uids given."""
    out = {u: 0 for u in uids}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            uid = d.stat().st_uid
            if uid not in uids:
                continue
            for line in (d / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[uid] += int(line.split()[1])
                    break
        except OSError:
            pass
    return out


class Sampler(threading.Thread):
    def __init__(self, uids: set[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.uids, self.every = uids, every
        self.peak_user = {u: 0 for u in uids}
        self.peak_total = 0
        self.min_available = mem_available_kb()
        self.baseline_available = self.min_available
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            per = rss_by_uid(self.uids)
            for u, v in per.items():
                self.peak_user[u] = max(self.peak_user[u], v)
            self.peak_total = max(self.peak_total, sum(per.values()))
            self.min_available = min(self.min_available, mem_available_kb())
            self.stop_flag.wait(self.every)


def one_student(hub, name: str, source, t0: float) -> dict:
    steps, err = {}, None
    u = hubclient.HubUser(hub, name)
    try:
        t = time.monotonic()
        r = u.login()
        assert r.status_code == 302, f"login answered {r.status_code}"
        steps["login"] = time.monotonic() - t
        t = time.monotonic()
        u.start_server(timeout=600)
        steps["server"] = time.monotonic() - t
        t = time.monotonic()
        res = u.action("fetch", A)
        assert res.get("success"), res
        release = u.read_notebook(f"{A}/{A}.ipynb")
        nb = bs.solved(nbformat.from_dict(copy.deepcopy(release)), source)
        u.write_notebook(f"{A}/{A}.ipynb", json.loads(nbformat.writes(nb)))
        steps["fetch+answer"] = time.monotonic() - t
        t = time.monotonic()
        v = u.post(f"{u.server}/assignments/validate", f"/user/{name}", data={"path": f"{A}/{A}.ipynb"}, timeout=900)
        v.raise_for_status()
        body = v.json()
        assert body.get("success"), str(body)[:300]
        value = body["value"] if isinstance(body["value"], dict) else json.loads(body["value"])
        steps["validate"] = time.monotonic() - t
        if value.get("failed") or value.get("changed") or value.get("errored"):
            err = f"validate reported problems: {str(value)[:200]}"
        t = time.monotonic()
        res = u.action("submit", A)
        assert res.get("success"), res
        steps["submit"] = time.monotonic() - t
    except Exception as e:  # noqa: BLE001 - a failure is a measurement, reported per student
        err = f"{type(e).__name__}: {e}"[:300]
    return {"student": name, "steps": steps, "done_at": time.monotonic() - t0, "error": err}


def measure(n: int, deadline: float) -> dict:
    missing = hubclient.missing_requirements()
    if missing:
        raise SystemExit("cannot run a hub here: " + ", ".join(missing))
    students = [f"atcap_{i:02d}" for i in range(n)]
    names = {"atcap_teach": "instructor", **{s: "student" for s in students}}
    t_install = time.monotonic()
    hub = hubclient.install(names)
    install_s = time.monotonic() - t_install
    try:
        hubclient.start(hub)
        r = hub.grader_run("arabtexts", "release", A)
        if r.returncode:
            raise RuntimeError(r.stdout + r.stderr)
        source = nbformat.read(ROOT / "assignments" / "source" / A / f"{A}.ipynb", as_version=4)
        import pwd

        uids = {pwd.getpwnam(s).pw_uid for s in students}
        sampler = Sampler(uids)
        sampler.start()
        load0 = os.getloadavg()
        t0 = time.monotonic()
        with cf.ThreadPoolExecutor(max_workers=n) as pool:
            futs = [pool.submit(one_student, hub, s, source, t0) for s in students]
            results = [f.result(timeout=deadline) for f in futs]
        wall = time.monotonic() - t0
        time.sleep(2)
        sampler.stop_flag.set()
        sampler.join()
        idle = rss_by_uid(uids)  # servers still running, kernels shut down after Validate
        inbound = sorted((hub.exchange / "arabtexts" / "inbound").iterdir())
        return {
            "students": n, "install_s": install_s, "wall_s": wall, "results": results,
            "peak_rss_kb": sampler.peak_user, "peak_total_kb": sampler.peak_total,
            "idle_rss_kb": idle, "available_drop_kb": sampler.baseline_available - sampler.min_available,
            "submissions_in_inbound": len(inbound), "load_before": load0, "load_after": os.getloadavg(),
            "cores": os.cpu_count(), "mem_total_kb": int(Path("/proc/meminfo").read_text().split()[1]),
            "machine": f"{platform.system()} {platform.release()} {platform.machine()}",
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
    finally:
        hubclient.stop(hub)


def render(m: dict) -> str:
    ok = [r for r in m["results"] if not r["error"]]
    failed = [r for r in m["results"] if r["error"]]
    mb = lambda kb: kb / 1024  # noqa: E731
    peaks = sorted(mb(v) for v in m["peak_rss_kb"].values())
    idles = sorted(mb(v) for v in m["idle_rss_kb"].values())
    per_student_peak = statistics.median(peaks)
    per_student_idle = statistics.median(idles)
    done = sorted(r["done_at"] for r in ok)

    def step(name):
        xs = sorted(r["steps"][name] for r in ok if name in r["steps"])
        return f"{statistics.median(xs):.1f} s / {xs[-1]:.1f} s" if xs else "—"

    cores = m["cores"]
    n = m["students"]
    # sizing from what was measured: memory at the peak per student (plus a margin for the
    # hub, proxy and OS) and how many students one core served in the window measured
    gb_per_student = per_student_peak / 1024
    students_per_gb = 1 / gb_per_student if gb_per_student else float("nan")
    lines = [
        "## Hub capacity: a class logging in at once",
        "",
        f"Measured {m['when']} by `benchmarks/hub_capacity.py` on {m['machine']}, {cores} cores, "
        f"{m['mem_total_kb'] / 1024 / 1024:.1f} GB RAM, load average {m['load_before'][0]:.1f} before and "
        f"{m['load_after'][0]:.1f} after (the machine was shared with other jobs). The real hub "
        "(`deploy/jupyterhub/`: JupyterHub 6.1.1, configurable-http-proxy 5.3.0, PAM accounts, one "
        "shared environment) on 127.0.0.1.",
        "",
        f"**{n} students** at the same moment: log in, start their server, fetch assignment 01, write "
        "their answers, Validate (runs the whole notebook in a new kernel), submit.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| time to serve them all (first login → last submission) | **{m['wall_s']:.0f} s** |",
        f"| first / median / last student done | {done[0]:.0f} s / {statistics.median(done):.0f} s / {done[-1]:.0f} s |" if done else "| students done | none |",
        f"| failures | **{len(failed)}** of {n} |",
        f"| submissions found in the exchange | {m['submissions_in_inbound']} |",
        f"| login (median / max) | {step('login')} |",
        f"| server start, spawn to ready (median / max) | {step('server')} |",
        f"| fetch + write answers (median / max) | {step('fetch+answer')} |",
        f"| Validate: the notebook run (median / max) | {step('validate')} |",
        f"| submit (median / max) | {step('submit')} |",
        f"| memory per active student, peak (server + kernel, median; max) | **{per_student_peak:.0f} MB**; {peaks[-1]:.0f} MB |",
        f"| memory per idle student (server only, kernel closed, median) | {per_student_idle:.0f} MB |",
        f"| all students together at the peak (sum of RSS) | {mb(m['peak_total_kb']) / 1024:.2f} GB |",
        f"| drop of the machine's available memory at the peak | {mb(m['available_drop_kb']) / 1024:.2f} GB |",
        f"| one-time install (environment, proxy, {n + 1} accounts) | {m['install_s']:.0f} s |",
        "",
    ]
    if failed:
        lines += ["Failures:", ""] + [f"* `{r['student']}`: {r['error']}" for r in failed] + [""]
    drop_per_student = mb(m["available_drop_kb"]) / n
    per_core = n / cores
    import math

    def sizing(k: int) -> str:
        return (f"{k} students → ≥ {math.ceil(k * per_student_peak / 1024 + 2)} GB RAM and "
                f"≥ {max(2, math.ceil(k / per_core))} cores")

    lines += [
        "**Sizing for a one-server hub** (derived from the figures above). Memory: "
        f"**{per_student_peak:.0f} MB per student working at the same time** by RSS (an upper bound: "
        "pages shared between processes, such as the libraries of the one environment, are counted again in each), "
        f"{drop_per_student:.0f} MB by the drop of the machine's available memory — plan for "
        f"≈ {per_student_peak / 1024:.2f} GB per active student (≈ {1024 / per_student_peak:.0f} per GB) "
        f"plus 2 GB for the hub, proxy and system; a student whose kernel is closed still holds "
        f"{per_student_idle:.0f} MB until the idle culler (`jupyterhub-idle-culler`) stops the server. "
        f"CPU: {cores} cores brought {n} students from login to submission, all starting in the same "
        f"second, in {m['wall_s']:.0f} s (server start dominates: every server imports JupyterLab "
        f"and nbgrader), i.e. ≈ {per_core:.0f} students per core for a class that starts together "
        "within two minutes; students who arrive over a few minutes need fewer. "
        f"Examples: {sizing(30)}; {sizing(100)} (beyond that, Zero to JupyterHub: "
        "`deploy/z2jh/values.yaml` guarantees 512 MB and caps each user at 1 GB).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--deadline", type=float, default=1800, help="seconds before the run is abandoned")
    p.add_argument("--out", default=str(HERE / "sections" / "hub-capacity.md"))
    p.add_argument("--json", default=None, help="also write the raw measurements here")
    p.add_argument("--render-from", default=None, help="only render the section from a --json file")
    a = p.parse_args(argv)
    if a.render_from:
        m = json.loads(Path(a.render_from).read_text())
        m["peak_rss_kb"] = {int(k): v for k, v in m["peak_rss_kb"].items()}
        m["idle_rss_kb"] = {int(k): v for k, v in m["idle_rss_kb"].items()}
    else:
        m = measure(a.students, a.deadline)
    if a.json and not a.render_from:
        Path(a.json).write_text(json.dumps(m, indent=1))
    text = render(m)
    Path(a.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
