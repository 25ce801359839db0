"""nbgrader's exchange with private submissions (installed into the hub's shared environment).

nbgrader 0.9's default ``submit`` leaves each submission in ``inbound/`` as a folder any account
can enter (mode 0777) holding files any account can read (0644): students cannot *list*
``inbound/`` (0733), but whoever learns or guesses a folder's name
(``<student>+<assignment>+<timestamp>+<random>``) can read, and even replace, another student's
work. On a hub every student is a Unix account, so this matters.

:class:`PrivateExchangeSubmit` submits exactly as nbgrader does, then closes the submission to
its owner and the inbound folder's group (nbgrader's release makes ``inbound/`` set-group-id, so
that group is the grader's): folders 0770, files 0640. The grader collects (group read) and
cleans up (group write) as before; other students get "permission denied".

Enable it in nbgrader_config.py (``install_hub.py`` does)::

    c.ExchangeFactory.submit = "arabtexts_hub_exchange.PrivateExchangeSubmit"

Arabic file names survive unchanged: a submitted ``ملاحظات.txt`` becomes mode 0640 too.
"""
from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit

DIR_MODE = 0o770
FILE_MODE = 0o640


def close_to_group(path: str) -> None:
    """Make ``path`` (a submission folder) readable by its owner and its group only."""
    for dirpath, dirnames, filenames in os.walk(path):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), FILE_MODE)
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), DIR_MODE)
    os.chmod(path, DIR_MODE)


class PrivateExchangeSubmit(ExchangeSubmit):
    """nbgrader's submit; the submission is then closed to everyone but its student and the grader.

    Every file must belong to the grader's group. nbgrader's copy (``shutil.copytree``) ends by
    copying the mode of the student's folder onto the submission folder, which drops its
    set-group-id bit (a student cannot set it on a group they are not in), so the
    ``timestamp.txt`` and ``submission_secret.txt`` written afterwards would belong to the
    student's own group and the grader could not collect them. The copy is therefore made into
    a staging folder inside the submission folder, whose set-group-id bit (inherited from
    ``inbound/``) nobody touches, and moved up.
    """

    def do_copy(self, src, dest, *args, **kwargs):
        inbound = getattr(self, "inbound_path", None)
        if not inbound or os.path.dirname(os.path.abspath(dest)) != os.path.abspath(inbound):
            return super().do_copy(src, dest, *args, **kwargs)
        os.mkdir(dest)  # in inbound/: the grader's group and the set-group-id bit, inherited
        staging = os.path.join(dest, ".staging")
        super().do_copy(src, staging, *args, **kwargs)  # nbgrader's size limits and ignore rules
        for name in os.listdir(staging):
            os.rename(os.path.join(staging, name), os.path.join(dest, name))
        os.rmdir(staging)

    def copy_files(self):
        super().copy_files()
        close_to_group(os.path.join(self.inbound_path, self.assignment_filename))
