"""The documentation: the strict MkDocs build, and the doctests of every module's docstrings."""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import importlib.util
import io
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import doc_pages
import pytest
from checkout import checkout_env
from docs_scripts import script_section, shown_sections
from extras import require

import tinygrad_cnn

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(info.name for info in pkgutil.walk_packages(tinygrad_cnn.__path__,
                                                             "tinygrad_cnn."))
# Importing these runs a program (`python -m tinygrad_cnn`), so their docstrings are read from
# the source instead; every other module is imported and checked with doctest's own finder.
RUNS_ON_IMPORT = {"tinygrad_cnn.__main__"}
# These import the `onnx` package, which only the optional `onnx` extra installs.
NEEDS_ONNX = {"tinygrad_cnn.onnx", "tinygrad_cnn.onnx.fuse", "tinygrad_cnn.onnx.graph",
              "tinygrad_cnn.onnx.nodes", "tinygrad_cnn.onnx.resample_nodes"}
DOCS_PACKAGES = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _missing_docs_packages() -> list[str]:
    missing = []
    for name in DOCS_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    return missing


def test_mkdocs_build_is_strict_clean(tmp_path):
    """`mkdocs build --strict`: no broken link, missing reference, orphan page or bad docstring."""
    missing = _missing_docs_packages()
    if missing:
        message = f'the docs extra is not installed (missing {missing}): pip install -e ".[docs]"'
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must build the docs, but {message}")
        pytest.skip(message)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert (tmp_path / "site" / "api" / "tensor" / "index.html").is_file()


def _run(tests: list[doctest.DocTest]) -> tuple[int, int, str]:
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in tests:
        runner.run(test, out=out.write)
    return runner.failures, runner.tries, out.getvalue()


def _tests_from_source(name: str) -> list[doctest.DocTest]:
    """The doctests in a module's docstrings, found without importing it."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    nodes = [tree, *(n for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))]
    parser = doctest.DocTestParser()
    return [parser.get_doctest(text, {}, f"{name}.{getattr(node, 'name', '')}", spec.origin, 0)
            for node in nodes if (text := ast.get_docstring(node, clean=True))]


def test_every_module_is_checked():
    assert "tinygrad_cnn.tensor" in MODULES and "tinygrad_cnn.nn.functional.conv" in MODULES
    assert len(MODULES) > 50


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    """Every `>>>` example in the package's docstrings gives the output it shows."""
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    if name in NEEDS_ONNX:
        require("onnx", "onnx")
    if name in RUNS_ON_IMPORT:
        tests = _tests_from_source(name)
    else:
        module = importlib.import_module(name)
        tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    failures, _, report = _run(tests)
    assert failures == 0, report


# ---- every page's Python blocks, in order, form a program that runs as written ----------------

PAGES = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
# The optional package a page imports, and the extra that installs it.
EXTRAS = {"matplotlib": "plot", "PIL": "images", "safetensors": "interop", "onnx": "onnx",
          "onnxruntime": "onnx", "torch": "torch"}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_as_written(page, tmp_path):
    """The page's blocks, run by tests/doc_pages.py (Sybil) in a fresh interpreter and an
    empty folder, as a reader pasting them in order would."""
    require("sybil", "test")
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "doc_pages.py"),
                             str(ROOT / page)], cwd=tmp_path, env=checkout_env(MPLBACKEND="Agg"),
                            capture_output=True, text=True, timeout=600)
    if result.returncode == doc_pages.MISSING:
        module = result.stdout.strip().splitlines()[-1].removeprefix("missing: ")
        if module not in EXTRAS:
            pytest.skip(f"{page} needs {module}, which is not installed")
        require(module, EXTRAS[module])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]


@pytest.mark.parametrize("page", [p for p in PAGES if shown_sections(ROOT / p)])
def test_code_a_page_shows_from_a_script_is_the_scripts(page):
    """A page shows the code of the script that draws its pictures on the page itself (it reads
    on GitHub too) and runs it as shown; the script must say the same."""
    for script, name, block in shown_sections(ROOT / page):
        assert block == script_section(ROOT / script, name), f"{page}: {script}:{name}"


def _page_program(page: str) -> str:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))


def _run_page(page: str, tmp_path, monkeypatch) -> str:
    """Run every Python block of a page in order, in a fresh namespace; return what it printed."""
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_page_program(page), str(ROOT / "docs" / page), "exec"), {"__name__": page})
    return out.getvalue()


def test_home_page_tour_runs_in_20_lines_and_prints_what_it_says(tmp_path, monkeypatch):
    program = _page_program("index.md")
    assert len(program.strip().splitlines()) <= 20
    printed = _run_page("index.md", tmp_path, monkeypatch).split()
    assert "44,426" in printed and "281,640" in printed  # the summary table
    score = printed[-1]
    said = re.search(r"clf.score\(x_test, y_test\)\) +# ([\d.]+) of the test digits", program)
    # A prediction or two may flip on another CPU's BLAS kernels.
    assert float(score) == pytest.approx(float(said.group(1)), abs=3e-3)
    recorded = json.loads((ROOT / "docs/images/course/results.json").read_text())["lenet5"]
    assert float(score) == pytest.approx(recorded["val_accuracy"][2], abs=3e-3)
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"Ten epochs reach {100 * recorded['val_accuracy'][-1]:.1f}%" in home
