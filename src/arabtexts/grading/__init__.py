"""arabtexts.grading: answer checking and the course's grading engine, one module per concern.

For lessons and tests (imported eagerly, they are light)::

    from arabtexts.grading import same_answer, check, answer_hash, canonical, describe

- :mod:`.compare`      canonical form, ``same_answer``, ``answer_hash``, ``check``; the
                       comparison of declared checks with bilingual explanations
- :mod:`.values`       the inert values a student's kernel hands in
- :mod:`.kernel_extract` the encoder sent into a kernel (as text)
- :mod:`.serialize`    the value format and its defensive decoder
- :mod:`.declarations` what each autograded test cell checks (``metadata.arabtexts``)
- :mod:`.preflight`    repairing a submission before grading
- :mod:`.execute`      running a submission in a (sandboxed) kernel and reading the values
- :mod:`.expected`     expected values from the source notebook in a trusted kernel
- :mod:`.verdicts`     per-cell verdicts from values, expected values and visible tests
- :mod:`.gradebook`    nbgrader as the record (autograded notebooks, grades, lock)
- :mod:`.feedback`     feedback built from trusted verdicts, scrubbed
- :mod:`.batch`        the one parallel grader
- :mod:`.selfcheck`    the self-learner's check with hashed expected values
- :mod:`.sandbox`, :mod:`.tamper`  the kernel's confinement and tamper flags
- :mod:`.zygote`       kernels forked from one warm zygote, each confined before it runs

>>> same_answer("الكـاظمي", "الكاظمي")
True
"""
from __future__ import annotations

from .compare import (  # noqa: F401
    HASH_DIGITS,
    HASH_VERSION,
    AnswerTypeError,
    _say_en,
    _split_shape,
    answer_hash,
    canonical,
    check,
    describe,
    same_answer,
)

__all__ = ["same_answer", "answer_hash", "check", "canonical", "describe", "AnswerTypeError",
           "HASH_VERSION", "HASH_DIGITS"]
