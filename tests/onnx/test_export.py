"""ONNX export of the model zoo, checked with the ONNX checker and run in ONNX Runtime."""

from __future__ import annotations

import numpy as np
import pytest
from extras import require

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, models, nn, no_grad, zeros
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.onnx import TracerWarning, export

onnx = require("onnx", "onnx")
ort = require("onnxruntime", "onnx")


def run_onnx(path, x: np.ndarray) -> np.ndarray:
    """The model at `path` run by ONNX Runtime on x."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"input": x})
    return y


def run_here(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """The model run here, in eval mode."""
    model.eval()
    with no_grad():
        return model(Tensor(x)).numpy()


def dims(value) -> list:
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def _vgg11() -> nn.Module:
    """VGG-11 with He-uniform weights drawn in float32 directly (its 133M default normal
    draws take seconds; the export does not care where the numbers come from)."""
    with skip_init():
        model = models.vgg11()
    rng = np.random.default_rng(0)
    for p in model.parameters():
        rng.random(out=p.data, dtype=np.float32)
        fan_in = p.data[0].size if p.ndim > 1 else p.numel()
        p.data -= 0.5
        p.data *= 2 * np.sqrt(6.0 / fan_in)
    return model


# model, example input (N, C, H, W), batch size to run: the smallest inputs each model takes
ZOO = {
    "lenet5": (models.lenet5, (2, 1, 28, 28), 3),
    "simple_cnn": (models.simple_cnn, (1, 1, 28, 28), 4),
    "alexnet": (models.alexnet, (2, 3, 63, 63), 3),
    "vgg11": (_vgg11, (2, 3, 32, 32), 1),
}


@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_exports_check_and_match_onnx_runtime_at_another_batch_size(name, tmp_path):
    factory, shape, batch = ZOO[name]
    model = factory()
    path = tmp_path / f"{name}.onnx"
    proto = export(model, zeros(*shape), path, check=False)  # this test is that check, tighter
    onnx.checker.check_model(str(path))
    assert dims(proto.graph.input[0]) == ["N", *shape[1:]]
    assert dims(proto.graph.output[0])[0] == "N"
    x = np.random.default_rng(0).random((batch, *shape[1:]), dtype=np.float32)
    expected = run_here(model, x)
    np.testing.assert_allclose(run_onnx(path, x), expected, rtol=1e-5, atol=1e-5)
    initializers = {t.name for t in proto.graph.initializer}
    assert {n for n, _ in model.named_parameters()} <= initializers


def test_lenet_graph_is_the_layers_with_parameter_names_kept(tmp_path):
    model = models.lenet5()
    proto = export(model, np.zeros((1, 1, 28, 28), np.float32), tmp_path / "lenet.onnx")
    onnx.checker.check_model(proto, full_check=True)  # strict shape inference agrees too
    assert [n.op_type for n in proto.graph.node] == [
        "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Reshape",
        "Gemm", "Relu", "Gemm", "Relu", "Gemm",
    ]
    conv, gemm = proto.graph.node[0], proto.graph.node[7]
    assert list(conv.input) == ["input", "features.0.weight", "features.0.bias"]
    assert list(gemm.input)[1:] == ["classifier.0.weight", "classifier.0.bias"]
    assert conv.name == "features.0/Conv"
    assert proto.graph.output[0].name == "output"
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(weights[name], value)


def test_fixed_batch_export_has_static_shapes(tmp_path):
    model = models.lenet5()
    proto = export(model, np.zeros((2, 1, 28, 28), np.float32), tmp_path / "fixed.onnx",
                   dynamic_batch=False)
    assert dims(proto.graph.input[0]) == [2, 1, 28, 28]
    assert dims(proto.graph.output[0]) == [2, 10]
    reshape_target = next(onnx.numpy_helper.to_array(t) for t in proto.graph.initializer
                          if t.name.startswith("shape"))
    assert reshape_target.tolist() == [2, 256]
    x = np.random.default_rng(1).random((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "fixed.onnx", x), run_here(model, x),
                               rtol=1e-5, atol=1e-5)


def test_export_runs_in_eval_mode_and_restores_each_modules_mode(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Dropout(0.5),
                          nn.Linear(8, 2))
    model.train()
    model[1].eval()  # a mixed state must come back exactly
    proto = export(model, np.zeros((2, 1, 4, 4), np.float32), tmp_path / "m.onnx")
    ops = [n.op_type for n in proto.graph.node]
    assert ops == ["Conv", "BatchNormalization", "Reshape", "Gemm"]  # Dropout: the identity
    assert [m.training for m in model.modules()] == [True, True, False, True, True, True]


def test_the_file_is_written_atomically(tmp_path):
    path = tmp_path / "lenet.onnx"
    path.write_bytes(b"old")
    with pytest.raises(NotImplementedError):
        export(_Picker(), np.zeros((2, 3), np.float32), path)
    assert path.read_bytes() == b"old"
    export(models.lenet5(), np.zeros((1, 1, 28, 28), np.float32), path)
    assert onnx.load(str(path)).graph.node
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet.onnx"]


class _Picker(nn.Module):
    """Indexing (a gather) has no ONNX mapping here."""

    def __init__(self):
        super().__init__()
        self.head = _Head()

    def forward(self, x):
        return self.head(x)


class _Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x)[:, 1:]


def test_an_op_without_mapping_is_named_with_its_module(tmp_path):
    with pytest.raises(NotImplementedError, match=r"op 'index' in module head \(_Head\)"):
        export(_Picker(), np.zeros((2, 3), np.float32), tmp_path / "p.onnx")


def test_the_docstring_example_runs():
    import doctest

    import tinygrad_cnn.onnx

    assert doctest.testmod(tinygrad_cnn.onnx).failed == 0


class _LeavesTheGraph(nn.Module):
    """A forward that computes with the values of a traced tensor, outside the graph."""

    def __init__(self, how):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.how = how

    def forward(self, x):
        h = self.fc(x)
        if self.how == "data":
            return h * Tensor(np.tanh(h.data))
        return h if h.sum().item() > 0 else -h


@pytest.mark.parametrize(("how", "what", "shape"), [("data", r"\.data", r"\(2, 4\)"),
                                                   ("item", r"\.item\(\)", r"\(\)")])
def test_reading_traced_values_warns_naming_the_step_and_module(how, what, shape, tmp_path):
    model = _LeavesTheGraph(how)
    pattern = rf"^onnx\.export: {what} reads the values of a traced tensor of shape {shape} in "
    with pytest.warns(TracerWarning, match=pattern + r"_LeavesTheGraph"):
        # check=False: the check after export would refuse this file (tests/onnx/test_check.py)
        export(model, np.ones((2, 4), np.float32), tmp_path / "m.onnx", check=False)


class _Pooled(nn.Module):
    """Max pooling asked for its indices, which the output uses or not."""

    def __init__(self, how):
        super().__init__()
        self.how = how

    def forward(self, x):
        y, indices = F.max_pool2d(x, 2, return_indices=True)
        if self.how == "unused":
            return y
        if self.how == "indices":
            return y + indices.float()
        return y + y.detach()


def test_unused_max_pool_indices_export_without_a_warning(tmp_path, recwarn):
    x = np.random.default_rng(0).random((2, 1, 4, 4), dtype=np.float32)
    export(_Pooled("unused"), x, tmp_path / "m.onnx")
    assert not [w for w in recwarn if issubclass(w.category, TracerWarning)]
    np.testing.assert_array_equal(run_onnx(tmp_path / "m.onnx", x), run_here(_Pooled("unused"), x))


@pytest.mark.parametrize("how", ["indices", "detach"])
def test_what_was_computed_outside_the_graph_is_refused_naming_the_reader(how, tmp_path):
    with pytest.raises(NotImplementedError, match=r"^onnx\.export: add in module _Pooled reads "
                       r"a tensor of shape \(1, 1, 2, 2\) computed from the input outside"):
        export(_Pooled(how), np.zeros((1, 1, 4, 4), np.float32), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_an_ordinary_model_exports_without_a_warning(tmp_path, recwarn):
    export(models.lenet5(), zeros(1, 1, 28, 28), tmp_path / "lenet.onnx")
    assert not [w for w in recwarn if issubclass(w.category, TracerWarning)]


def test_hooks_leave_the_exported_graph_unchanged(tmp_path):
    model = models.lenet5()
    model.features[0].register_full_backward_hook(lambda m, gi, go: None)
    model.features[3].register_forward_hook(lambda m, args, out: None)
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    export(model, x, tmp_path / "hooked.onnx")
    np.testing.assert_allclose(run_onnx(tmp_path / "hooked.onnx", x), run_here(model, x),
                               rtol=1e-4, atol=1e-5)
