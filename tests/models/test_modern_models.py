"""ResNet-18/34/50, ResNet-20, MobileNetV2 and DenseNet-121: torchvision's parameter counts and
state_dict names, torchvision weights loaded from safetensors giving torchvision's outputs,
and whole-model gradients against PyTorch.

The big models are built under `skip_init` and only run on 32x32 images.
"""

import numpy as np
import pytest
from extras import require
from torch_parity import torch_module

from benchmarks import torchvision_twins
from tinygrad_cnn import Tensor, load, models, nn, no_grad
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.summary import summary
from tinygrad_cnn.viz import draw_model

NAMES = ["resnet18", "resnet34", "resnet50", "resnet20", "mobilenet_v2", "densenet121"]
COUNTS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
          "resnet20": 272_474, "mobilenet_v2": 3_504_872, "densenet121": 7_978_856}
# a few of torchvision's own keys, and how many it has (buffers included)
TORCHVISION_KEYS = {
    "resnet18": (122, ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
                       "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
                       "layer4.1.bn2.num_batches_tracked", "fc.bias"]),
    "resnet50": (320, ["layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
                       "layer3.5.bn3.bias", "fc.weight"]),
    "mobilenet_v2": (314, ["features.0.0.weight", "features.0.1.running_mean",
                           "features.1.conv.0.0.weight", "features.1.conv.1.weight",
                           "features.2.conv.0.0.weight", "features.2.conv.3.bias",
                           "features.18.0.weight", "classifier.1.weight"]),
    "densenet121": (727, ["features.conv0.weight", "features.norm0.running_var",
                          "features.denseblock1.denselayer1.norm1.weight",
                          "features.denseblock4.denselayer16.conv2.weight",
                          "features.transition3.conv.weight", "features.norm5.bias",
                          "classifier.weight"]),
}


def build(name, **kwargs):
    with skip_init():
        return models.MODELS[name](**kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_parameter_counts_are_torchvisions(name):
    assert build(name).num_parameters() == COUNTS[name]


@pytest.mark.parametrize("name", list(TORCHVISION_KEYS))
def test_state_dict_keys_are_torchvisions(name):
    count, some = TORCHVISION_KEYS[name]
    keys = list(build(name).state_dict())
    assert len(keys) == count and all(k in keys for k in some)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_matches_the_pytorch_rebuild_of_torchvision_key_for_key(name):
    torch = torch_module()
    theirs = torchvision_twins.build(torch, name, num_classes=10).state_dict()
    ours = build(name, num_classes=10).state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[k].shape == tuple(theirs[k].shape) for k in ours)


def _randomize_statistics(torch, model):
    """Running statistics away from 0 and 1, so eval mode is tested in earnest."""
    generator = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5, generator=generator)
            m.running_var.uniform_(0.5, 2.0, generator=generator)
            m.weight.data.uniform_(0.5, 1.5, generator=generator)
            m.bias.data.uniform_(-0.2, 0.2, generator=generator)


# ResNet-34 is ResNet-18's code with more blocks
@pytest.mark.parametrize("name", [n for n in NAMES if n != "resnet34"])
def test_torchvision_weights_from_safetensors_give_torchvisions_outputs(name, tmp_path):
    torch = torch_module()
    safetensors_torch = require("safetensors.torch", "interop")
    torch.manual_seed(0)
    theirs = torchvision_twins.build(torch, name, num_classes=7).eval()
    _randomize_statistics(torch, theirs)
    state = {k: v.contiguous() for k, v in theirs.state_dict().items()}
    safetensors_torch.save_file(state, str(tmp_path / f"{name}.safetensors"))
    ours = build(name, num_classes=7)
    ours.load_state_dict(load(tmp_path / f"{name}.safetensors"))
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with no_grad():
        got = ours.eval()(Tensor(x)).data
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


# MobileNetV2 runs in eval mode: at 16x16 its last BatchNorms in train mode would normalise
# two values per channel, which amplifies rounding differences in both frameworks alike
@pytest.mark.parametrize(("name", "train"), [("resnet20", True), ("mobilenet_v2", False)])
def test_forward_and_gradients_match_pytorch_in_float64(name, train):
    # the output, the input gradient, every parameter gradient and the running statistics
    torch = torch_module()
    torch.manual_seed(1)
    theirs = torchvision_twins.build(torch, name, num_classes=5).double().train(train)
    _randomize_statistics(torch, theirs)
    ours = models.MODELS[name](num_classes=5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for p in ours.parameters():
        p.data = p.data.astype(np.float64)
    for b in ours.buffers():
        b.data = b.data.astype(np.float64) if b.dtype.kind == "f" else b.data
    ours.train(train)
    x = np.random.default_rng(0).standard_normal((2, 3, 16, 16))
    ox, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(ox), theirs(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(Tensor(g))
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    their_params = dict(theirs.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, their_params[k].grad.numpy(), rtol=1e-6,
                                   atol=1e-6, err_msg=k)
    their_state = theirs.state_dict()
    for k, b in ours.named_buffers():
        np.testing.assert_allclose(b.data, their_state[k].numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["resnet18", "resnet20", "mobilenet_v2", "densenet121"])
def test_num_classes_in_channels_and_small_images(name):
    model = models.MODELS[name](num_classes=4, in_channels=1).eval()
    with no_grad():
        assert model(Tensor(np.zeros((2, 1, 32, 32), np.float32))).shape == (2, 4)


def test_resnet20_layout_and_parameter_count_by_hand():
    model = models.resnet20()
    # stem 432 + 32; stage widths 16, 32, 64 of three blocks; two 1x1 projections
    assert model.num_parameters() == 272_474
    assert models.resnet20(in_channels=1).num_parameters() == 272_474 - 2 * 144
    assert isinstance(model.maxpool, nn.Identity) and model.num_stages == 3
    assert model.layer2[0].downsample[0].weight.shape == (32, 16, 1, 1)
    assert model.layer1[0].downsample is None
    assert model.fc.in_features == 64


def test_zero_init_residual_starts_every_block_as_the_identity():
    model = models.ResNet(models.Bottleneck, [1, 1], num_classes=3, zero_init_residual=True)
    assert all((block.bn3.weight.data == 0).all() for block in (model.layer1[0], model.layer2[0]))


def test_initialisation_is_torchvisions():
    model = models.resnet20()
    conv = model.layer3[1].conv2.weight.data
    assert abs(conv.std() / np.sqrt(2 / (64 * 9)) - 1) < 0.05  # Kaiming normal, fan_out, ReLU
    assert (model.layer3[1].bn2.weight.data == 1).all()
    net = models.mobilenet_v2(num_classes=10)
    assert abs(net.classifier[1].weight.data.std() / 0.01 - 1) < 0.05
    assert (net.classifier[1].bias.data == 0).all()


def test_densenet_concatenates_every_earlier_feature_map():
    block = models.densenet.DenseBlock(3, 8, bn_size=2, growth_rate=4, drop_rate=0.0)
    with no_grad():
        out = block(Tensor(np.ones((1, 8, 5, 5), np.float32)))
    assert out.shape == (1, 8 + 3 * 4, 5, 5)
    np.testing.assert_array_equal(out.data[:, :8], 1.0)  # the input passes through unchanged


@pytest.mark.parametrize("name", NAMES)
def test_summary_and_drawing_follow_the_define_by_run_forwards(name):
    model = build(name)
    size = 32 if name == "resnet20" else 224
    table = summary(model, (1, 3, size, size), verbose=False)
    assert table.total_params == COUNTS[name] == sum(r.params for r in table.rows)
    assert table.output_shape == (1, 10 if name == "resnet20" else 1000)
    layers = {n for n, m in model.named_modules() if not list(m.children())}
    assert layers <= {r.name for r in table.rows}
    source = draw_model(model, (1, 3, size, size)).source
    assert "add" in source or "cat" in source  # residual adds, dense concatenations


def test_resnet50_macs_are_the_published_4_1_billion():
    table = summary(build("resnet50"), (1, 3, 224, 224), verbose=False)
    assert table.total_macs == 4_089_184_256  # conv and fc MACs, as torchinfo counts them
