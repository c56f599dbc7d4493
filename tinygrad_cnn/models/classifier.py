"""ConvClassifier: the features -> (avgpool) -> flatten -> classifier chain all our models share."""

from __future__ import annotations

from itertools import pairwise

from tinygrad_cnn.nn import Flatten, Linear, Module, ReLU, Sequential
from tinygrad_cnn.tensor import Tensor


def fully_connected(*sizes: int) -> Sequential:
    """Linear layers from each size to the next with a ReLU between two: `fully_connected(256,
    120, 84, 10)` is Linear(256, 120), ReLU, Linear(120, 84), ReLU, Linear(84, 10)."""
    layers: list[Module] = []
    for n_in, n_out in pairwise(sizes):
        layers += [Linear(n_in, n_out), ReLU()]
    return Sequential(*layers[:-1])


class ConvClassifier(Module):
    """A conv feature extractor, an optional pooling to a fixed size, then a classifier.

    Children are named as in torchvision (`features`, `avgpool`, `classifier`), so
    state dict keys match (`features.0.weight`, `classifier.6.bias`).

    Args:
        features: the convolutional part, (N, C, H, W) -> (N, C', H', W').
        classifier: the fully connected part, (N, C'·H'·W') -> (N, num_classes).
        avgpool: an optional layer between the two, e.g. AdaptiveAvgPool2d((7, 7)).
    """

    def __init__(self, features: Sequential, classifier: Sequential,
                 avgpool: Module | None = None):
        super().__init__()
        self.features = features
        if avgpool is not None:
            self.avgpool = avgpool
        self.classifier = classifier
        # This model's own, but not a child: torchvision's models have none, so children()
        # and state dict keys stay theirs; summaries and drawings show its call as `flatten`.
        object.__setattr__(self, "flatten", Flatten(1))

    def forward(self, x: Tensor) -> Tensor:
        """Class scores (logits), (N, num_classes), for images (N, C, H, W)."""
        x = self.features(x)
        if "avgpool" in self._modules:
            x = self.avgpool(x)
        return self.classifier(self.flatten(x))
