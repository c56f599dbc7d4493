"""Run a documentation page's Python blocks in order, as one program, with Sybil.

    python tests/doc_pages.py docs/nn.md

tests/test_docs.py runs each page so, in a fresh interpreter and an empty temporary folder,
as a reader pasting the blocks would. Sybil parses the Markdown (a block whose first line is
``>>>`` is a doctest whose output must match) and evaluates the blocks in one namespace per
page; ``<!-- skip: next -->`` before a block skips it (only the block that downloads weights
from the network does so). A failure names the page and the line of its block; a missing
optional package exits with MISSING and its name, for the test to skip or, under CI, fail.
"""

from __future__ import annotations

import doctest
import sys
import traceback
from pathlib import Path

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

MISSING = 3  # the exit status for a missing optional package
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def run(page: Path) -> int:
    """Evaluate every Python block of `page` in order; 0 when all ran, else what went wrong."""
    document = Sybil([PythonCodeBlockParser(doctest_optionflags=FLAGS), SkipParser()]).parse(page)
    document.namespace["__name__"] = "__main__"  # as a pasted program, or a script, runs
    for example in document.examples():
        try:
            example.evaluate()
        except ModuleNotFoundError as error:
            print(f"missing: {error.name}")
            return MISSING
        except BaseException:
            print(f"{page}, the block at line {example.line}:", file=sys.stderr)
            traceback.print_exc()
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
