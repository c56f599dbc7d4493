"""Where the scripts draw: the pages' code writes its pictures into the current folder, so a
script runs that code inside its output folder (made if missing) and comes back after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def inside(folder: Path) -> Iterator[Path]:
    """Run the body with `folder` (made if missing) as the current folder, then go back."""
    folder.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(here)
