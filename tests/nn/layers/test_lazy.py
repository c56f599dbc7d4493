"""Lazy layers against PyTorch's: the repr before and after, the shapes read from the first
input (a shape-only run is enough), the class they become, PyTorch's initial values' range."""

import math

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn as tg
from tinygrad_cnn import eval_shape, nn
from tinygrad_cnn.summary import summary


@pytest.mark.parametrize(("make", "shape"), [
    (lambda m: m.LazyConv2d(6, 5), (2, 3, 12, 12)),
    (lambda m: m.LazyConv2d(8, 3, stride=2, padding=1, groups=2, bias=False), (1, 4, 9, 9)),
    (lambda m: m.LazyLinear(10), (4, 84)),
    (lambda m: m.LazyLinear(3, bias=False), (7,)),
    (lambda m: m.LazyBatchNorm2d(), (2, 5, 3, 3)),
    (lambda m: m.LazyBatchNorm2d(eps=1e-3, affine=False), (2, 5, 3, 3)),
])
def test_lazy_layers_resolve_as_pytorch_s(make, shape):
    torch = torch_module()
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    out = ours(tg.randn(*shape))
    expected = theirs(torch.randn(*shape))
    assert out.shape == tuple(expected.shape) and repr(ours) == repr(theirs)
    assert type(ours).__name__ == type(theirs).__name__ != make(nn).__class__.__name__
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}


def test_a_shape_only_run_resolves_them_so_summary_works_before_data():
    model = nn.Sequential(nn.LazyConv2d(6, 5, padding=2), nn.LazyBatchNorm2d(), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(10))
    assert model.num_parameters() == 0
    table = summary(model, (1, 1, 28, 28))
    assert "Conv2d" in str(table) and "Lazy" not in str(table)
    assert model.num_parameters() == 156 + 12 + 1176 * 10 + 10
    assert eval_shape(model, (3, 1, 28, 28)) == (3, 10)


def test_an_optimiser_built_before_keeps_the_resolved_parameters():
    layer = nn.LazyLinear(2)
    opt = tg.optim.SGD(layer.parameters(), lr=0.5)
    layer(tg.ones(1, 3)).sum().backward()
    before = layer.weight.numpy().copy()
    opt.step()
    np.testing.assert_allclose(layer.weight.numpy(), before - 0.5, rtol=1e-6)


def test_initial_values_are_pytorch_s_distribution_and_dtype_follows_the_module():
    layer = nn.LazyConv2d(16, 3).double()
    layer(tg.zeros(1, 8, 5, 5, dtype=tg.float64))
    bound = 1 / math.sqrt(8 * 9)
    assert layer.weight.dtype == np.float64 and np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > bound / 2


def test_an_input_without_the_dim_is_refused():
    with pytest.raises(ValueError, match=r"LazyConv2d: cannot read in_channels from an input "
                                         r"of shape \(3,\)"):
        nn.LazyConv2d(2, 1)(tg.zeros(3))
