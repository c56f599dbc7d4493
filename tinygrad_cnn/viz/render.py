"""render: write a graph or a matplotlib figure to a file whose extension picks the format."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import graphviz

from tinygrad_cnn.files import atomic_write, check_output
from tinygrad_cnn.viz.history import PLOT_FORMATS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Formats that need Graphviz's `dot`; `.dot` and `.gv` are the DOT text itself.
IMAGE_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")
SOURCE_FORMATS = ("dot", "gv")
INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render images but was not found on PATH. Install "
    "Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/. "
    "Without it, `graph.source` still gives the DOT text and a path ending in .dot writes it."
)


def render(graph: graphviz.Digraph | graphviz.Graph | Figure,
           path: str | os.PathLike[str]) -> Path:
    """Write `graph` (or a matplotlib figure) to `path` in the format its extension names.

    Args:
        graph: a graph from `draw_graph` or `draw_model` (any `graphviz` graph), or a
            matplotlib Figure such as `plot_heatmaps` returns.
        path: the file to write, in an existing folder. For a graph, `.svg`, `.png`, `.pdf`
            (and `.jpg`) are laid out by Graphviz's `dot`, `.dot` / `.gv` write the DOT source
            and need no Graphviz install; a figure is written as `.png`, `.svg` or `.pdf`. The
            file gets the mode the umask gives.

    Returns:
        The path written.

    Raises:
        ValueError: for an extension that is not a supported format.
        RuntimeError: when `dot` is needed but not installed, saying how to install it.
        OSError: when `path` is a folder or its folder does not exist, naming `path`.

    Examples:
        >>> import tempfile, pathlib
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.viz import draw_graph
        >>> x = Tensor([1.0], requires_grad=True)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "graph.dot"
        >>> render(draw_graph(x * 2), out).read_text().startswith("digraph")
        True
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if hasattr(graph, "savefig"):
        return _save_figure(graph, path, fmt)
    if fmt in SOURCE_FORMATS:
        atomic_write(path, lambda file: file.write(graph.source.encode("utf-8")), "render")
        return path
    if fmt not in IMAGE_FORMATS:
        supported = ", ".join("." + f for f in IMAGE_FORMATS + SOURCE_FORMATS)
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; use one of {supported}")
    check_output(path, "render")
    if shutil.which("dot") is None:
        raise RuntimeError(f"render: cannot write {path.name}. {INSTALL_HINT}")
    try:
        data = graph.pipe(format="jpeg" if fmt == "jpg" else fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(f"render: cannot write {path.name}. {INSTALL_HINT}") from None
    atomic_write(path, lambda file: file.write(data), "render")
    return path


def _save_figure(figure: Figure, path: Path, fmt: str) -> Path:
    if "." + fmt not in PLOT_FORMATS:
        raise ValueError(f"render: a matplotlib figure is written as one of "
                         f"{', '.join(PLOT_FORMATS)}, not {str(path)!r}")
    atomic_write(path, lambda file: figure.savefig(file, format=fmt), "render")
    return path
