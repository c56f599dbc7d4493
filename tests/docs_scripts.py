"""For the tests of the docs pages: their picture-making scripts (docs/scripts/) loaded as
modules, and the numbers a page quotes."""

import importlib.util
import re
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "docs" / "scripts"


def load_script(name: str) -> ModuleType:
    """docs/scripts/`name`.py as a module; it runs nothing until its `main` is called."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_number(page: Path, pattern: str) -> float:
    """The number `page` quotes where `pattern` (with one group) matches its text, whitespace
    made single spaces."""
    found = re.search(pattern, " ".join(page.read_text(encoding="utf-8").split()))
    assert found, f"{page.name} does not match {pattern!r}"
    return float(found.group(1).replace(",", ""))
