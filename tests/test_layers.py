"""The layers of README "Layout" hold, and `make lint` (lint-imports) fails on an import that breaks them.

The broken cases run import-linter on a copy of the packages with one bad import added, so the
test shows the contracts catch each kind of break, not only that today's code passes.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cicasite", "members", "events", "initiatives")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "data", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree, module, line):
    path = tree / module
    path.write_text(f"{line}  # noqa\n" + path.read_text())


def test_the_layers_hold_today(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The ground floor imports no app ...
        (
            "cicasite/core/publishing.py",
            "from members.models import Member",
            "cicasite.core.publishing -> members.models",
        ),
        # ... and nothing of the site layer.
        ("cicasite/core/views.py", "from cicasite.views import home", "cicasite.core.views -> cicasite.views"),
        # A lower app reaches a higher one only through reverse relations.
        ("members/views.py", "from events.models import Event", "members.views -> events.models"),
        ("events/views.py", "from initiatives.models import Initiative", "events.views -> initiatives.models"),
        # An app does not lean on the site layer.
        ("initiatives/views.py", "from cicasite.urls import urlpatterns", "initiatives.views -> cicasite.urls"),
    ],
)
def test_an_import_across_the_layers_fails_lint(tree, module, line, broken):
    add_import(tree, module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "0 broken" not in result.stdout
    assert f"- {broken} (l.1)" in result.stdout  # the offending line is named


def test_a_module_of_cicasite_outside_both_layers_fails_lint(tree):
    (tree / "cicasite" / "helpers.py").write_text("")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "cicasite.helpers" in result.stdout
