"""Measure the course's speed and write benchmarks/REPORT.md.

    python benchmarks/run.py            # full run (50 synthetic submissions; ~15–25 min on 2 cores)
    python benchmarks/run.py --quick    # 8 submissions, fewer repeats (~4–6 min)

What is measured (see benchmarks/README.md):

1. import time of ``arabtexts`` and of each submodule (fresh interpreter per run, median), plus
   the heaviest imports from ``python -X importtime``;
2. each lecture notebook (notebooks/00..06) executed with nbclient in a cold kernel, in a fresh
   helper process (wall time, kernel start+shutdown measured apart, kernel peak RSS);
3. widget latency: ConcordanceExplorer over the whole corpus, one concordance per keystroke
   while a word is typed letter by letter; ArticleReader search the same way (median / p95;
   tracemalloc peak of the Python heap);
4. autograde throughput of one assignment for a synthetic class: (a) plain ``nbgrader autograde``
   (one batch, hidden tests in the student's kernel), (s) ``arabtexts grade`` (the one grader:
   sandboxed kernels forked from a warm zygote, checks outside them, workers = cores), (b) the
   same with a fresh bubblewrap and interpreter per kernel (``ARABTEXTS_ZYGOTE=0``: what the
   zygote saves), (n) ``--no-sandbox`` (plain forked kernels: (s) − (n) is the sandbox's cost);
   each on its own copy of the same released course; peak memory (PSS) of each process tree
   sampled with psutil; the gradebooks compared grade cell by grade cell with (a). Every run's raw
   numbers are kept in ``benchmarks/runs/`` and every autograde run of the folder is listed.

No timing is asserted anywhere: the numbers only go into the report.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # bad_submissions: the course's builders of bad submissions

PY = sys.executable
BIN = Path(PY).parent
SUBMODULES = ["corpus", "normalize", "repair", "tokenize", "extract", "analysis", "plotting",
              "widgets", "grading", "datasets", "cli", "grading.batch"]
ASSIGNMENT = "01-kadhimi-washington"


def env() -> dict:
    e = dict(os.environ)
    e["PATH"] = str(BIN) + os.pathsep + e.get("PATH", "")
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    return e


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p95(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------ machine


def machine_info() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    versions = {}
    for pkg in ("arabtexts", "nbgrader", "nbclient", "nbconvert", "jupyter_client", "ipykernel",
                "ipywidgets", "pandas", "matplotlib", "sqlalchemy", "psutil"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "—"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
        "cores": os.cpu_count(), "memory": mem, "versions": versions, "commit": commit,
        "load_start": loadavg(),
    }


# ------------------------------------------------------------------ 1. import time


IMPORT_SNIPPET = ("import time, sys; t = time.perf_counter(); import {mod}; "
                  "print(time.perf_counter() - t)")


def bench_imports(repeats: int) -> dict:
    say(f"import times ({repeats} runs each)")
    out = {}
    for mod in ["arabtexts"] + [f"arabtexts.{m}" for m in SUBMODULES]:
        times = []
        for _ in range(repeats):
            p = subprocess.run([PY, "-c", IMPORT_SNIPPET.format(mod=mod)], env=env(), capture_output=True,
                               text=True)
            if p.returncode == 0:
                times.append(float(p.stdout.strip().splitlines()[-1]))
        out[mod] = {"median": median(times), "min": min(times) if times else float("nan"), "n": len(times)}
    # interpreter start alone, for scale
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([PY, "-c", "pass"], env=env(), capture_output=True)
        times.append(time.perf_counter() - t)
    out["(python -c pass, whole process)"] = {"median": median(times), "min": min(times), "n": len(times)}
    # heaviest imports behind the heaviest submodule
    heavy = max((m for m in out if m.startswith("arabtexts.")), key=lambda m: out[m]["median"])
    p = subprocess.run([PY, "-X", "importtime", "-c", f"import {heavy}"], env=env(), capture_output=True,
                       text=True)
    by_root: dict[str, float] = {}
    by_self: list[tuple[float, str]] = []
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s*\|\s*(\d+)\s*\|\s*(\S+)", line)
        if not m:
            continue
        name = m.group(3)
        by_self.append((int(m.group(1)) / 1e6, name))
        root = name.split(".")[0]
        if root != "arabtexts":
            by_root[root] = max(by_root.get(root, 0.0), int(m.group(2)) / 1e6)
    rows = sorted(((v, k) for k, v in by_root.items()), reverse=True)
    by_self.sort(reverse=True)
    return {"modules": out, "heaviest": heavy, "importtime_top": rows[:8], "importtime_self": by_self[:5]}


# ------------------------------------------------------------------ 2. notebooks


NB_RUNNER = textwrap.dedent(r"""
    import json, resource, sys, time
    import nbformat
    from nbclient import NotebookClient
    path, cwd, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    nb = nbformat.read(path, as_version=4)
    if mode == "empty":
        nb.cells = [nbformat.v4.new_code_cell("1")]
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": cwd}})
    t = time.perf_counter()
    client.execute()
    total = time.perf_counter() - t
    errors = [o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    print(json.dumps({"seconds": total, "errors": errors,
                      "kernel_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      "cells": sum(c.cell_type == "code" for c in nb.cells)}))
""")


def bench_notebooks(repeats: int) -> dict:
    src = ROOT / "notebooks"
    work = Path(tempfile.mkdtemp(prefix="arabtexts-bench-nb-"))
    nbdir = work / "notebooks"
    shutil.copytree(src, nbdir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    runner = work / "runner.py"
    runner.write_text(NB_RUNNER)
    out = {}
    try:
        # kernel start + one trivial cell + shutdown: the fixed cost inside every number below
        fixed = []
        for _ in range(max(2, repeats)):
            p = subprocess.run([PY, str(runner), str(next(iter(sorted(nbdir.glob("*.ipynb"))))), str(nbdir),
                                "empty"], env=env(), capture_output=True, text=True, cwd=nbdir)
            fixed.append(json.loads(p.stdout.strip().splitlines()[-1])["seconds"])
        out["_kernel"] = {"median": median(fixed)}
        for path in sorted(nbdir.glob("[0-9][0-9]*_*.ipynb")):  # 00, 00b, 03a …
            say(f"notebook {path.name} ({repeats}×, cold kernel)")
            runs = []
            for _ in range(repeats):
                t = time.perf_counter()
                p = subprocess.run([PY, str(runner), str(path), str(nbdir), "full"], env=env(),
                                   capture_output=True, text=True, cwd=nbdir)
                wall = time.perf_counter() - t
                if p.returncode != 0:
                    runs.append({"seconds": float("nan"), "wall": wall, "errors": ["runner failed"],
                                 "kernel_maxrss_mb": float("nan"), "cells": 0,
                                 "stderr": p.stderr[-500:]})
                    continue
                r = json.loads(p.stdout.strip().splitlines()[-1])
                r["wall"] = wall
                runs.append(r)
            out[path.stem] = {
                "median": median([r["seconds"] for r in runs]),
                "wall": median([r["wall"] for r in runs]),
                "kernel_maxrss_mb": max(r["kernel_maxrss_mb"] for r in runs),
                "errors": sorted({e for r in runs for e in r["errors"]}),
                "cells": runs[0]["cells"],
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# ------------------------------------------------------------------ 3. widgets


WORDS = ["الكاظمي", "واشنطن", "الولايات المتحدة", "الانسحاب"]


def bench_widgets(repeats: int) -> dict:
    say("widget latency")
    from arabtexts.corpus import ARTICLE_IDS, get_article
    from arabtexts.widgets import ArticleReader, ConcordanceExplorer

    tracemalloc.start()
    t = time.perf_counter()
    conc = ConcordanceExplorer()
    create_conc = time.perf_counter() - t
    keys, by_len = [], {}
    for rep in range(repeats):
        for word in WORDS:
            conc.query.value = ""
            for i in range(1, len(word) + 1):
                t = time.perf_counter()
                conc.query.value = word[:i]  # observe → update(): concordance + three HTML panes
                dt_ = time.perf_counter() - t
                keys.append(dt_)
                by_len.setdefault(min(i, 3), []).append(dt_)
    hits = {w: (conc.query.__setattr__("value", w), conc.count())[1] for w in WORDS}
    longest = max(ARTICLE_IDS, key=lambda a: len(get_article(a).text))
    t = time.perf_counter()
    reader = ArticleReader(longest)
    create_reader = time.perf_counter() - t
    rkeys, rby_len = [], {}
    for _ in range(repeats):
        for word in WORDS:
            reader.search.value = ""
            for i in range(1, len(word) + 1):
                t = time.perf_counter()
                reader.search.value = word[:i]
                rkeys.append(time.perf_counter() - t)
                rby_len.setdefault(min(i, 3), []).append(rkeys[-1])
    layer = []
    for _ in range(repeats):
        for lay in ("clean", "annotated", "raw"):
            t = time.perf_counter()
            reader.layer.value = lay
            layer.append(time.perf_counter() - t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "concordance": {"create": create_conc, "median": median(keys), "p95": p95(keys), "max": max(keys),
                        "n": len(keys), "hits": hits,
                        "by_len": {k: (median(v), p95(v), len(v)) for k, v in sorted(by_len.items())}},
        "reader": {"article": longest, "chars": len(get_article(longest).text), "create": create_reader,
                   "median": median(rkeys), "p95": p95(rkeys), "max": max(rkeys), "n": len(rkeys),
                   "layer_median": median(layer),
                   "by_len": {k: (median(v), p95(v), len(v)) for k, v in sorted(rby_len.items())}},
        "tracemalloc_peak_mb": peak / 1024 / 1024,
    }


# ------------------------------------------------------------------ 4. autograde


#: plausible wrong answers to assignment 01 (answer cell → code), as students write them
WRONG_01 = [
    ("q2-answer", 'n_raw = normalize(RAW).count("الكاظمي")\nn_normalized = RAW.count("الكاظمي")'),
    ("q3-answer", 'freq = pd.DataFrame(list(Counter(words(RAW, drop_stopwords=True)).items()), '
                  'columns=["word", "count"]).sort_values("word")'),
    ("q6-answer", 'def lost_year_spans(text):\n    rx = re.compile(r"(?:عام|" + "|".join(MONTHS) + r")[ \\t]*،")\n'
                  '    return [m.span() for m in rx.finditer(text)]'),
    ("q5-answer", 'def sentences_with(text, term):\n    return [s for s in split_sentences(text) if term in s]\n\n'
                  'kadhimi_sentences = sentences_with(RAW, "الكاظمي")'),
]

SCRATCH = ["print(len(RAW))", "RAW[:200]", "# trying things\nx = RAW.split()\nlen(x)",
           "import collections\ncollections.Counter(RAW.split()).most_common(5)"]


def make_class(rel, src, n: int, *, loop: bool, seed: int = 2026) -> dict[str, object]:
    """n synthetic submissions: ~half right, ~30 % partly wrong, a few blank, a few broken."""
    import nbformat

    import bad_submissions as bs

    rng = random.Random(seed)
    answers = bs.answer_ids(src)
    broken = ["bad-json", "bad-deleted", "bad-stripped", "bad-edited", "bad-raise", "bad-missing"]
    if loop:
        broken.append("bad-loop")
    n_broken = min(len(broken), max(1, round(n * 0.14)))
    n_blank = max(1, round(n * 0.06))
    n_wrong = max(1, round(n * 0.3))
    n_full = max(0, n - n_broken - n_blank - n_wrong)
    out: dict[str, object] = {}
    for i in range(n_full):
        nb = bs.solved(rel, src)
        if rng.random() < 0.4:
            nb.cells.append(nbformat.v4.new_code_cell(rng.choice(SCRATCH)))
        out[f"s{len(out) + 1:02d}-full"] = nb
    for i in range(n_wrong):
        nb = bs.solved(rel, src)
        k = rng.choice([1, 1, 2, 3])
        for gid in rng.sample(answers, k):
            wrong = [code for g, code in WRONG_01 if g == gid] if ASSIGNMENT.startswith("01") else []
            if wrong and rng.random() < 0.7:
                bs.cell_by_id(nb, gid).source = wrong[0]
            else:  # left unanswered: the stub of the release
                bs.cell_by_id(nb, gid).source = bs.cell_by_id(rel, gid).source
        out[f"s{len(out) + 1:02d}-partly"] = nb
    for i in range(n_blank):
        out[f"s{len(out) + 1:02d}-blank"] = bs.blank(rel, src)
    for name in broken[:n_broken]:
        out[f"s{len(out) + 1:02d}-{name}"] = bs.BAD[name](rel, src)
    return out


class TreeSampler(threading.Thread):
    """Peak RSS of a process tree (sum over live processes, and largest single process)."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_total = self.peak_single = 0
        self.peak_procs = 0
        self.done = threading.Event()

    def run(self):
        import psutil

        try:
            top = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            total, single, n = 0, 0, 0
            try:
                procs = [top] + top.children(recursive=True)
            except psutil.Error:
                break
            for p in procs:
                try:  # PSS: forked kernels share the zygote's pages; RSS would count them in each
                    info = p.memory_full_info()
                    rss = getattr(info, "pss", info.rss)
                except psutil.Error:
                    continue
                total += rss
                single = max(single, rss)
                n += 1
            self.peak_total = max(self.peak_total, total)
            self.peak_single = max(self.peak_single, single)
            self.peak_procs = max(self.peak_procs, n)
            self.done.wait(self.every)


def run_measured(cmd: list[str], cwd: Path, log: Path, extra_env: dict | None = None) -> dict:
    t = time.perf_counter()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env={**env(), **(extra_env or {})}, stdout=fh,
                                stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
    seconds = time.perf_counter() - t
    sampler.done.set()
    sampler.join()
    return {"seconds": seconds, "returncode": rc, "peak_total_mb": sampler.peak_total / 2**20,
            "peak_single_mb": sampler.peak_single / 2**20, "peak_procs": sampler.peak_procs}


def gradebook_grades(db: Path, assignment: str) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            """SELECT student.id, notebook.name, base_cell.name, grade.auto_score, COALESCE(grade_cells.max_score, task_cells.max_score),
                      grade.needs_manual_grade
               FROM grade
               JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
               JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
               JOIN assignment ON submitted_assignment.assignment_id = assignment.id
               JOIN student ON submitted_assignment.student_id = student.id
               JOIN notebook ON submitted_notebook.notebook_id = notebook.id
               JOIN base_cell ON grade.cell_id = base_cell.id
               LEFT JOIN grade_cells ON grade_cells.id = base_cell.id
               LEFT JOIN task_cells ON task_cells.id = base_cell.id
               WHERE assignment.name = ?""", (assignment,)).fetchall()
    finally:
        con.close()
    return {(r[0], r[1], r[2]): (r[3], r[4], bool(r[5])) for r in rows}


def totals(grades: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for (student, _, _), (auto, _, _) in grades.items():
        out[student] = out.get(student, 0.0) + (auto or 0.0)
    return out


def bench_kernel_start(n: int) -> dict:
    """What one student's kernel costs before and after its notebook, as the grader makes it
    (:class:`arabtexts.grading.execute.Kernel`: start, ready with the warm-up imports, stop),
    one kernel at a time, median of ``n``, for each way of making kernels."""
    from arabtexts.grading import execute, sandbox, zygote

    kinds = [("plain", "a fresh interpreter, no sandbox (jupyter_client)", lambda: execute._plain_kernel_manager)]
    if sandbox.sandbox_status()[0]:
        kinds.append(("bwrap", "a fresh interpreter in a bubblewrap of its own", lambda: execute.kernel_factory(sandbox=True)))
    kinds.append(("zygote-plain", "forked from the zygote, no sandbox", lambda: zygote.Zygote(sandbox=False)))
    if zygote.zygote_supported()[0]:
        kinds.append(("zygote", "forked from the zygote, each fork in its own sandbox", lambda: zygote.Zygote()))
    out: dict = {}
    for key, label, make in kinds:
        say(f"kernel start: {label} ({n}×)")
        factory = make()
        ready, stop = [], []
        try:
            for _ in range(n):
                t = time.perf_counter()
                k = execute.Kernel(factory)
                k.wait_ready(timeout=120)
                ready.append(time.perf_counter() - t)
                t = time.perf_counter()
                k.stop()
                stop.append(time.perf_counter() - t)
        finally:
            execute.close_factory(factory)
        out[key] = {"label": label, "ready": median(ready), "stop": median(stop), "n": n}
    return out


def bench_autograde(n: int, workers_list: list[int], timeout: int, loop: bool) -> dict:
    import nbformat

    from arabtexts import cli

    work = Path(tempfile.mkdtemp(prefix="arabtexts-bench-grade-"))
    old = {k: os.environ.get(k) for k in ("ARABTEXTS_EXCHANGE", "ARABTEXTS_EXECUTE_TIMEOUT", "PATH")}
    os.environ["ARABTEXTS_EXCHANGE"] = str(work / "exchange")
    os.environ["ARABTEXTS_EXECUTE_TIMEOUT"] = str(timeout)
    os.environ["PATH"] = str(BIN) + os.pathsep + os.environ.get("PATH", "")
    result: dict = {"n": n, "assignment": ASSIGNMENT, "timeout": timeout, "runs": {}}
    try:
        seed = work / "seed"
        (seed / "source").mkdir(parents=True)
        shutil.copytree(ROOT / "assignments" / "source" / ASSIGNMENT, seed / "source" / ASSIGNMENT)
        shutil.copy(ROOT / "assignments" / "nbgrader_config.py", seed / "nbgrader_config.py")
        say(f"releasing {ASSIGNMENT} in a temporary course")
        quiet = open(work / "release.log", "w")
        old_out = sys.stdout
        sys.stdout = quiet
        try:
            assert cli.main(["--course-root", str(seed), "release", ASSIGNMENT]) == 0
        finally:
            sys.stdout = old_out
            quiet.close()
        (src_path,) = sorted((seed / "source" / ASSIGNMENT).glob("*.ipynb"))
        name = src_path.stem
        src = nbformat.read(str(src_path), as_version=4)
        rel = nbformat.read(str(seed / "release" / ASSIGNMENT / f"{name}.ipynb"), as_version=4)
        klass = make_class(rel, src, n, loop=loop)
        kinds: dict[str, int] = {}
        for student, nb in klass.items():
            d = seed / "submitted" / student / ASSIGNMENT
            d.mkdir(parents=True)
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            (d / f"{name}.ipynb").write_text(text, encoding="utf-8")
            (d / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
            kind = student.split("-", 1)[1]
            kind = "broken" if kind.startswith("bad") else kind
            kinds[kind] = kinds.get(kind, 0) + 1
        result["class"] = kinds
        result["broken"] = sorted(s.split("-", 1)[1] for s in klass if "-bad-" in s)
        grade_cmd = [str(BIN / "arabtexts"), "--course-root", "{dir}", "grade", ASSIGNMENT]
        variants = [("a", "plain `nbgrader autograde` (one batch)", ["nbgrader", "autograde", ASSIGNMENT], {})]
        for w in workers_list:
            suffix = str(w) if len(workers_list) > 1 else ""
            variants.append((f"s{suffix}", f"`arabtexts grade`, sandbox on, kernels forked from the zygote ({w} workers)",
                             [*grade_cmd, "--workers", str(w)], {}))
        w = workers_list[0]
        variants.append(("b", f"`arabtexts grade`, sandbox on, a fresh bubblewrap per kernel ({w} workers)",
                         [*grade_cmd, "--workers", str(w)], {"ARABTEXTS_ZYGOTE": "0"}))
        variants.append(("n", f"`arabtexts grade --no-sandbox`, kernels forked from the zygote ({w} workers)",
                         [*grade_cmd, "--workers", str(w), "--no-sandbox"], {}))
        for key, label, cmd, extra_env in variants:
            d = work / f"course-{key}"
            shutil.copytree(seed, d)
            cmd = [str(BIN / c) if c == "nbgrader" else c.replace("{dir}", str(d)) for c in cmd]
            say(f"autograde ({key}) {label}: {n} submissions, load {loadavg()}")
            load_before = loadavg()
            r = run_measured(cmd, d, work / f"{key}.log", extra_env)
            r["label"] = label
            r["load_before"] = load_before
            r["load_after"] = loadavg()
            r["grades"] = gradebook_grades(d / "gradebook.db", ASSIGNMENT)
            r["graded_students"] = len({k[0] for k in r["grades"]})
            con = sqlite3.connect(d / "gradebook.db")
            r["integrity"] = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()
            r["log_tail"] = (work / f"{key}.log").read_text(errors="replace")[-400:]
            say(f"   {r['seconds']:.1f} s, exit {r['returncode']}, {r['graded_students']} in gradebook")
            result["runs"][key] = r
        # correctness: the one grader against plain nbgrader (today's hidden tests), cell by cell;
        # the pre-flight repairs broken submissions, so those may differ by design
        a = result["runs"]["a"]["grades"]
        for key, r in result["runs"].items():
            diff = sorted({k for k in set(a) | set(r["grades"]) if a.get(k) != r["grades"].get(k)})
            r["cells_differing_from_a"] = len(diff)
            r["differing_cells"] = [list(k) for k in diff]
            ta, tr = totals(a), totals(r["grades"])
            r["students_differing_from_a"] = sorted(s for s in set(ta) | set(tr) if ta.get(s) != tr.get(s))
            honest = [s for s in r["students_differing_from_a"] if "-bad-" not in s]
            r["honest_differing_from_a"] = honest
        keys = [k for k in result["runs"] if k != "a"]
        ref = result["runs"][keys[0]]["grades"]
        result["same_as_first_grader"] = {k: result["runs"][k]["grades"] == ref for k in keys}
        b = a
        result["max_auto"] = max(totals(b).values()) if b else None
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(work, ignore_errors=True)
    for r in result["runs"].values():
        r.pop("grades", None)
    return result


# ------------------------------------------------------------------ report


RUNS = HERE / "runs"


def runs_table() -> str:
    """Every autograde run kept in ``benchmarks/runs/`` (one JSON per run of this script)."""
    rows = []
    for f in sorted(RUNS.glob("*.json")):
        try:
            e = json.loads(f.read_text(encoding="utf-8"))
            r = e["autograde"]["runs"]
            a = r["a"]["seconds"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        zygote = "b" in r  # runs before the zygote: their sandboxed grader is what (b) measures now
        s_ = r.get("s") if zygote else None
        b_ = r.get("b") if zygote else r.get("s")
        n_ = r.get("n")

        def cell(x):
            return "—" if x is None else f"{x['seconds']:.1f} s ({a / x['seconds']:.2f}×)"

        rows.append(f"| {e['machine']['date']} | `{e['machine']['commit']}` | {e['autograde'].get('n', '?')} | "
                    f"{e['machine']['load_start']} | {a:.1f} s | {cell(s_)} | {cell(b_)} | {cell(n_)} |")
    if not rows:
        return ""
    return "\n".join(["", "### Every autograde run kept in `benchmarks/runs/`", "",
                      "Times, and in brackets the speed against (a) in the same run. Runs before the zygote "
                      "(commit `07a623e`) started a fresh bubblewrap per kernel: their sandboxed grader is listed "
                      "under (b), and their (n) started a fresh kernel per student.", "",
                      "| started | commit | class | load at start | (a) plain nbgrader | (s) sandbox, zygote | "
                      "(b) sandbox, bubblewrap per kernel | (n) no sandbox |",
                      "|---|---|---:|---|---:|---:|---:|---:|", *rows]) + "\n"


def fmt(x, unit="s", digits=2):
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return f"{x:.{digits}f} {unit}".strip()


def report(info: dict, imports: dict, nbs: dict, widgets: dict, grade: dict, args, total: float,
           load_end: str | None = None) -> str:
    L = []
    L.append("# Benchmarks of the arabtexts course\n")
    L.append(f"Generated by `python benchmarks/run.py{' --quick' if args.quick else ''}` "
             f"on {info['date']} (commit `{info['commit']}`, whole run {total / 60:.1f} min). "
             "Numbers are from one run on a shared machine: read them as orders of magnitude; "
             "`benchmarks/README.md` says how they are measured. No test asserts a timing.\n")
    L.append("## Machine\n")
    L.append("| | |\n|---|---|")
    L.append(f"| CPU | {info['cpu']} · {info['cores']} cores |")
    L.append(f"| memory | {info['memory']} |")
    L.append(f"| OS | {info['platform']} |")
    L.append(f"| Python | {info['python']} |")
    L.append(f"| load average (1/5/15 min) | at start {info['load_start']} · at end {load_end or loadavg()} |")
    L.append("| versions | " + " · ".join(f"{k} {v}" for k, v in info["versions"].items()) + " |\n")

    if imports:
        L.append("## 1. Import time\n")
        L.append("Fresh interpreter per run; time of the `import` statement only (interpreter start "
                 "excluded, except in the last row); median of "
                 f"{next(iter(imports['modules'].values()))['n']} runs.\n")
        L.append("| module | median | min |\n|---|---:|---:|")
        for m, r in imports["modules"].items():
            L.append(f"| `{m}` | {fmt(r['median'] * 1000, 'ms', 0)} | {fmt(r['min'] * 1000, 'ms', 0)} |")
        L.append(f"\nWhat `import {imports['heaviest']}` spends its time on (`python -X importtime`): "
                 "packages by cumulative time (nested, so they overlap), and the modules with the "
                 "largest time of their own:\n")
        L.append("| package (cumulative) | time | module (self) | time |\n|---|---:|---|---:|")
        tops, selfs = imports["importtime_top"], imports["importtime_self"]
        for i in range(max(len(tops), len(selfs))):
            a = f"`{tops[i][1]}` | {fmt(tops[i][0] * 1000, 'ms', 0)}" if i < len(tops) else " | "
            b = f"`{selfs[i][1]}` | {fmt(selfs[i][0] * 1000, 'ms', 0)}" if i < len(selfs) else " | "
            L.append(f"| {a} | {b} |")
        L.append("")

    if nbs:
        L.append("## 2. Lecture notebooks (nbclient, cold kernel)\n")
        k = nbs.get("_kernel", {}).get("median")
        L.append("Each run in a fresh helper process with a new kernel; time of `NotebookClient.execute()` "
                 f"(kernel start, all cells, shutdown), median of {args.nb_repeats} run(s). "
                 f"A one-cell notebook takes {fmt(k)} (kernel start + shutdown), included in every row.\n")
        L.append("| notebook | code cells | execution | kernel peak RSS | errors |\n|---|---:|---:|---:|---|")
        rows = {n: r for n, r in nbs.items() if not n.startswith("_")}
        for n, r in rows.items():
            L.append(f"| `{n}` | {r['cells']} | {fmt(r['median'])} | {fmt(r['kernel_maxrss_mb'], 'MB', 0)} | "
                     f"{', '.join(r['errors']) or 'none'} |")
        if rows:
            slow = max(rows, key=lambda n: rows[n]["median"])
            L.append(f"\nSlowest: `{slow}` ({fmt(rows[slow]['median'])}); all seven in sequence: "
                     f"{fmt(sum(r['median'] for r in rows.values()))}.\n")

    if widgets:
        c, r = widgets["concordance"], widgets["reader"]
        L.append("## 3. Widget latency (in process, no browser)\n")
        L.append("A word is typed letter by letter into the text box (`value` set for each prefix, "
                 "which runs the widget's observer: search + all HTML panes). Words: "
                 + ", ".join(f"«{w}»" for w in WORDS) + f"; {args.widget_repeats} repeat(s). "
                 "Rendering in the browser is not included.\n")
        L.append("| tool | keystrokes | median | p95 | max | creation |\n|---|---:|---:|---:|---:|---:|")
        L.append(f"| ConcordanceExplorer, all five texts | {c['n']} | {fmt(c['median'] * 1000, 'ms', 1)} | "
                 f"{fmt(c['p95'] * 1000, 'ms', 1)} | {fmt(c['max'] * 1000, 'ms', 1)} | {fmt(c['create'] * 1000, 'ms', 0)} |")
        L.append(f"| ArticleReader search, {r['article']} ({r['chars']:,} characters) | {r['n']} | "
                 f"{fmt(r['median'] * 1000, 'ms', 1)} | {fmt(r['p95'] * 1000, 'ms', 1)} | "
                 f"{fmt(r['max'] * 1000, 'ms', 1)} | {fmt(r['create'] * 1000, 'ms', 0)} |")
        L.append("\nBy length of the text typed so far (a one-letter query matches thousands of places):\n")
        L.append("| tool | 1 letter: median / p95 | 2 letters | 3+ letters |\n|---|---:|---:|---:|")
        for label, r_ in (("ConcordanceExplorer", c), ("ArticleReader", r)):
            cells = [f"{fmt(v[0] * 1000, 'ms', 1)} / {fmt(v[1] * 1000, 'ms', 1)}" for _, v in sorted(r_["by_len"].items())]
            L.append(f"| {label} | " + " | ".join(cells) + " |")
        L.append(f"\nArticleReader layer switch: median {fmt(r['layer_median'] * 1000, 'ms', 1)}. "
                 "Occurrences of the full words over the corpus: "
                 + ", ".join(f"«{w}» {n}" for w, n in c["hits"].items())
                 + f". Python heap peak during the widget runs (tracemalloc): "
                 f"{fmt(widgets['tracemalloc_peak_mb'], 'MB', 1)}.\n")

    if grade:
        runs = grade["runs"]
        n = grade["n"]
        L.append(f"## 4. Autograde throughput: a class of {n} submissions of `{grade['assignment']}`\n")
        L.append("Synthetic class built from the source solution: "
                 + ", ".join(f"{v} {k}" for k, v in grade["class"].items())
                 + f" (broken: {', '.join(grade['broken'])}). Each grader runs on its own copy of the same "
                 f"released course, one after the other; cell time limit {grade['timeout']} s "
                 "(`ARABTEXTS_EXECUTE_TIMEOUT`, for all). Memory: the grader's whole process tree "
                 "(nbgrader, zygote, kernels), sampled every 0.2 s with psutil, as PSS (a page shared by "
                 "forked kernels is divided among them, not counted in each).\n")
        L.append("| grader | wall time | per submission | submissions/min | speed vs (a) | peak PSS, tree | "
                 "largest process | exit | students ≠ (a) | grade cells ≠ (a) |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        base = runs["a"]["seconds"]
        for key, r in runs.items():
            L.append(f"| ({key}) {r['label']} | {fmt(r['seconds'], 's', 1)} | {fmt(r['seconds'] / n)} | "
                     f"{n / r['seconds'] * 60:.1f} | {base / r['seconds']:.2f}× | "
                     f"{fmt(r['peak_total_mb'], 'MB', 0)} | {fmt(r['peak_single_mb'], 'MB', 0)} | "
                     f"{r['returncode']} | {len(r['students_differing_from_a'])} | {r['cells_differing_from_a']} |")
        L.append("")
        if "s" in runs and "n" in runs:
            w = int(runs["s"]["label"].split("(")[-1].split(" ")[0])
            cost = (runs["s"]["seconds"] - runs["n"]["seconds"]) / n
            L.append(f"**Sandbox cost**: {fmt(cost, 's')} of wall time per notebook with {w} workers "
                     f"((s) − (n), divided by {n}); about {fmt(cost * w, 's')} of one worker's time per "
                     "notebook: the fork's own namespaces, private tmpfs mounts, `/proc`, a fresh uid and "
                     "rlimits, and the zygote's bubblewrap once per batch"
                     + (" — below what these runs can resolve (see the kernel table below)." if cost <= 0 else "."))
            if "b" in runs:
                save = (runs["b"]["seconds"] - runs["s"]["seconds"]) / n
                L.append(f"**What the zygote saves**: {fmt(save, 's')} of wall time per notebook ((b) − (s)): "
                         "a fresh bubblewrap, Python, `ipykernel`, pandas and the course package for each "
                         f"student; (b) is {runs['a']['seconds'] / runs['b']['seconds']:.2f}× plain nbgrader.")
            L.append("")
        ks = grade.get("kernel_start")
        if ks:
            L.append("**One kernel, as the grader makes it** (start until it answers and has imported pandas and "
                     "the course package; then stop, its processes gone), one at a time on the quiet machine, "
                     f"median of {next(iter(ks.values()))['n']}:\n")
            L.append("| kernel | start → ready | stop |\n|---|---:|---:|")
            for r in ks.values():
                L.append(f"| {r['label']} | {fmt(r['ready'], 's')} | {fmt(r['stop'], 's')} |")
            if "zygote" in ks and "zygote-plain" in ks:
                d_start = ks["zygote"]["ready"] - ks["zygote-plain"]["ready"]
                d_stop = ks["zygote"]["stop"] - ks["zygote-plain"]["stop"]
                L.append(f"\nThe sandbox's own cost per forked kernel (sandboxed − unconfined fork): "
                         f"{fmt(d_start, 's')} to start and {fmt(d_stop, 's')} to stop"
                         + (": none measurable (a negative figure is within the spread of these runs, and "
                            "the two forks differ in more than the sandbox: the unconfined one keeps the "
                            "grader's environment and home, the sandboxed one gets a clean environment and "
                            "an empty home)." if d_start <= 0 else "."))
            L.append("")
        for key, r in runs.items():
            if key == "a":
                continue
            L.append(f"({key}) differs from (a) for: {', '.join(r['students_differing_from_a']) or 'nobody'}"
                     + (f"; honest students among them: {', '.join(r['honest_differing_from_a'])}"
                        if r["honest_differing_from_a"] else "; no honest student") + ".")
        L.append("\nPlain nbgrader has no pre-flight (an invalid notebook fails, a deleted test cell is not graded "
                 "…) so broken submissions (`-bad-`) may differ by design; every honest student must get (a)'s "
                 "score in every grade cell. The graders agree with each other: "
                 + ", ".join(f"({k}) {'identical' if v else 'DIFFERENT'}" for k, v in grade.get("same_as_first_grader", {}).items())
                 + ". Gradebook integrity: " + ", ".join(f"({k}) {r['integrity']}" for k, r in runs.items())
                 + ". Load average before each run: " + ", ".join(f"({k}) {r.get('load_before', '?')}" for k, r in runs.items())
                 + ".\n")
    table = runs_table()
    if table:
        L.append(table)
    L.append("## Notes\n")
    L.append("- (s), (b) and (n) are the course's one grader (`arabtexts grade`, `arabtexts.grading.batch`): "
             "each student's notebook runs in a kernel of its own with the *visible* tests only; the declared "
             "values are read back as data and compared with the source solution's in the grader's process; "
             "scores go into the gradebook through nbgrader's own `SaveAutoGrades`. One process (threads "
             "driving the kernels) pays nbgrader's start-up once. In (s) and (n) every kernel is forked from "
             "one warm zygote that imported `ipykernel`, pandas and the course package once "
             "(`arabtexts.grading.zygote`); in (s) each fork builds its own sandbox (namespaces, private "
             "tmpfs, fresh uid, rlimits) before any student code runs; in (b) each kernel is a new "
             "interpreter in a bubblewrap of its own (what graders without root get). Each worker starts its "
             "next kernel while the current one runs and kills each kernel as soon as its notebook is done. "
             "The first run of a course also runs the source solution once in a trusted kernel (expected "
             "values, then cached); that is included in the times above.")
    L.append("- Kernels are never reused between students (that would let one student's state change "
             "another's score).")
    L.append("- The machine is shared with other jobs (see the load averages above), so absolute times are "
             "noisy; the graders ran one after the other on the same class.")
    sections = sorted((HERE / "sections").glob("*.md")) if (HERE / "sections").is_dir() else []
    for sec in sections:
        L.append("")
        L.append(sec.read_text(encoding="utf-8").rstrip("\n"))
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="benchmarks of the arabtexts course → benchmarks/REPORT.md")
    p.add_argument("--quick", action="store_true", help="8 submissions, fewer repeats")
    p.add_argument("--submissions", type=int, default=None, help="class size (default 50, quick 8)")
    p.add_argument("--workers", default=None,
                   help="grader worker counts to compare, e.g. 2,3 (default: the number of cores)")
    p.add_argument("--timeout", type=int, default=15, help="cell time limit while grading (s)")
    p.add_argument("--only", default="imports,notebooks,widgets,autograde",
                   help="comma-separated sections to run")
    p.add_argument("--out", default=str(HERE / "REPORT.md"))
    p.add_argument("--json", default=None,
                   help="write the raw numbers here too (they always go to benchmarks/runs/<start>.json)")
    p.add_argument("--render-from", default=None,
                   help="only re-write the report from a JSON file of an earlier run (--json)")
    args = p.parse_args(argv)
    if args.render_from:
        raw = json.loads(Path(args.render_from).read_text(encoding="utf-8"))
        meta = raw["meta"]
        args.quick, args.nb_repeats, args.widget_repeats = meta["quick"], meta["nb_repeats"], meta["widget_repeats"]
        grade = raw["autograde"]
        text = report(raw["machine"], raw["imports"], raw["notebooks"], raw["widgets"], grade, args,
                      meta["total"], load_end=meta["load_end"])
        Path(args.out).write_text(text, encoding="utf-8")
        say(f"wrote {args.out} from {args.render_from}")
        return 0
    args.import_repeats = 3 if args.quick else 7
    args.nb_repeats = 1 if args.quick else 2
    args.widget_repeats = 1 if args.quick else 3
    n = args.submissions or (8 if args.quick else 50)
    workers = [int(x) for x in args.workers.split(",")] if args.workers else [os.cpu_count() or 1]
    only = set(args.only.split(","))
    t0 = time.perf_counter()
    info = machine_info()
    say(f"benchmarks: {'quick' if args.quick else 'full'} run, load {info['load_start']}")
    imports = bench_imports(args.import_repeats) if "imports" in only else {}
    nbs = bench_notebooks(args.nb_repeats) if "notebooks" in only else {}
    widgets = bench_widgets(args.widget_repeats) if "widgets" in only else {}
    grade = bench_autograde(n, workers, args.timeout, loop=not args.quick) if "autograde" in only else {}
    if grade:
        grade["kernel_start"] = bench_kernel_start(5 if args.quick else 15)
    raw = {"machine": info, "imports": imports, "notebooks": nbs, "widgets": widgets, "autograde": grade,
           "meta": {"quick": args.quick, "nb_repeats": args.nb_repeats, "widget_repeats": args.widget_repeats,
                    "total": time.perf_counter() - t0, "load_end": loadavg()}}
    RUNS.mkdir(exist_ok=True)
    stamp = info["date"].replace(" UTC", "").replace(" ", "T").replace(":", "")
    for path in [RUNS / f"{stamp}.json", *([Path(args.json)] if args.json else [])]:
        path.write_text(json.dumps(raw, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    text = report(info, imports, nbs, widgets, grade, args, raw["meta"]["total"])
    Path(args.out).write_text(text, encoding="utf-8")
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
