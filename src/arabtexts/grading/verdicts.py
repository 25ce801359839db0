"""Verdicts: the grader's own decision for each autograded test cell, made outside the kernel.

A test cell passes when its visible tests ran without error in the student's kernel AND every
declared check's value equals the expected value (:func:`.compare.explain`). The visible
tests' result can only take points away (a student who fakes it still faces the checks); the
checks are compared here, in the grader's process, on plain data.

>>> from arabtexts.grading.declarations import Check, Question
>>> q = Question("q2-tests", 2.0, (Check.from_dict({"expr": "n_raw", "visible": True}, 1),))
>>> v = verdict(q, [10], [10], None)
>>> v.passed, v.score
(True, 2.0)
>>> verdict(q, ["10"], [10], None).messages
['n_raw: expected a number, got a string · المتوقع عددًا، والمعطى نصًّا (str)']
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .compare import explain
from .declarations import Question

MAX_MESSAGES = 6


@dataclass
class Verdict:
    grade_id: str
    max: float
    passed: bool
    messages: list = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.max if self.passed else 0.0

    def as_dict(self) -> dict:
        return {"score": self.score, "max": self.max, "passed": self.passed, "messages": list(self.messages)}


def verdict(q: Question, got: list, expected: list, visible_error: tuple | None) -> Verdict:
    """The verdict of one question from the student's values, the expected values and the
    visible tests' error (``(ename, evalue)`` or ``None``)."""
    messages = visible_messages(visible_error)
    for check, g, e in zip(q.checks, got, expected):
        messages.extend(explain(g, e, check.options, label=check.label, required=check.type,
                                show_error_text=check.visible))
    if len(messages) > MAX_MESSAGES:
        more = len(messages) - MAX_MESSAGES + 1
        messages = messages[:MAX_MESSAGES - 1] + [f"… and {more} more · و{more} غيرها"]
    return Verdict(q.grade_id, q.points, not messages, messages)


def visible_messages(visible_error: tuple | None) -> list[str]:
    """What a failed visible test says (the grader and the self-check use the same words)."""
    if visible_error is None:
        return []
    ename, evalue = visible_error
    first = (evalue or "").strip().splitlines()[0][:300] if (evalue or "").strip() else ""
    if ename in ("CellTimeoutError", "DeadKernelError"):
        return [f"the test cell did not finish ({ename}) · لم تكتمل خلية الاختبار"]
    return [f"the visible tests failed: {ename}{': ' + first if first else ''} · فشلت الاختبارات الظاهرة"]


def verdict_text(v: Verdict) -> str:
    """What the autograded notebook shows in place of a test cell's output."""
    if v.passed:
        return f"✓ {v.grade_id}: every check passed ({v.score:g}/{v.max:g}) · نجحت كل الاختبارات\n"
    return (f"✗ {v.grade_id}: 0/{v.max:g} · لم تنجح كل الاختبارات\n"
            + "".join(f"  - {m}\n" for m in v.messages))
