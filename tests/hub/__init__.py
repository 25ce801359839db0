"""Tests of the course on a real JupyterHub (a package, so its conftest never shadows tests/conftest.py)."""
