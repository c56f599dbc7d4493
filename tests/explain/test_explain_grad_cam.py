"""grad_cam: the formula on a small model, PyTorch's numbers, and a peak on the pattern."""

import numpy as np
import pytest
from explain_models import images, small_cnn
from torch_parity import torch_module

from tinygrad_cnn import Tensor, manual_seed, nn, optim
from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.explain import grad_cam
from tinygrad_cnn.train import Classifier


def bilinear(maps: np.ndarray, size: int) -> np.ndarray:
    """(N, n, n) -> (N, size, size), align_corners=False: pixel o reads (o + 0.5) n / m - 0.5."""
    n = maps.shape[-1]
    source = np.maximum((np.arange(size) + 0.5) * n / size - 0.5, 0)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, n - 1)
    t = source - low
    rows = maps[:, low] * (1 - t)[:, None] + maps[:, high] * t[:, None]
    return rows[:, :, low] * (1 - t) + rows[:, :, high] * t


def test_the_formula_by_hand_after_the_last_relu():
    # After layer "4" come a global average and a linear layer, so the gradient of score t
    # with respect to A[k, i, j] is W[t, k] / (h w): alpha_k = W[t, k] / (h w), the CAM of
    # Zhou et al. that Grad-CAM generalises
    model, x = small_cnn(), images()
    with no_grad():
        activations = model[:5](Tensor(x)).data  # (4, 5, 4, 4)
        target = model(Tensor(x)).data.argmax(axis=1)
    alpha = model[7].weight.data[target] / 16  # (N, 5)
    cam = np.maximum(np.einsum("nk,nkij->nij", alpha, activations), 0)
    cam = bilinear(cam, 8)
    expected = cam / cam.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(grad_cam(model, x, layer="4"), expected, rtol=1e-12, atol=1e-15)


def test_the_default_layer_is_the_last_conv():
    model, x = small_cnn(), images()
    np.testing.assert_array_equal(grad_cam(model, x), grad_cam(model, x, layer="3"))


def test_a_map_without_positive_evidence_stays_zero():
    model, x = small_cnn(classes=2), images()
    model[7].weight.data[...] = 0.0
    model[7].weight.data[1] = -1.0  # every channel counts against class 1: alpha < 0, A >= 0
    cam = grad_cam(model, x, target=np.array([1, 1, 0, 0]), layer="4")
    np.testing.assert_array_equal(cam, 0.0)


def test_maps_peak_at_one():
    cam = grad_cam(small_cnn(), images(n=6), target=0)
    peaks = cam.max(axis=(1, 2))
    assert np.all((peaks == 1.0) | (peaks == 0.0)) and cam.min() >= 0


@pytest.mark.parametrize("layer", ["3", "4"])
def test_pytorch_gives_the_same_maps(layer):
    torch = torch_module()
    model, x = small_cnn(), images()
    layers = [torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Conv2d(4, 5, 3, padding=1), torch.nn.ReLU(),
              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(5, 3)]
    reference = torch.nn.Sequential(*layers).double()
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                               for k, v in model.state_dict().items()})
    seen = {}
    reference[int(layer)].register_forward_hook(lambda m, args, out: seen.update(a=out))
    logits = reference(torch.from_numpy(x))
    target = logits.argmax(dim=1)
    (g,) = torch.autograd.grad(logits[torch.arange(4), target].sum(), seen["a"])
    cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * seen["a"]).sum(dim=1, keepdim=True))
    cam = torch.nn.functional.interpolate(cam, size=(8, 8), mode="bilinear",
                                          align_corners=False)[:, 0]
    cam = cam / cam.amax(dim=(1, 2), keepdim=True)
    np.testing.assert_allclose(grad_cam(model, x, layer=layer), cam.detach().numpy(),
                               rtol=1e-10, atol=1e-12)


PLUS = np.array([[0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 1, 0, 0],
                 [0, 0, 1, 0, 0]], dtype=np.float32)


def pattern_task(n, rng, size=16):
    """Noise images, half of them (class 1) with a plus sign at a random spot; its corner."""
    x = rng.normal(0.0, 0.3, (n, 1, size, size)).astype(np.float32)
    y = rng.integers(0, 2, n)
    corners = rng.integers(0, size - PLUS.shape[0] + 1, (n, 2))
    for i in np.flatnonzero(y):  # 1,000 small copies: a loop is the plain way to place them
        r, c = corners[i]
        x[i, 0, r : r + 5, c : c + 5] += PLUS
    return x, y, corners


def test_after_training_the_map_peaks_on_the_pattern():
    manual_seed(0)
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(16, 2))
    x, y, _ = pattern_task(1000, rng)
    clf = Classifier(model, optim.Adam(model.parameters(), lr=1e-2), epochs=8, batch_size=50,
                     seed=0, verbose=False)
    clf.fit(x, y)
    x_test, y_test, corners = pattern_task(400, rng)
    assert clf.score(x_test, y_test) > 0.95
    with_plus = y_test == 1
    cam = grad_cam(model, x_test[with_plus], target=1)  # the default layer, conv "3", 8x8
    peak_row, peak_col = np.divmod(cam.reshape(len(cam), -1).argmax(axis=1), 16)
    row, col = corners[with_plus].T
    on_plus = (row <= peak_row) & (peak_row < row + 5) & (col <= peak_col) & (peak_col < col + 5)
    assert on_plus.mean() >= 0.95, on_plus.mean()  # 1.0 at this seed, and at seeds 1 to 5
