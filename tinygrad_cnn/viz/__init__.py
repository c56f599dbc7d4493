"""Pictures: the recorded op graph and the layer architecture (Graphviz), learning curves.

Nothing in the library imports this package; it imports the library.
"""

from tinygrad_cnn.viz.graph import draw_graph
from tinygrad_cnn.viz.history import plot_history
from tinygrad_cnn.viz.model import draw_model
from tinygrad_cnn.viz.render import render

__all__ = ["draw_graph", "draw_model", "plot_history", "render"]
