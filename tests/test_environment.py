"""environment.yml (conda/Binder) must ask for exactly what pip installs."""
import re
import tomllib

from conftest import ROOT


def _req_lines(path):
    out = []
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _norm(spec: str) -> tuple[str, str]:
    name, rest = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), rest.replace(" ", "")


def _conda_deps():
    deps, pip = [], []
    in_deps = in_pip = False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^dependencies:", line):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            in_deps = False
        if not in_deps:
            continue
        item = line.strip()
        if item.startswith("- pip:"):
            in_pip = True
            continue
        if in_pip and raw.startswith("      -"):
            pip.append(item[1:].strip())
            continue
        in_pip = False
        deps.append(item[1:].strip())
    return deps, pip


def test_environment_yml_equals_pip_requirements():
    deps, pip = _conda_deps()
    assert "python=3.11" in deps
    assert "-e ." in pip, "environment.yml must install the course package itself"
    conda = {_norm(d) for d in deps if not d.startswith(("python=", "pip"))}
    wanted = {_norm(r) for r in _req_lines("requirements.txt") + _req_lines("requirements-test.txt")}
    assert conda == wanted


def test_pyproject_matches_requirement_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_norm(d) for d in project["dependencies"]} == {_norm(r) for r in _req_lines("requirements.txt")}
    assert {_norm(d) for d in project["optional-dependencies"]["test"]} == {
        _norm(r) for r in _req_lines("requirements-test.txt")}


def test_no_forbidden_dependencies():
    text = " ".join(_req_lines("requirements.txt") + _req_lines("requirements-test.txt")).lower()
    # reshaper/bidi reverse Arabic on matplotlib >= 3.11; camel-tools pulls ~6 GB and downloads models
    for bad in ("arabic-reshaper", "python-bidi", "camel-tools", "pyarabic", "tashaphyne", "conda"):
        assert bad not in text
