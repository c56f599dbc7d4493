"""For the tests of the docs pages: their picture-making scripts (docs/scripts/) loaded as
modules, the numbers a page quotes, and the code a page shows from a script."""

import importlib.util
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from extras import require

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
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


def shows_committed_pictures(page: str, folder: str, names: list[str]) -> None:
    """Assert that `page` shows each picture of `names` from docs/images/`folder` and that
    each is committed as a PNG."""
    for name in names:
        assert f"(images/{folder}/{name})" in page
        assert (SCRIPTS.parent / "images" / folder / name).read_bytes().startswith(PNG_MAGIC)


def draw_pictures(name: str, folder: Path) -> tuple[ModuleType, Any]:
    """Run docs/scripts/`name`.py's main into `folder`, which returns its pictures and what it
    found; assert that the pictures are the script's NAMES, each a PNG. Returns the script and
    what it found."""
    require("matplotlib", "plot")
    script = load_script(name)
    paths, found = script.main(folder)
    assert [p.name for p in paths] == script.NAMES
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in paths)
    return script, found


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
