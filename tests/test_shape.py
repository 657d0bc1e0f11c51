"""The shape of the code: module sizes, and the import rule that import-linter (`lint-imports`,
pyproject.toml) cannot state (it forbids only whole external packages, and the AICC package may
use django.utils but not the database)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_aicc_package_uses_no_database_and_nothing_of_the_console():
    wrong = []
    for path in sorted((ROOT / "calls" / "aicc").rglob("*.py")):
        for name in imported_modules(path):
            if name.startswith(("django.db", "console")) or name in ("django.db",):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_rule_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from django.db import models\n    import console.models\n")
    assert imported_modules(sample) == {"django.db", "console.models"}


MAX_LINES = 600  # "no module over ~600 lines" (migrations aside): split by job beyond that


def test_no_module_is_too_long():
    long = []
    for package in ("console", "calls", "guardrails"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, "split these modules by job:\n" + "\n".join(long)
