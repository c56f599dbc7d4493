"""The import levels of docs/architecture.md, held by an AST scan of the package: each module
imports only from its own level or the levels above, nothing in the library imports viz or cli,
and only testing/strategies.py imports hypothesis."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tinygrad_cnn"
PAGE = ROOT / "docs" / "architecture.md"
# The one cycle the page allows: autograd looks `Tensor` up in the tensor module at run time.
CYCLE = {("autograd", "tensor")}


def _levels() -> dict[str, int]:
    """Each top-level unit of the package (a module, a package, `__init__`, `__main__`) and its
    level, from the numbered list under "Which way the imports run"."""
    section = PAGE.read_text(encoding="utf-8").split("## Which way the imports run")[1]
    section = section.split("\n## ")[0]
    levels = {}
    for number, names in re.findall(r"^(\d+)\. (.+?):", section, flags=re.MULTILINE):
        for name in re.findall(r"`(\w+)`", names):
            levels[name] = int(number)
    assert levels, f"{PAGE}: no numbered list of import levels found"
    return levels


def _unit(module: str) -> str | None:
    """The top-level unit that `module` belongs to (None outside the package): `ops` for
    tinygrad_cnn.ops.conv, `__init__` for the package itself."""
    parts = module.split(".")
    if parts[0] != "tinygrad_cnn":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _is_submodule(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """The modules `path` imports at run time (not under `if TYPE_CHECKING:`), by full name;
    `from tinygrad_cnn import name` counts as the submodule `name` when there is one, else as
    the package's `__init__`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import; the package imports absolutely"
            if node.module == "tinygrad_cnn":
                found.extend(f"tinygrad_cnn.{alias.name}" if _is_submodule(alias.name)
                             else "tinygrad_cnn" for alias in node.names)
            else:
                found.append(node.module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_top_level_module_and_package_has_a_level():
    units = {path.stem for path in PACKAGE.glob("*.py")}
    units |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert sorted(units - set(_levels())) == []
    assert sorted(set(_levels()) - units) == []


def test_imports_run_one_way():
    levels = _levels()
    upward = []
    for path in MODULES:
        own = _unit(_module_name(path))
        for module in _imports(path):
            other = _unit(module)
            if other is not None and other != own and (own, other) not in CYCLE \
                    and levels[other] > levels[own]:
                upward.append(f"{_module_name(path)} (level {levels[own]}) imports {module} "
                              f"(level {levels[other]})")
    assert not upward, "\n".join(upward)


def test_only_the_command_imports_viz_and_only_main_imports_cli():
    allowed = {"viz": {"viz", "cli"}, "cli": {"cli", "__main__"}}
    wrong = []
    for path in MODULES:
        own = _unit(_module_name(path))
        for module in _imports(path):
            other = _unit(module)
            if other in allowed and own not in allowed[other]:
                wrong.append(f"{_module_name(path)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_only_the_strategies_import_hypothesis():
    importers = [_module_name(path) for path in MODULES
                 if any(module.split(".")[0] == "hypothesis" for module in _imports(path))]
    assert importers == ["tinygrad_cnn.testing.strategies"]
