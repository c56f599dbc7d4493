"""PyTorch twins of our models, with the same layer names, so weights copy across exactly."""

from __future__ import annotations

import numpy as np


def lenet5(torch):
    """PyTorch's LeNet-5 laid out as ours: `features`, `classifier`, same indices."""
    nn = torch.nn

    class LeNet5(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(
                nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
            )

        def forward(self, x):
            return self.classifier(torch.flatten(self.features(x), 1))

    return LeNet5()


def copy_weights(torch, ours, theirs) -> None:
    """Load our model's state dict into the PyTorch twin."""
    state = {name: torch.from_numpy(np.array(value)) for name, value in ours.state_dict().items()}
    theirs.load_state_dict(state)
