"""Pictures: the recorded op graph and the layer architecture (Graphviz); learning curves,
what a trained model learned — feature maps, filters, heat maps, confusion, mistakes — and
what the training doctor measured, with the learning-rate range test (matplotlib, the extra
`plot`, imported only when a picture is drawn).

Nothing in the library imports this package; it imports the library.
"""

from tinygrad_cnn.viz.confusion import plot_confusion_matrix
from tinygrad_cnn.viz.diagnosis import plot_diagnosis, plot_histograms, plot_update_ratios
from tinygrad_cnn.viz.feature_maps import plot_feature_maps
from tinygrad_cnn.viz.filters import plot_filters
from tinygrad_cnn.viz.graph import draw_graph
from tinygrad_cnn.viz.heatmaps import plot_heatmaps
from tinygrad_cnn.viz.history import plot_history
from tinygrad_cnn.viz.lr_finder import plot_lr_find
from tinygrad_cnn.viz.mistakes import plot_top_errors
from tinygrad_cnn.viz.model import draw_model
from tinygrad_cnn.viz.render import render

__all__ = ["draw_graph", "draw_model", "plot_confusion_matrix", "plot_diagnosis",
           "plot_feature_maps", "plot_filters", "plot_heatmaps", "plot_histograms",
           "plot_history", "plot_lr_find", "plot_top_errors", "plot_update_ratios", "render"]
