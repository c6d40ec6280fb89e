"""Every benchmark script's imports of this project still resolve. They are not run in CI (they
print numbers and take minutes); without this check a module moved under them breaks them silently,
as the feature-package move once did to three of them. Read statically and resolved in this
process: starting each script would cost seconds of imports per script."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))
OURS = ("bot", "handlers", "workflows", "benchmarks")


def _imports(script: Path) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS and not node.level:
            found += [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.split(".")[0] in OURS]
    return found


def test_the_benchmarks_import_the_project():
    assert sum(bool(_imports(s)) for s in SCRIPTS) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_imports_resolve(script: Path):
    for module, name in _imports(script):
        mod = importlib.import_module(module)
        if name is not None and not hasattr(mod, name):
            importlib.import_module(f"{module}.{name}")  # a submodule; raises if there is none
