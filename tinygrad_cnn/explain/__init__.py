"""Looking inside a trained model: where it looks (saliency, Grad-CAM), what its layers see
(feature maps), and where it goes wrong (the confusion matrix, the most confident mistakes).

Each function runs the model in evaluation mode with its parameters frozen, records only what
its answer needs, and leaves the model as it found it: each module's train/eval mode, each
parameter's `requires_grad` and `.grad`, and the hooks (its own are removed, on error too).
Answers are NumPy arrays, ready to plot with `tinygrad_cnn.viz`.
"""

from tinygrad_cnn.explain.confusion import confusion_matrix
from tinygrad_cnn.explain.feature_maps import feature_maps
from tinygrad_cnn.explain.grad_cam import grad_cam
from tinygrad_cnn.explain.mistakes import TopErrors, top_errors
from tinygrad_cnn.explain.saliency import saliency

__all__ = ["TopErrors", "confusion_matrix", "feature_maps", "grad_cam", "saliency",
           "top_errors"]
