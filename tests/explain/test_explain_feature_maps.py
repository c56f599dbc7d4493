"""feature_maps: the named layers' outputs, as a forward written out by hand gives them."""

import numpy as np
import pytest

from tinygrad_cnn import Tensor, manual_seed, models
from tinygrad_cnn.explain import feature_maps
from tinygrad_cnn.nn import functional as F


def lenet_and_digits():
    manual_seed(0)
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    return models.lenet5(), x


def test_the_maps_equal_a_manual_forward():
    model, x = lenet_and_digits()
    f, c = model.features, model.classifier
    conv1 = F.conv2d(Tensor(x), f[0].weight, f[0].bias)
    pooled1 = F.max_pool2d(F.relu(conv1), 2)
    conv2 = F.conv2d(pooled1, f[3].weight, f[3].bias)
    pooled2 = F.max_pool2d(F.relu(conv2), 2)
    hidden = F.relu(F.linear(pooled2.reshape(3, -1), c[0].weight, c[0].bias))
    names = ["features.0", "features.2", "features.3", "features.5", "classifier.1"]
    maps = feature_maps(model, x, names)
    assert list(maps) == names
    for name, expected in zip(names, [conv1, pooled1, conv2, pooled2, hidden]):
        np.testing.assert_allclose(maps[name], expected.data, rtol=1e-6, err_msg=name)


def test_the_default_is_every_conv_layer_and_one_name_may_be_a_string():
    model, x = lenet_and_digits()
    assert list(feature_maps(model, x)) == ["features.0", "features.3"]
    assert list(feature_maps(model, x, "features.4")) == ["features.4"]


def test_the_maps_are_arrays_that_recorded_nothing():
    model, x = lenet_and_digits()
    recorded = []
    model.features[0].register_forward_hook(lambda m, args, out: recorded.append(out.grad_fn))
    maps = feature_maps(model, Tensor(x, requires_grad=True), ["features.0"])
    assert isinstance(maps["features.0"], np.ndarray) and recorded == [None]


def test_no_layers_is_refused():
    model, x = lenet_and_digits()
    with pytest.raises(ValueError, match="layers is empty"):
        feature_maps(model, x, [])
