"""For the tests of the docs pages: their picture-making scripts (docs/scripts/) loaded as
modules, the numbers a page quotes, and the code a page shows from a script."""

import importlib.util
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "docs" / "scripts"


def load_script(name: str) -> ModuleType:
    """docs/scripts/`name`.py as a module; it runs nothing until its `main` is called. Its
    folder is on the import path, as when the script runs, for the modules it shares."""
    if str(SCRIPTS) not in sys.path:
        sys.path.append(str(SCRIPTS))
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


def script_section(path: Path, name: str) -> str:
    """The code between ``# --8<-- [start:name]`` and ``# --8<-- [end:name]`` in `path`,
    dedented, as the page that shows it does."""
    found = re.search(rf"^[ \t]*# --8<-- \[start:{name}\]\n(.*?)^[ \t]*# --8<-- \[end:{name}\]",
                      path.read_text(encoding="utf-8"), re.S | re.M)
    assert found, f"{path} has no section {name}"
    return textwrap.dedent(found.group(1)).strip("\n")


def shown_sections(page: Path) -> list[tuple[str, str, str]]:
    """Each block a page shows from a script, marked by an HTML comment naming the script and
    the section (``<!-- docs/scripts/x.py:train -->``) before it: (script, section, block)."""
    return [(script, name, block.strip("\n")) for script, name, block in re.findall(
        r"^<!-- (\S+\.py):(\w+) -->\n```python\n(.*?)^```", page.read_text(encoding="utf-8"),
        re.S | re.M)]
