"""render: DOT source without Graphviz, real SVG/PNG/PDF with `dot`, and the missing-`dot` error."""

import os
import shutil

import graphviz
import numpy as np
import pytest

from tinygrad_cnn import Tensor
from tinygrad_cnn.viz import draw_graph, render


def _graph():
    a = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True, name="a")
    b = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True, name="b")
    return draw_graph((a * b).sum())


@pytest.fixture
def needs_dot():
    """Skip without Graphviz, except in CI, which installs it: there a missing `dot` fails."""
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's `dot` is not installed in CI (.ci/run installs it)")
        pytest.skip("Graphviz's `dot` is not installed")


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which no program, `dot` included, can be found."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert shutil.which("dot") is None


@pytest.mark.parametrize("suffix", [".dot", ".gv", ".DOT"])
def test_source_formats_write_the_dot_text_without_graphviz(no_dot, tmp_path, suffix):
    graph = _graph()
    path = render(graph, tmp_path / f"out{suffix}")
    assert path.read_text() == graph.source


def test_svg_rendered_by_dot(needs_dot, tmp_path):
    path = render(_graph(), tmp_path / "graph.svg")
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert ">mul</text>" in text and ">a</text>" in text
    assert [p.name for p in path.parent.iterdir()] == ["graph.svg"]  # no temporary left


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_binary_formats(needs_dot, tmp_path, suffix, magic):
    assert render(_graph(), tmp_path / f"graph{suffix}").read_bytes().startswith(magic)


def test_missing_dot_says_how_to_install_and_drawing_still_works(no_dot, tmp_path):
    graph = _graph()  # drawing needs no Graphviz install
    assert graph.source.startswith("digraph autograd {")
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as error:
        render(graph, tmp_path / "graph.svg")
    assert "brew install graphviz" in str(error.value) and "conda" in str(error.value)
    assert not list(tmp_path.glob("graph*"))


def test_dot_vanishing_after_the_check_gives_the_same_error(no_dot, monkeypatch, tmp_path):
    # shutil.which finds a `dot` that graphviz then cannot run: ExecutableNotFound
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as error:
        render(_graph(), tmp_path / "graph.png")
    assert isinstance(error.value.__context__, graphviz.ExecutableNotFound)
    assert not list(tmp_path.iterdir())


def test_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg"):
        render(_graph(), tmp_path / "graph.txt")


def test_jupyter_displays_the_returned_graph_as_svg(needs_dot):
    bundle = _graph()._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
