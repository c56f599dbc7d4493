"""The check after export: ONNX Runtime must agree with the model on a fresh input."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from extras import require
from test_export import run_here, run_onnx

from tinygrad_cnn import Tensor, manual_seed, models, nn, random
from tinygrad_cnn.onnx import export

require("onnx", "onnx")
require("onnxruntime", "onnx")
# These models read traced values on purpose; the warning that says so is tested in test_export.
pytestmark = pytest.mark.filterwarnings("ignore::tinygrad_cnn.onnx.TracerWarning")

EXAMPLE = np.zeros((2, 4), np.float32)


class ScaledThroughNumPy(nn.Module):
    """A factor computed in NumPy: a constant to the trace, frozen at the example's value."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x) * Tensor(np.tanh(x.data.mean() + 0.5))


class BranchesOnAValue(nn.Module):
    """A Python `if` on `.item()`: the file keeps the branch the all-zero example took."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = self.fc(x)
        return h if x.abs().sum().item() == 0 else -h


class ActivatesThroughNumPy(nn.Module):
    """tanh of the activations through NumPy: a constant of the example's batch size."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = self.fc(x)
        return h * Tensor(np.tanh(h.data))


@pytest.mark.parametrize("model", [ScaledThroughNumPy, BranchesOnAValue])
def test_an_export_that_disagrees_is_refused_naming_the_difference(tmp_path, model):
    manual_seed(0)
    with pytest.raises(RuntimeError, match=r"onnx\.export: ONNX Runtime disagrees with the model "
                       r"on a fresh input \(3, 4\): max difference \d\S*"):
        export(model(), EXAMPLE, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_an_export_that_only_runs_at_the_example_batch_is_refused(tmp_path):
    manual_seed(0)
    with pytest.raises(RuntimeError, match=r"ONNX Runtime cannot run the exported model on an "
                       r"input \(3, 4\) \(.*Mul.*\); nothing was written"):
        export(ActivatesThroughNumPy(), EXAMPLE, tmp_path / "m.onnx")


def test_a_fixed_batch_is_checked_at_the_example_batch(tmp_path):
    manual_seed(0)
    with pytest.raises(RuntimeError, match=r"fresh input \(2, 4\): max difference"):
        export(ActivatesThroughNumPy(), EXAMPLE, tmp_path / "m.onnx", dynamic_batch=False)


def test_check_false_writes_it_anyway(tmp_path):
    manual_seed(0)
    net = ScaledThroughNumPy()
    export(net, EXAMPLE, tmp_path / "m.onnx", check=False)
    x = np.random.default_rng(1).random((3, 4), dtype=np.float32)
    assert np.abs(run_onnx(tmp_path / "m.onnx", x) - run_here(net, x)).max() > 1e-3


def test_the_check_leaves_modes_and_the_library_generator_alone(tmp_path):
    manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5)).train()
    before = random.generator().bit_generator.state
    export(model, EXAMPLE, tmp_path / "m.onnx")
    assert random.generator().bit_generator.state == before
    assert [m.training for m in model.modules()] == [True, True, True]


def test_without_onnxruntime_the_export_is_written_unchecked(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` raises
    manual_seed(0)
    export(ScaledThroughNumPy(), EXAMPLE, tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").exists()


def test_a_faithful_export_passes(tmp_path):
    manual_seed(0)
    export(models.lenet5(), np.zeros((1, 1, 28, 28), np.float32), tmp_path / "lenet.onnx")
    assert (tmp_path / "lenet.onnx").exists()
