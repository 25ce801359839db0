"""Moved: grading lives in :mod:`arabtexts.grading` (kept so old imports keep working).

``run_nbgrader``, ``course_root``, ``grading_lock`` … are in :mod:`arabtexts.grading.gradebook`;
the grader is :func:`arabtexts.grading.batch.grade_class` (``arabtexts grade``).

>>> from arabtexts.autograde import run_nbgrader
>>> run_nbgrader.__module__
'arabtexts.grading.gradebook'
"""
from .grading.gradebook import (  # noqa: F401
    course_root, grading_lock, nbgrader_cmd, run_nbgrader, submitted_students, tool_env,
)
