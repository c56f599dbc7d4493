"""LeNet-5, AlexNet, VGG and SimpleCNN: published parameter counts, torchvision names, shapes.

The big models are built under `skip_init` (no 100-million-number draws) and never run at
224x224: their shapes come from shape inference.
"""

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, eval_shape, manual_seed, models, nn
from tinygrad_cnn.models.init import init_like_torchvision
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.summary import summary


def build(factory, **kwargs):
    with skip_init():
        return factory(**kwargs)


@pytest.mark.parametrize(
    ("factory", "count"),
    [(models.lenet5, 44_426), (models.simple_cnn, 380_510), (models.alexnet, 61_100_840),
     (models.vgg11, 132_863_336), (models.vgg13, 133_047_848), (models.vgg16, 138_357_544),
     (models.vgg19, 143_667_240)],
)
def test_published_parameter_counts(factory, count):
    assert build(factory).num_parameters() == count


def test_vgg16_with_batch_norm_matches_torchvision_vgg16_bn():
    model = build(models.vgg16, batch_norm=True)
    assert model.num_parameters() == 138_365_992
    convs = [int(k.split(".")[1]) for k in model.state_dict() if k.endswith("weight")
             and model.state_dict()[k].ndim == 4]
    assert convs == [0, 3, 7, 10, 14, 17, 20, 24, 27, 30, 34, 37, 40]
    assert "features.1.running_var" in model.state_dict()
    assert "features.1.num_batches_tracked" in model.state_dict()


def _layers(model):
    return sorted({k.rsplit(".", 1)[0] for k in model.state_dict()},
                  key=lambda k: (k.split(".")[0], int(k.split(".")[1])))


def test_state_dict_keys_are_torchvisions():
    alexnet = build(models.alexnet)
    assert _layers(alexnet) == [
        "classifier.1", "classifier.4", "classifier.6",
        "features.0", "features.3", "features.6", "features.8", "features.10"]
    assert list(alexnet.state_dict())[:2] == ["features.0.weight", "features.0.bias"]
    vgg16 = build(models.vgg16)
    assert _layers(vgg16) == ["classifier.0", "classifier.3", "classifier.6"] + [
        f"features.{i}" for i in (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)]
    assert vgg16.state_dict()["classifier.0.weight"].shape == (4096, 25088)
    assert [name for name, _ in vgg16.named_children()] == ["features", "avgpool", "classifier"]


class _TwoLeNets(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = models.lenet5(), models.lenet5()

    def forward(self, x):
        return self.a(x) + self.b(x)


def test_each_model_flattens_with_its_own_flatten():
    two = _TwoLeNets()
    assert two.a.flatten is not two.b.flatten
    assert "flatten" not in dict(two.a.named_children())
    names = [row.name for row in summary(two, (1, 1, 28, 28), verbose=False).rows]
    assert "a.flatten" in names and "b.flatten" in names  # not "b.flatten (call 2)"


def test_lenet_layout_and_names():
    model = models.lenet5()
    assert [n for n, _ in model.named_parameters()] == [
        "features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
        "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias",
        "classifier.4.weight", "classifier.4.bias"]
    assert model.features[0].weight.shape == (6, 1, 5, 5)
    assert model.classifier[0].in_features == 256
    assert isinstance(model.features[2], nn.MaxPool2d)


@pytest.mark.parametrize(
    ("factory", "shape", "out"),
    [(models.lenet5, (7, 1, 28, 28), (7, 10)), (models.simple_cnn, (3, 1, 28, 28), (3, 10)),
     (models.alexnet, (2, 3, 224, 224), (2, 1000)), (models.alexnet, (1, 3, 100, 80), (1, 1000)),
     (models.vgg11, (1, 3, 32, 32), (1, 1000)), (models.vgg19, (2, 3, 224, 224), (2, 1000))],
)
def test_output_shapes_by_inference(factory, shape, out):
    assert eval_shape(build(factory), shape) == out


def test_num_classes_and_in_channels():
    model = models.lenet5(num_classes=4, in_channels=3)
    assert eval_shape(model, (2, 3, 28, 28)) == (2, 4)
    assert eval_shape(build(models.vgg11, num_classes=7, in_channels=1), (1, 1, 32, 32)) == (1, 7)
    assert build(models.alexnet, num_classes=5).classifier[6].out_features == 5
    assert models.simple_cnn(num_classes=3).classifier[4].out_features == 3


def test_dropout_follows_train_and_eval():
    model = build(models.alexnet, dropout=0.3)
    drops = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    assert len(drops) == 2 and all(d.p == 0.3 and d.training for d in drops)
    model.eval()
    assert not any(d.training for d in drops)


def test_vgg_initialisation_is_torchvisions():
    model = build(models.vgg11)
    # swap in a small classifier so the test draws thousands, not millions, of numbers
    model.classifier = nn.Sequential(nn.Linear(512, 300), nn.ReLU(), nn.Linear(300, 10))
    model.features = models.make_features([64, "M", 128], batch_norm=True)
    init_like_torchvision(model)
    conv = model.features[4]
    assert conv.bias.data.max() == 0 and conv.bias.data.min() == 0
    expected = np.sqrt(2 / (128 * 9))  # Kaiming normal, fan_out, ReLU gain
    assert abs(conv.weight.data.std() / expected - 1) < 0.05
    assert abs(model.classifier[0].weight.data.std() / 0.01 - 1) < 0.05
    assert (model.features[1].weight.data == 1).all() and (model.features[1].bias.data == 0).all()


def test_lenet_initialisation_is_pytorchs_default():
    model = models.lenet5()
    bound = 1 / np.sqrt(256)
    w = model.classifier[0].weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound


def test_lenet_refuses_small_images_naming_the_layer():
    with pytest.raises(ValueError, match=r"^features\.3 \(Conv2d\): conv2d: kernel size 5"):
        eval_shape(models.lenet5(), (1, 1, 12, 12))


@pytest.mark.parametrize(("factory", "shape"), [(models.lenet5, (3, 1, 28, 28)),
                                                (models.simple_cnn, (2, 1, 28, 28))])
def test_forward_backward_and_inferred_shapes_agree(factory, shape):
    manual_seed(0)
    model = factory()
    x = Tensor(np.random.default_rng(0).random(shape, dtype=np.float32))
    out = model(x)
    assert out.shape == (shape[0], 10) and out.dtype == np.float32
    F.cross_entropy(out, np.arange(shape[0])).backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    ran = {}  # the real forward's shapes, seen by forward hooks on every layer
    for name, layer in model.named_modules():
        if not list(layer.children()):
            layer.register_forward_hook(
                lambda m, args, out, name=name: ran.update({name: out.shape}))
    model(x)
    inferred = {r.name: r.output_shape for r in summary(model, shape, verbose=False).rows}
    assert ran == {name: inferred[name] for name in ran}


def test_vgg11_runs_on_small_images():
    model = build(models.vgg11, num_classes=10).eval()
    for p in model.parameters():
        p.data[...] = 0.01
    out = model(Tensor(np.ones((1, 3, 32, 32), dtype=np.float32)))
    assert out.shape == (1, 10) and np.isfinite(out.data).all()


def test_wrong_input_names_the_layer_in_forward():
    model = models.lenet5()
    with pytest.raises(ValueError, match=r"^features\.0 \(Conv2d\): conv2d: input has 3 channels"):
        model(Tensor(np.zeros((1, 3, 28, 28), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"^classifier\.0 \(Linear\): linear: input has 400 feat"):
        model(Tensor(np.zeros((1, 1, 32, 32), dtype=np.float32)))


def test_lenet_matches_the_same_network_in_pytorch():
    torch = torch_module()
    tnn = torch.nn

    class TorchLeNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.features = tnn.Sequential(tnn.Conv2d(1, 6, 5), tnn.ReLU(), tnn.MaxPool2d(2),
                                           tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2))
            self.classifier = tnn.Sequential(tnn.Linear(256, 120), tnn.ReLU(),
                                             tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(torch.flatten(self.features(x), 1))

    theirs, ours = TorchLeNet(), models.lenet5()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    data = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    labels = np.array([3, 1, 4, 1])
    loss = F.cross_entropy(ours(Tensor(data)), labels)
    loss.backward()
    their_loss = torch.nn.functional.cross_entropy(theirs(torch.tensor(data)),
                                                   torch.tensor(labels))
    their_loss.backward()
    assert loss.item() == pytest.approx(their_loss.item(), rel=1e-5)
    for name, p in theirs.named_parameters():
        mine = dict(ours.named_parameters())[name]
        np.testing.assert_allclose(mine.grad.data, p.grad.numpy(), rtol=1e-4, atol=1e-6)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
