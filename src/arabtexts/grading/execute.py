"""Run one notebook in a kernel and read the declared values: the only place student code runs.

What goes into the kernel: the notebook's code cells in order (answers, the student's own
cells, and the *visible* part of each test cell — the hidden-test region is cut out before
anything is sent, so hidden test code never reaches a student's kernel), and after each test
cell one extraction cell that evaluates that question's declared expressions and hands back
their values as data (:mod:`.serialize`). Nothing comes back but outputs and data; the
verdicts are made elsewhere (:mod:`.verdicts`).

Limits: a time limit per cell (the cell is interrupted, then the kernel killed if it does not
stop), a cap on the output kept per cell and per notebook, and the kernel is killed at once
when the notebook is done (``shutdown_kernel(now=True)``). The kernel itself is confined by
:mod:`.sandbox` (memory, processes, CPU time, files, network).

>>> visible_source("x = 1\\n### BEGIN HIDDEN TESTS\\nassert x == 1\\n### END HIDDEN TESTS\\nprint(x)")
'x = 1\\nprint(x)'
"""
from __future__ import annotations

import os
import queue
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import serialize
from .declarations import Question, is_test_cell
from .preflight import BEGIN_HIDDEN, END_HIDDEN
from .values import ErrorValue

#: code run in every kernel before the student's notebook (imports the setup cells need anyway)
WARMUP = ("import os as _os\n_os.environ['MPLBACKEND'] = 'module://matplotlib_inline.backend_inline'\n"
          "import pandas, numpy, arabtexts.corpus, arabtexts.normalize, arabtexts.tokenize\ndel _os\n")
CELL_OUTPUT_CAP = 256 * 1024
NOTEBOOK_OUTPUT_CAP = 4 * 2**20


def visible_source(source: str) -> str:
    """A test cell's source without its hidden-test region (what may run in a student's kernel)."""
    out, inside = [], False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            inside = True
            continue
        if END_HIDDEN in line:
            inside = False
            continue
        if not inside:
            out.append(line)
    return "\n".join(out).strip("\n")


@dataclass
class Run:
    """What one notebook's run produced."""

    outputs: dict = field(default_factory=dict)  # cell index -> list of nbformat outputs
    values: dict = field(default_factory=dict)  # grade_id -> list of decoded values
    visible_errors: dict = field(default_factory=dict)  # grade_id -> (ename, evalue)
    timeouts: list = field(default_factory=list)  # cell indices
    truncated: list = field(default_factory=list)  # cell indices whose output was cut
    died: str | None = None  # why the kernel died, if it did
    seconds: float = 0.0


def _plain_kernel_manager(scratch: Path):
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km._arabtexts_cwd = str(scratch)  # type: ignore[attr-defined]
    return km


def kernel_factory(*, sandbox: bool, limits=None, zygote: bool = False, log=None):
    """A function ``scratch -> KernelManager`` (not started): confined by :mod:`.sandbox`, or
    plain when ``sandbox`` is false and the sandbox module is missing.

    ``zygote=True`` (a batch): kernels are forked from one warm zygote (:mod:`.zygote`) where
    this machine allows it (sandboxed: as root on Linux), else each starts afresh (sandboxed: in
    a bubblewrap of its own); ``ARABTEXTS_ZYGOTE=0`` turns the zygote off. ``log`` is told which.
    Close the factory when done (:func:`close_factory`)."""
    try:
        from . import sandbox as sb
    except ImportError:
        sb = None
    if sb is None:
        if sandbox:
            raise RuntimeError("the sandbox module (arabtexts.grading.sandbox) is not installed")
        return _plain_kernel_manager

    if zygote and os.environ.get("ARABTEXTS_ZYGOTE", "1") == "0":
        zygote = False
        if log:
            log("kernels: a fresh one per student, no zygote (ARABTEXTS_ZYGOTE=0)")
    if zygote:
        from .zygote import Zygote, ZygoteUnavailable, zygote_supported

        ok, why = zygote_supported() if sandbox else (True, "")
        if ok:
            try:
                kw = {"limits": limits} if limits is not None else {}
                z = Zygote(sandbox=sandbox, **kw)
                if log:
                    log("kernels: forked from a warm zygote" + (", each in namespaces of its own (sandbox)"
                                                                if sandbox else " (no sandbox)"))
                return z
            except (ZygoteUnavailable, OSError, RuntimeError) as exc:
                why = str(exc)
        if log:
            log(f"kernels: a fresh one per student{' in its own bubblewrap' if sandbox else ''} (no zygote: {why})")

    def make(scratch: Path):
        kw = {"sandbox": sandbox}
        if limits is not None:
            kw["limits"] = limits
        return sb.kernel_manager(scratch, **kw)

    return make


def close_factory(factory) -> None:
    """Stop what a factory holds (the zygote), if anything."""
    close = getattr(factory, "close", None)
    if callable(close):
        close()


class Kernel:
    """A started kernel with its client, for one notebook (never reused for another)."""

    def __init__(self, factory, *, warmup: bool = True):
        self.scratch = Path(tempfile.mkdtemp(prefix="arabtexts-kernel-"))
        self.km = factory(self.scratch)
        cwd = getattr(self.km, "_arabtexts_cwd", None)
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)
        env["NBGRADER_EXECUTION"] = "autograde"
        if cwd:
            self.km.start_kernel(cwd=cwd, env=env)
        else:
            self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.warmup = warmup
        self.warm_id = None
        self.started = time.monotonic()
        self.garbled = False

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the kernel answers and has run its warm-up (imports); once per kernel."""
        if getattr(self, "ready", False):
            return
        self.kc.wait_for_ready(timeout=timeout)
        if self.warmup:
            # after wait_for_ready (which drains IOPub): the warm-up's own messages are then ours
            self.warm_id = self.kc.execute(WARMUP, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    msg = self.kc.get_iopub_msg(timeout=1.0)
                except queue.Empty:
                    if not self.alive():
                        break
                    continue
                except Exception:  # noqa: BLE001 - let the notebook's run find a broken kernel
                    break
                if isinstance(msg, dict) and msg.get("parent_header", {}).get("msg_id") == self.warm_id \
                        and msg.get("msg_type") == "status" and msg.get("content", {}).get("execution_state") == "idle":
                    break
        self.ready = True

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:  # noqa: BLE001
            return False

    def stop(self) -> None:
        import shutil

        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            try:
                self.km.kill_kernel()
            except Exception:  # noqa: BLE001
                pass
        try:
            self.km.cleanup_resources()
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)

    # ------------------------------------------------------------------ one execution

    def execute(self, code: str, timeout: float, *, store_history: bool = True,
                cap: int = CELL_OUTPUT_CAP, inert: bool = True) -> tuple[list, str | None, bool]:
        """Run ``code``; return (outputs, status, truncated). status: None (done), "timeout", "dead".
        ``inert``: displays keep only inert kinds (:func:`inert_data`); off only for the grader's
        own extraction cell, whose payload is decoded, never shown."""
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False)
        outputs: list = []
        size = 0
        truncated = False
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if not interrupted:
                    interrupted = True
                    try:
                        self.km.interrupt_kernel()
                    except Exception:  # noqa: BLE001
                        return outputs, "dead", truncated
                    deadline = time.monotonic() + 5
                    continue
                return outputs, "timeout-dead", truncated
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.alive():
                    return outputs, "dead", truncated
                continue
            except Exception:  # noqa: BLE001 - a malformed message: the notebook broke the kernel itself
                self.garbled = True
                return outputs, "dead", truncated
            if not isinstance(msg, dict):
                self.garbled = True
                return outputs, "dead", truncated
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            mt, content = msg.get("msg_type"), msg.get("content", {})
            if mt == "status" and content.get("execution_state") == "idle":
                return outputs, ("timeout" if interrupted else None), truncated
            out = _output(mt, content, inert=inert)
            if out is None:
                if mt == "clear_output":
                    outputs.clear()
                continue
            n = _size(out)
            if size + n > cap:
                truncated = True
                continue
            size += n
            if out["output_type"] == "stream" and outputs and outputs[-1]["output_type"] == "stream" \
                    and outputs[-1]["name"] == out["name"]:
                outputs[-1]["text"] += out["text"]
            else:
                outputs.append(out)


#: what a student's output may carry into the autograded notebook, the formgrader and the
#: feedback: nothing a browser would run (HTML, SVG, JavaScript, widgets are not kept live)
INERT_MIMES = ("text/plain", "image/png", "image/jpeg", "image/gif")
_TAG = re.compile(r"<[^>]*>")


def inert_data(data: dict) -> dict:
    """A display's data reduced to inert kinds: a student's HTML or JavaScript would run in the
    instructor's browser (formgrader, feedback) with the instructor's Jupyter session.
    HTML with no plain-text twin is kept as its text, tags removed.

    >>> inert_data({"text/html": "<b>العراق</b><script>x()</script>", "application/javascript": "x()"})
    {'text/plain': 'العراقx()'}
    >>> inert_data({"text/plain": "df", "text/html": "<table></table>"})
    {'text/plain': 'df'}
    """
    out = {k: v for k, v in data.items() if k in INERT_MIMES}
    if "text/plain" not in out and isinstance(data.get("text/html"), (str, list)):
        html = data["text/html"]
        out["text/plain"] = _TAG.sub("", "".join(html) if isinstance(html, list) else html)
    return out


def _output(mt: str, content: dict, *, inert: bool = True):
    import nbformat

    if mt == "stream":
        return nbformat.v4.new_output("stream", name=str(content.get("name", "stdout")),
                                      text=str(content.get("text", "")))
    if mt in ("display_data", "execute_result"):
        data = content.get("data", {}) if isinstance(content.get("data"), dict) else {}
        data = inert_data(data) if inert else data
        if mt == "execute_result":
            return nbformat.v4.new_output("execute_result", data=data, metadata=content.get("metadata", {}),
                                          execution_count=content.get("execution_count"))
        return nbformat.v4.new_output("display_data", data=data, metadata=content.get("metadata", {}))
    if mt == "error":
        tb = content.get("traceback", [])
        return nbformat.v4.new_output("error", ename=str(content.get("ename", "Error")),
                                      evalue=str(content.get("evalue", "")),
                                      traceback=[str(t) for t in tb] if isinstance(tb, list) else [])
    return None


def _size(out) -> int:
    if out["output_type"] == "stream":
        return len(out["text"])
    if out["output_type"] == "error":
        return len(out["evalue"]) + sum(len(t) for t in out["traceback"])
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in out.get("data", {}).values())


def run_notebook(nb, questions: list[Question], kernel: Kernel, *, timeout: float,
                 total_cap: int = NOTEBOOK_OUTPUT_CAP) -> Run:
    """Execute ``nb`` (only read) in ``kernel`` and extract every question's declared values.

    The kernel is stopped before this returns.
    """
    t0 = time.monotonic()
    run = Run()
    by_gid = {q.grade_id: q for q in questions}
    nonce = secrets.token_hex(16)
    total = 0
    try:
        kernel.wait_ready(timeout=max(60.0, timeout))
        for i, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            gid = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
            test = is_test_cell(cell)
            source = visible_source(cell.source) if test else cell.source
            if run.died:
                break
            outs, status, trunc = kernel.execute(source, timeout,
                                                 cap=min(CELL_OUTPUT_CAP, max(0, total_cap - total)))
            total += sum(_size(o) for o in outs)
            if trunc:
                run.truncated.append(i)
            if status in ("timeout", "timeout-dead"):
                run.timeouts.append(i)
                outs.append(_error_output("CellTimeoutError", f"stopped after {timeout:g} s"))
            if status in ("dead", "timeout-dead"):
                run.died = ("the kernel's messages were malformed (the notebook broke the kernel's own code)"
                            if kernel.garbled else "the kernel died (out of memory, killed, or a crash)") \
                    if status == "dead" else "the kernel did not stop after its time limit and was killed"
                outs.append(_error_output("DeadKernelError", run.died))
            run.outputs[i] = outs
            if test:
                err = next((o for o in outs if o["output_type"] == "error"), None)
                if err is not None:
                    run.visible_errors[gid] = (err["ename"], err["evalue"])
            if test and gid in by_gid and not run.died:
                run.values[gid] = _extract(kernel, by_gid[gid], nonce, timeout)
        for q in questions:
            run.values.setdefault(q.grade_id, [ErrorValue("NotRun", run.died or "the question's test cell did not run")]
                                  * len(q.checks))
    finally:
        kernel.stop()
        run.seconds = time.monotonic() - t0
    return run


def _extract(kernel: Kernel, q: Question, nonce: str, timeout: float) -> list:
    code = serialize.setup_code() + serialize.extraction_cell(q.exprs, nonce)
    outs, status, _ = kernel.execute(code, timeout, store_history=False, cap=serialize.MAX_PAYLOAD, inert=False)
    if status is not None:
        what = "Timeout" if status.startswith("timeout") else "DeadKernel"
        return [ErrorValue(what, "")] * len(q.checks)
    for o in outs:
        if o["output_type"] == "display_data" and serialize.MIME in o.get("data", {}):
            vals = serialize.decode_payload(o["data"][serialize.MIME], nonce, len(q.checks))
            if vals is not None:
                return vals
    return [ErrorValue("NoValue", "the values were not handed back")] * len(q.checks)


def _error_output(ename: str, evalue: str):
    import nbformat

    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
