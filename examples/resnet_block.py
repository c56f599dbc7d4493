"""A residual network written define-by-run, summarised, drawn, hooked and trained.

`Block` is ResNet's basic block: its forward adds the input back to the output of two convs,
which is not a chain of layers. Nothing about that needs telling the library: `summary` and
`draw_model` see what the forward does by running it once on shapes alone, a forward hook
watches the activations, and `Classifier` trains it on the embedded MNIST digits.

Writes resnet_blocks.svg into the current directory (or the directory given as the first
argument, made if missing) when Graphviz's `dot` is installed. TINYGRAD_CNN_QUICK=1 trains
on 500 digits.
"""

import os
import shutil
import sys
from pathlib import Path

from tinygrad_cnn import eval_shape, manual_seed, nn, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.summary import summary
from tinygrad_cnn.train import Classifier
from tinygrad_cnn.viz import draw_model, render


class Block(nn.Module):
    """relu(x + bn2(conv2(relu(bn1(conv1(x)))))): the input skips the two convs."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return (x + self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))).relu()


class SmallResNet(nn.Module):
    """A stem, two residual blocks (kept in a ModuleList), global pooling and a classifier."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, width: int = 8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, stride=2, padding=1),
                                  nn.ReLU())
        self.blocks = nn.ModuleList([Block(width), Block(width)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.fc(self.pool(x).flatten(1))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)  # the folder named on the command line
    manual_seed(0)
    model = SmallResNet()
    print(f"eval_shape: {eval_shape(model, (64, 1, 28, 28))}")  # no arithmetic spent
    summary(model, (1, 1, 28, 28))

    means = {}  # the mean activation of each block, seen by forward hooks during training
    for name, block in model.named_modules():
        if isinstance(block, Block):
            block.register_forward_hook(
                lambda module, args, out, name=name: means.update({name: float(out.mean().data)}))

    (x_train, y_train), (x_test, y_test) = load_mnist()
    if os.environ.get("TINYGRAD_CNN_QUICK"):
        x_train, y_train, x_test, y_test = x_train[:500], y_train[:500], x_test[:200], y_test[:200]
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    clf = Classifier(model, optimizer, epochs=2, batch_size=64, seed=0)  # a bar per epoch
    history = clf.fit(x_train, y_train, validation_data=(x_test, y_test))
    print(f"test accuracy after 2 epochs: {history.val_accuracy[-1]:.3f}")
    print("mean block activations on the last batch: "
          + ", ".join(f"{name} {mean:.3f}" for name, mean in means.items()))
    if shutil.which("dot") is not None:
        print(f"wrote {render(draw_model(model, (1, 1, 28, 28)), out / 'resnet_blocks.svg')}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
