"""JupyterHub for one class of the arabtexts course (nbgrader's "one class, one grader" layout).

Started by ``install_hub.py`` (or by hand) with ``ARABTEXTS_HUB_SETTINGS`` naming the
``settings.json`` it wrote::

    ARABTEXTS_HUB_SETTINGS=/opt/arabtexts/hub/settings.json \\
        /opt/arabtexts/env/bin/jupyterhub -f /opt/arabtexts/course/deploy/jupyterhub/jupyterhub_config.py

* **Accounts**: every student and instructor is a Unix account and logs in with its password
  (PAM). nbgrader's exchange names submissions after the OS user, so this is what keeps
  students apart. Groups: ``students``, ``instructors``, ``formgrade-arabtexts``.
* **Servers**: the hub (root) starts each user's ``jupyterhub-singleuser`` as that user, from the
  shared read-only environment; ``singleuser.py`` first copies missing lessons into
  ``~/arabtexts-lessons`` (never overwriting a student's edits).
* **Formgrader**: a hub service ``arabtexts`` run as ``grader-arabtexts`` in its course directory
  (gradebook, source, submissions; mode 700). Only the ``formgrade-arabtexts`` group may reach it
  (RBAC scope ``access:services!service=arabtexts``). JupyterHub ≥ 4.1 forbids framing
  (``frame-ancestors 'none'``), so the formgrader is opened in its own tab at
  ``/services/arabtexts/formgrader`` (the service's default page), not in JupyterLab's iframe.
* **Students**: nbgrader's Assignment List and Validate; formgrader, Create Assignment and the
  course list are disabled in the shared environment.

Example of a group name that reaches the formgrader: ``formgrade-arabtexts`` («المصححون»).
"""
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

_settings_file = os.environ.get("ARABTEXTS_HUB_SETTINGS")
if not _settings_file or not Path(_settings_file).is_file():
    raise SystemExit("ARABTEXTS_HUB_SETTINGS must name the settings.json written by "
                     "deploy/jupyterhub/install_hub.py (got %r)" % _settings_file)
S = json.loads(Path(_settings_file).read_text(encoding="utf-8"))

COURSE = S["course_id"]
ENV_BIN = Path(S["env"]) / "bin"
STATE = Path(S["state"])
PATH = f"{ENV_BIN}:/usr/local/bin:/usr/bin:/bin"

# --- network: the proxy is public, the hub and the grader's service stay on 127.0.0.1 -------
c.JupyterHub.ip = S["ip"]
c.JupyterHub.port = int(S["port"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(S["hub_port"])
c.ConfigurableHTTPProxy.command = [S["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(S['proxy_api_port'])}"
c.ConfigurableHTTPProxy.should_start = True

# --- state (root only) -------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- who may log in: real Unix accounts, real passwords ----------------------------------
c.JupyterHub.authenticator_class = "pam"
# no PAM session: containers and small VMs often lack logind; authentication is still PAM's
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(S["students"]) | set(S["instructors"])
c.Authenticator.admin_users = set(S.get("admins", []))

c.JupyterHub.load_groups = {
    "students": {"users": list(S["students"])},
    "instructors": {"users": list(S["instructors"])},
    f"formgrade-{COURSE}": {"users": list(S["instructors"])},
}
c.JupyterHub.load_roles = [
    {
        "name": f"formgrader-{COURSE}",
        "description": "reach the course's formgrader service",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}", "list:services",
                   f"read:services!service={COURSE}"],
    },
]

# --- every user's server ------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENV_BIN / "python"), str(Path(S["course"]) / "deploy" / "jupyterhub" / "singleuser.py")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "PATH": PATH,  # nbgrader runs alembic as a subprocess: the environment's bin comes first
    "ARABTEXTS_NOTEBOOKS": str(Path(S["course"]) / "notebooks"),
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
# nothing of the hub's own environment leaks into the users' (VIRTUAL_ENV would make IPython add
# another environment's packages to every kernel; PYTHONPATH likewise)
c.Spawner.env_keep = ["LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
# a class logging in at once: do not let the hub refuse spawns while many are pending
c.JupyterHub.concurrent_spawn_limit = int(S.get("concurrent_spawn_limit", 50))
c.JupyterHub.active_server_limit = int(S.get("active_server_limit", 0))

# --- the formgrader: one service, run as the grader, in the course directory -------------
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": f"http://127.0.0.1:{int(S['service_port'])}",
        "command": [str(ENV_BIN / "jupyterhub-singleuser"),
                    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=True"],
        "user": S["grader"],
        "cwd": S["grader_course_dir"],
        "environment": {
            "PATH": PATH,
            "HOME": str(Path(S["grader_course_dir"]).parent),
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "ARABTEXTS_EXCHANGE": S["exchange"],
            "ARABTEXTS_COURSE_ROOT": S["grader_course_dir"],
        },
        "oauth_no_confirm": True,
    }
]
