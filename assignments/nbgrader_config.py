"""nbgrader configuration of the course «arabtexts» (this folder is the course directory).

Used by `nbgrader …` run in this folder, by the `arabtexts …` commands (which run nbgrader here)
and, through ../nbgrader_config.py, by a JupyterLab started at the repository root (formgrader,
Assignment List, Create Assignment, Validate).

Environment overrides:
  ARABTEXTS_EXCHANGE         the exchange folder (default: ./exchange, git-ignored)
  ARABTEXTS_EXECUTE_TIMEOUT  seconds a cell may run during autograde/validate (default 60)
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when the file is loaded

HERE = Path(__file__).resolve().parent

# --- course and folders --------------------------------------------------------------
c.CourseDirectory.course_id = "arabtexts"
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"
# grading logs and local files never go into a release
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.log",
                            ".arabtexts-cache", "reports"]

# --- exchange (release / fetch / submit / collect on one machine) -----------------------
c.Exchange.root = os.environ.get("ARABTEXTS_EXCHANGE", str(HERE / "exchange"))
Path(c.Exchange.root).mkdir(parents=True, exist_ok=True)

# --- execution -----------------------------------------------------------------------
# the notebooks run in a few seconds; 60 s per cell leaves room for slow machines while
# an infinite loop costs one minute, not a whole batch
c.Execute.timeout = int(os.environ.get("ARABTEXTS_EXECUTE_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True

# --- student version -----------------------------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE · اكتب إجابتك هنا"

# --- feedback: built from the grader's verdicts, every output scrubbed ------------------
# `arabtexts grade` writes the autograded notebooks with each test cell's output replaced by the
# grader's verdict and its notes/flags in a first cell (arabtexts.grading.gradebook).
# ScrubOutputs removes, from EVERY output, lines of hidden tests, of the source solution, other
# students' ids and the grader's environment values (nbgrader's ClearHiddenTests only cleans the
# source); NeutraliseMarkers defuses "BEGIN HIDDEN TESTS" written by a student, so nothing a
# student writes can make generate_feedback fail.
# a student's HTML/JavaScript is never live in a page the instructor or the student opens (the
# grader already keeps only inert outputs; this is the second wall)
c.HTMLExporter.sanitize_html = True
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "arabtexts.grading.feedback.ScrubOutputs",
    "arabtexts.grading.feedback.NeutraliseMarkers",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# --- the assignments of the course ----------------------------------------------------
# nbgrader 0.9 has no db_assignments option: `arabtexts release <name>` (and `arabtexts
# db-sync`) add every folder of source/ to the gradebook with `nbgrader db assignment add`.
