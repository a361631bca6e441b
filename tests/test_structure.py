"""Rules that check themselves: no import cycle anywhere in ``app``, small folders, short
modules and functions (or a stated reason), and tests that mirror the source.

Limits are "about" 300 lines a module, 60 a function and 12 modules a folder; the checks allow
a little slack and accept a longer module or function whose docstring says why in a line
starting ``Size:``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.test_architecture import APP, ROOT, find_cycles, import_graph

MAX_MODULES = 12
MODULE_LINES = 350
FUNCTION_LINES = 70
MIRROR_INDEX = ROOT / "tests" / "README.md"


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def _says_why(doc: str | None) -> bool:
    return bool(doc) and any(line.strip().startswith("Size:") for line in (doc or "").splitlines())


def test_no_import_cycles_anywhere_in_app() -> None:
    assert find_cycles(import_graph("app")) == []


def test_no_folder_holds_more_than_about_12_modules() -> None:
    crowded = {}
    for folder in [APP, *(p for p in APP.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        if count > MAX_MODULES:
            crowded[str(folder.relative_to(ROOT))] = count
    assert crowded == {}


def test_long_modules_and_functions_say_why() -> None:
    too_long: list[str] = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        name = str(path.relative_to(ROOT))
        lines = len(source.splitlines())
        if lines > MODULE_LINES and not _says_why(ast.get_docstring(tree)):
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES and not _says_why(ast.get_docstring(node)):
                    too_long.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == []


def _mirror_index() -> dict[str, list[str]]:
    """``tests/README.md`` rows: ``| `app/x/y.py` | `tests/...py`, ... |``."""
    rows: dict[str, list[str]] = {}
    for line in MIRROR_INDEX.read_text(encoding="utf-8").splitlines():
        names = re.findall(r"`([^`]+\.py)`", line)
        if len(names) >= 2 and names[0].startswith("app/"):
            rows[names[0]] = names[1:]
    return rows


def test_every_module_has_its_mirror_test_or_a_named_one() -> None:
    index = _mirror_index()
    missing: list[str] = []
    for path in _modules():
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(APP)
        mirror = ROOT / "tests" / rel.parent / f"test_{path.stem}.py"
        name = str(path.relative_to(ROOT))
        if mirror.exists():
            continue
        named = index.get(name, [])
        if not named or not all((ROOT / t).is_file() for t in named):
            missing.append(name)
    assert missing == [], "add tests/<package>/test_<module>.py or a row in tests/README.md"


def test_the_mirror_index_names_no_module_that_is_gone() -> None:
    stale = [m for m in _mirror_index() if not (ROOT / m).is_file()]
    assert stale == []
