"""The deployment files, checked without a hub: what cannot run here is at least parsed and
compared (Zero to JupyterHub's values and image, the proxy's npm lock, the hub's config)."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "deploy" / "jupyterhub"
Z2JH = ROOT / "deploy" / "z2jh"
sys.path.insert(0, str(HUB))

import install_hub  # noqa: E402
import singleuser  # noqa: E402


def test_proxy_is_pinned_and_locked():
    pkg = json.loads((HUB / "package.json").read_text())
    lock = json.loads((HUB / "package-lock.json").read_text())
    want = pkg["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", want), "pin an exact version"
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == want
    assert lock["packages"][""]["dependencies"] == pkg["dependencies"]


def test_z2jh_values_mount_a_read_write_many_exchange():
    values = yaml.safe_load((Z2JH / "values.yaml").read_text())
    pvc = yaml.safe_load((Z2JH / "exchange-pvc.yaml").read_text())
    assert pvc["kind"] == "PersistentVolumeClaim" and pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    su = values["singleuser"]
    vols = {v["name"]: v for v in su["storage"]["extraVolumes"]}
    mounts = {m["name"]: m for m in su["storage"]["extraVolumeMounts"]}
    (name,) = [n for n, v in vols.items() if v["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]]
    dockerfile = (Z2JH / "Dockerfile").read_text()
    assert f'c.Exchange.root = "{mounts[name]["mountPath"]}"' in dockerfile
    assert su["image"]["name"] and su["image"]["tag"]
    role = values["hub"]["loadRoles"]["formgrader-arabtexts"]
    assert "access:services!service=arabtexts" in role["scopes"]
    assert "arabtexts" in values["hub"]["services"]


def test_z2jh_image_installs_the_same_requirements_and_hub_version():
    dockerfile = (Z2JH / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r /opt/arabtexts/course/requirements.txt" in dockerfile
    assert re.search(r"COPY[^\n]*requirements\.txt", dockerfile)
    assert f'"{install_hub.JUPYTERHUB}"' in dockerfile, "the image's jupyterhub must match the hub's"
    assert "assignments/source" not in dockerfile.replace("assignments' source", ""), \
        "the solutions must not be in the students' image"
    assert "PrivateExchangeSubmit" in dockerfile


def _config(tmp_path, **over):
    settings = {
        "course_id": "arabtexts", "prefix": str(tmp_path), "env": str(tmp_path / "env"),
        "course": str(tmp_path / "course"), "exchange": str(tmp_path / "exchange"),
        "grader": "grader-arabtexts", "grader_course_dir": "/home/grader-arabtexts/arabtexts",
        "proxy": "/x/configurable-http-proxy", "state": str(tmp_path / "hub"), "ip": "127.0.0.1",
        "port": 8000, "hub_port": 8081, "proxy_api_port": 8001, "service_port": 9999,
        "instructors": ["t_amal"], "students": ["s_karim", "s_noor"], **over}
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings, ensure_ascii=False))
    from traitlets.config import Config

    c = Config()
    old = os.environ.get("ARABTEXTS_HUB_SETTINGS")
    os.environ["ARABTEXTS_HUB_SETTINGS"] = str(path)
    try:
        code = (HUB / "jupyterhub_config.py").read_text()
        exec(compile(code, "jupyterhub_config.py", "exec"), {"get_config": lambda: c, "__file__": "x"})
    finally:
        if old is None:
            os.environ.pop("ARABTEXTS_HUB_SETTINGS")
        else:
            os.environ["ARABTEXTS_HUB_SETTINGS"] = old
    return c


def test_hub_config_groups_roles_and_the_graders_service(tmp_path):
    c = _config(tmp_path)
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.allowed_users == {"t_amal", "s_karim", "s_noor"}
    assert c.JupyterHub.load_groups["formgrade-arabtexts"]["users"] == ["t_amal"]
    assert c.JupyterHub.load_groups["students"]["users"] == ["s_karim", "s_noor"]
    (role,) = c.JupyterHub.load_roles
    assert role["groups"] == ["formgrade-arabtexts"]
    assert "access:services!service=arabtexts" in role["scopes"]
    (svc,) = c.JupyterHub.services
    assert svc["name"] == "arabtexts" and svc["user"] == "grader-arabtexts"
    assert svc["url"] == "http://127.0.0.1:9999"
    assert svc["environment"]["JUPYTERHUB_DEFAULT_URL"] == "/formgrader"
    assert "nbgrader.server_extensions.formgrader=True" in " ".join(svc["command"])
    assert c.ConfigurableHTTPProxy.command == ["/x/configurable-http-proxy"]
    assert c.Spawner.cmd[-1].endswith("deploy/jupyterhub/singleuser.py")
    assert c.Spawner.environment["PATH"].startswith(str(tmp_path / "env" / "bin"))
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert not {"VIRTUAL_ENV", "PYTHONPATH"} & set(c.Spawner.env_keep)


def test_hub_config_without_settings_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("ARABTEXTS_HUB_SETTINGS", raising=False)
    code = (HUB / "jupyterhub_config.py").read_text()
    with pytest.raises(SystemExit, match="install_hub.py"):
        exec(compile(code, "jupyterhub_config.py", "exec"), {"get_config": lambda: None})


@pytest.mark.parametrize("text, message", [
    ("id,first_name,email\ns_a,A,a@x\n", "lacks the column"),
    ("id,first_name,last_name,email\nSara Ali,Sara,Ali,s@x\n", "line 2: id 'Sara Ali'"),
    ("id,first_name,last_name,email\ns_a,A,B,a@x\ns_a,A,B,a@x\n", "line 3: id 's_a' is used twice"),
    ("id,first_name,last_name,email,role\ns_a,A,B,a@x,dean\n", "role 'dean'"),
    ("id,first_name,last_name,email\n", "no lines"),
])
def test_roster_errors_name_the_line(tmp_path, text, message):
    p = tmp_path / "roster.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(install_hub.RosterError, match=message):
        install_hub.read_roster(p)


def test_roster_example_is_valid():
    people = install_hub.read_roster(HUB / "roster.example.csv")
    assert {p.role for p in people} == {"student", "instructor"}
    assert any(re.search("[\u0600-\u06ff]", p.first_name) for p in people)


def test_lessons_are_copied_but_never_overwritten(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "home" / "lessons"
    (src / "sub").mkdir(parents=True)
    (src / "00.ipynb").write_text("course v1")
    (src / "sub" / "data.csv").write_text("a,b")
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "x.ipynb").write_text("no")
    assert sorted(p.name for p in singleuser.seed_lessons(src, dest)) == ["00.ipynb", "data.csv"]
    (dest / "00.ipynb").write_text("my edits · تعديلاتي")
    (src / "00.ipynb").write_text("course v2")
    (src / "01.ipynb").write_text("new lesson")
    assert [p.name for p in singleuser.seed_lessons(src, dest)] == ["01.ipynb"]
    assert (dest / "00.ipynb").read_text() == "my edits · تعديلاتي"
    assert not (dest / ".ipynb_checkpoints").exists()


def test_private_submission_modes(tmp_path):
    import arabtexts_hub_exchange as ax

    sub = tmp_path / "s_karim+01+2026-01-01 00:00:00 UTC+abc"
    (sub / "extra").mkdir(parents=True)
    (sub / "01.ipynb").write_text("{}")
    (sub / "extra" / "ملاحظات.txt").write_text("x")
    for p in (sub, sub / "extra"):
        p.chmod(0o777)
    ax.close_to_group(str(sub))
    assert sub.stat().st_mode & 0o7777 == 0o770
    assert (sub / "extra").stat().st_mode & 0o777 == 0o770
    assert (sub / "01.ipynb").stat().st_mode & 0o777 == 0o640
    assert (sub / "extra" / "ملاحظات.txt").stat().st_mode & 0o777 == 0o640
