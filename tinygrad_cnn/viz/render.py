"""render: write a graph to a file whose extension picks the format (svg, png, pdf, dot)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import graphviz

# Formats that need Graphviz's `dot`; `.dot` and `.gv` are the DOT text itself.
IMAGE_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")
SOURCE_FORMATS = ("dot", "gv")
INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render images but was not found on PATH. Install "
    "Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/. "
    "Without it, `graph.source` still gives the DOT text and a path ending in .dot writes it."
)


def render(graph: graphviz.Digraph | graphviz.Graph, path: str | os.PathLike[str]) -> Path:
    """Write `graph` to `path` in the format its extension names.

    Args:
        graph: a graph from `draw_graph` or `draw_model` (any `graphviz` graph).
        path: the file to write; `.svg`, `.png`, `.pdf` (and `.jpg`) are laid out by Graphviz's
            `dot`, `.dot` / `.gv` write the DOT source and need no Graphviz install.

    Returns:
        The path written.

    Raises:
        ValueError: for an extension that is not a supported format.
        RuntimeError: when `dot` is needed but not installed, saying how to install it.

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
    if fmt in SOURCE_FORMATS:
        _write_atomic(path, graph.source.encode("utf-8"))
        return path
    if fmt not in IMAGE_FORMATS:
        supported = ", ".join("." + f for f in IMAGE_FORMATS + SOURCE_FORMATS)
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; use one of {supported}")
    if shutil.which("dot") is None:
        raise RuntimeError(f"render: cannot write {path.name}. {INSTALL_HINT}")
    try:
        data = graph.pipe(format="jpeg" if fmt == "jpg" else fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(f"render: cannot write {path.name}. {INSTALL_HINT}") from None
    _write_atomic(path, data)
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a failure leaves nothing half-done."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; a picture is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
