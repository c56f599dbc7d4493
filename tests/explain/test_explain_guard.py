"""Every explanation leaves the model as found (hooks, gradients, modes, flags), runs one
batched forward, and refuses bad layers, inputs and targets with a clear message."""

import numpy as np
import pytest
from explain_models import F64, images, small_cnn

from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.explain import feature_maps, grad_cam, saliency, top_errors

CALLS = {
    "saliency": lambda model, x, **kw: saliency(model, x, **kw),
    "smoothgrad": lambda model, x, **kw: saliency(model, x, samples=3, **kw),
    "grad_cam": lambda model, x, **kw: grad_cam(model, x, **kw),
    "feature_maps": lambda model, x, **kw: feature_maps(model, x, ["1", "4"]),
    "top_errors": lambda model, x, **kw: top_errors(model, x, np.zeros(len(x), np.int64)),
}


def prepared_model():
    """A model in mixed modes, one parameter frozen, gradients set, and a user's hooks."""
    model = small_cnn()
    model.train()
    model[2].eval()
    model[3].bias.requires_grad = False
    for p in model.parameters():
        p.grad = Tensor(np.full(p.shape, 0.5))
    seen = []
    model.register_forward_pre_hook(lambda m, args: seen.append("pre"))
    model[3].register_forward_hook(lambda m, args, out: seen.append("conv"))
    model[0].register_full_backward_hook(lambda m, gi, go: seen.append("backward"))
    return model, seen


def state(model):
    return ([m.training for m in model.modules()],
            [(p.requires_grad, p.grad, p.grad.data.copy()) for p in model.parameters()],
            [(dict(m._forward_pre_hooks), dict(m._forward_hooks), dict(m._backward_hooks))
             for m in model.modules()])


def assert_same_state(before, after):
    assert before[0] == after[0]
    for (flag, grad, values), (flag2, grad2, values2) in zip(before[1], after[1]):
        assert flag == flag2 and grad is grad2
        np.testing.assert_array_equal(values, values2)
    assert before[2] == after[2]


@pytest.mark.parametrize("name", CALLS)
def test_the_model_is_left_as_found(name):
    model, _ = prepared_model()
    x = Tensor(images(), requires_grad=True)
    before = state(model)
    CALLS[name](model, x)
    assert_same_state(before, state(model))
    assert x.grad is None
    np.testing.assert_array_equal(x.data, images())


@pytest.mark.parametrize("name", ["saliency", "smoothgrad", "grad_cam"])
def test_the_model_is_left_as_found_after_an_error(name):
    model, _ = prepared_model()
    before = state(model)
    with pytest.raises(ValueError, match="target 9 is not a class"):
        CALLS[name](model, images(), target=9)  # raised after the hooks went in
    assert_same_state(before, state(model))


@pytest.mark.parametrize("name, forwards", [("saliency", 1), ("smoothgrad", 2),
                                            ("grad_cam", 1), ("feature_maps", 1)])
def test_one_batched_forward_and_the_users_hooks_still_run(name, forwards):
    model, seen = prepared_model()
    CALLS[name](model, images(n=5))
    assert seen.count("pre") == forwards and seen.count("conv") == forwards


def test_grad_cam_records_nothing_before_its_layer():
    model, seen = prepared_model()
    inside = []
    model[3].register_forward_hook(lambda m, args, out: inside.append(m.weight.requires_grad))
    grad_cam(model, images(), layer="3")
    assert "backward" not in seen  # the backward stopped at layer 3, before layer 0
    assert inside == [False]  # no weight gradient computed either
    assert model[3].weight.requires_grad


def test_saliency_and_grad_cam_work_under_no_grad():
    model, x = small_cnn(), images()
    plain_saliency, plain_cam = saliency(model, x), grad_cam(model, x)
    with no_grad():
        np.testing.assert_array_equal(saliency(model, x), plain_saliency)
        np.testing.assert_array_equal(grad_cam(model, x), plain_cam)


def test_an_unknown_layer_lists_the_layers_there_are():
    with pytest.raises(ValueError, match=r"no layer 'features\.9'; its layers are: 0, 1, 2, 3"):
        grad_cam(small_cnn(), images(), layer="features.9")
    with pytest.raises(ValueError, match="no layer 'x'"):
        feature_maps(small_cnn(), images(), ["1", "x"])
    with pytest.raises(TypeError, match="a layer is named by a string, got int"):
        grad_cam(small_cnn(), images(), layer=3)


@pytest.mark.parametrize("x, message", [
    (np.zeros((2, 8, 8)), r"\(N, C, H, W\), got shape \(2, 8, 8\); for one image pass x\[None\]"),
    (np.zeros((1, 1, 2, 8, 8)), r"\(N, C, H, W\), got shape \(1, 1, 2, 8, 8\)"),
    (np.zeros((1, 2, 8, 8), dtype=np.uint8), "floating-point pixels, got dtype uint8"),
    (np.zeros((0, 2, 8, 8)), "holds no images"),
    (np.zeros((1, 3, 8, 8)), "input has 3 channels"),  # from conv2d, naming the layer
])
@pytest.mark.parametrize("name", CALLS)
def test_bad_images_are_refused(name, x, message):
    with pytest.raises(ValueError, match=message):
        CALLS[name](small_cnn(), x)


@pytest.mark.parametrize("target, message", [
    (3, "target 3 is not a class: there are 3"),
    (np.array([0, 1]), r"one class index per image, \(4,\), got shape \(2,\)"),
    (np.zeros(4), "integer class indices, got dtype float64"),
])
@pytest.mark.parametrize("name", ["saliency", "smoothgrad", "grad_cam"])
def test_bad_targets_are_refused(name, target, message):
    with pytest.raises(ValueError, match=message):
        CALLS[name](small_cnn(), images(), target=target)


def test_grad_cam_needs_a_feature_map_from_a_layer_run_once():
    model = small_cnn()
    with pytest.raises(ValueError, match=r"layer '7' returns \(4, 3\); Grad-CAM needs"):
        grad_cam(model, images(), layer="7")
    shared = nn.ReLU()
    twice = nn.Sequential(nn.Conv2d(2, 2, 3, padding=1, dtype=F64), shared,
                          nn.Conv2d(2, 2, 3, dtype=F64), shared, nn.Flatten(),
                          nn.Linear(72, 3, dtype=F64))
    with pytest.raises(ValueError, match="layer '1' ran 2 times in one forward"):
        grad_cam(twice, images(), layer="1")
    with pytest.raises(ValueError, match="layer 'spare' did not run"):
        feature_maps(WithSpare(), images(), ["spare"])


class WithSpare(nn.Module):
    """A model holding a layer its forward never calls."""

    def __init__(self):
        super().__init__()
        self.body, self.spare = small_cnn(), nn.ReLU()

    def forward(self, x):
        return self.body(x)


def test_the_model_must_be_a_module_returning_class_scores():
    with pytest.raises(TypeError, match="model must be a Module"):
        saliency(lambda x: x, images())
    with pytest.raises(ValueError, match=r"class scores \(4, classes\) for 4 images, got "
                                         r"\(4, 4, 8, 8\)"):
        grad_cam(nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, dtype=F64)), images())
