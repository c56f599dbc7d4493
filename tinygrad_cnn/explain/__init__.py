"""Looking inside a model: where it looks (saliency, Grad-CAM), what its layers see (feature
maps), where it goes wrong (the confusion matrix, the most confident mistakes), and why it
does not learn (`diagnose`, the training doctor).

Each explanation runs the model in evaluation mode with its parameters frozen, records only
what its answer needs, and leaves the model as it found it: each module's train/eval mode, each
parameter's `requires_grad` and `.grad`, and the hooks (its own are removed, on error too).
Answers are NumPy arrays, ready to plot with `tinygrad_cnn.viz`. The doctor trains deep copies
instead, in training mode, so the model, its optimiser and the random generator stay exactly
as they were.
"""

from tinygrad_cnn.explain.confusion import confusion_matrix
from tinygrad_cnn.explain.doctor import CODES, Diagnosis, Finding, diagnose
from tinygrad_cnn.explain.feature_maps import feature_maps
from tinygrad_cnn.explain.grad_cam import grad_cam
from tinygrad_cnn.explain.mistakes import TopErrors, top_errors
from tinygrad_cnn.explain.saliency import saliency

__all__ = ["CODES", "Diagnosis", "Finding", "TopErrors", "confusion_matrix", "diagnose",
           "feature_maps", "grad_cam", "saliency", "top_errors"]
