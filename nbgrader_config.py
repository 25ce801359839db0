"""Repository-root nbgrader configuration: a JupyterLab started here finds the course.

The course directory is ./assignments; its configuration lives in
assignments/nbgrader_config.py and is loaded from here, so both places agree.
"""
from pathlib import Path

_course_config = Path(__file__).resolve().parent / "assignments" / "nbgrader_config.py"
exec(compile(_course_config.read_text(encoding="utf-8"), str(_course_config), "exec"),
     {"get_config": get_config, "__file__": str(_course_config)})  # noqa: F821
