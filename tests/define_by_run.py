"""Models that are not chains, shared by the summary, eval_shape and drawing tests: a residual
network, Inception-style branches, two inputs, a module called twice, and a dict output."""

import numpy as np

from tinygrad_cnn import Tensor, cat, nn


class Residual(nn.Module):
    """relu(x + bn2(conv2(relu(bn1(conv1(x)))))), ResNet's basic block."""

    def __init__(self, channels=4):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return (x + self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))).relu()


class ResNetLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.blocks = nn.ModuleList([Residual(), Residual()])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.fc(self.pool(x).flatten(1))


class Inception(nn.Module):
    """Three branches over the same input, concatenated along the channels."""

    def __init__(self):
        super().__init__()
        self.branches = nn.ModuleDict({
            "one": nn.Conv2d(3, 2, 1),
            "three": nn.Sequential(nn.Conv2d(3, 2, 1), nn.Conv2d(2, 4, 3, padding=1)),
            "pool": nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(3, 2, 1)),
        })

    def forward(self, x):
        return cat([branch(x) for branch in self.branches.values()], dim=1)


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten())
        self.meta = nn.Linear(5, 4)
        self.head = nn.Linear(3 * 6 * 6 + 4, 2)

    def forward(self, image, meta):
        return self.head(cat([self.image(image), self.meta(meta)], dim=1))


class Twice(nn.Module):
    """The same layer applied twice: one module, two calls."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        return self.out(self.fc(self.fc(x).relu()))


class DictOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.cls = nn.Linear(8, 3)
        self.box = nn.Linear(8, 4)

    def forward(self, x):
        h = self.body(x).relu()
        return {"cls": self.cls(h), "box": self.box(h)}


# name -> (model factory, input shapes)
CASES = {
    "residual": (ResNetLike, [(2, 1, 8, 8)]),
    "inception": (Inception, [(2, 3, 6, 6)]),
    "two_inputs": (TwoInputs, [(2, 1, 8, 8), (2, 5)]),
    "twice": (Twice, [(3, 6)]),
    "dict": (DictOut, [(5, 4)]),
}


def real_inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]
