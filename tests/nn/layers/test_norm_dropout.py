"""BatchNorm2d and Dropout: train/eval behaviour, running statistics, gradients, refusals."""

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, manual_seed, nn
from tinygrad_cnn.testing import gradcheck

RNG = np.random.default_rng(0)
BATCHES = [RNG.standard_normal((4, 3, 5, 5)).astype(np.float32) * 2 + 1 for _ in range(3)]


def test_batchnorm_training_normalises_with_biased_batch_statistics():
    bn = nn.BatchNorm2d(3)
    y = bn(Tensor(BATCHES[0])).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batchnorm_running_statistics_by_hand():
    bn = nn.BatchNorm2d(3, momentum=0.1)
    x = BATCHES[0]
    bn(Tensor(x))
    mean, unbiased = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * unbiased, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == np.int64


def test_batchnorm_cumulative_average_when_momentum_is_none():
    bn = nn.BatchNorm2d(3, momentum=None)
    for x in BATCHES:
        bn(Tensor(x))
    means = np.mean([x.mean(axis=(0, 2, 3)) for x in BATCHES], axis=0)
    np.testing.assert_allclose(bn.running_mean.data, means, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_eval_uses_running_statistics_and_updates_nothing():
    bn = nn.BatchNorm2d(3)
    bn.running_mean.data[:] = [1.0, 2.0, 3.0]
    bn.running_var.data[:] = [4.0, 1.0, 0.25]
    bn.weight.data[:] = 2.0
    bn.bias.data[:] = 0.5
    bn.eval()
    y = bn(Tensor(BATCHES[0])).data
    expected = (BATCHES[0] - np.array([1, 2, 3]).reshape(1, 3, 1, 1)) / np.sqrt(
        np.array([4, 1, 0.25]).reshape(1, 3, 1, 1) + 1e-5) * 2 + 0.5
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert bn.num_batches_tracked.item() == 0 and bn.running_mean.tolist() == [1.0, 2.0, 3.0]


def test_batchnorm_without_running_stats_uses_batch_statistics_in_eval():
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False).eval()
    assert list(bn.state_dict()) == [] and bn.num_parameters() == 0
    y = bn(Tensor(BATCHES[1])).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)


def test_batchnorm_gradients_in_training_and_eval():
    manual_seed(0)
    x = Tensor(RNG.standard_normal((3, 2, 2, 2)), requires_grad=True)
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn.weight.data[:] = [1.5, -0.5]
    bn.bias.data[:] = [0.1, 0.2]
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias])
    bn.eval()
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias])


def test_batchnorm_refuses_bad_inputs_naming_the_layer():
    net = nn.Sequential(nn.BatchNorm2d(3))
    pattern = r"^0 \(BatchNorm2d\): .*expected 3 channels.*\(2, 4, 5, 5\)"
    with pytest.raises(ValueError, match=pattern):
        net(Tensor(np.zeros((2, 4, 5, 5), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"expected 4-D input \(N, C, H, W\), got \(2, 3\)"):
        net(Tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        net(Tensor(np.zeros((1, 3, 1, 1), dtype=np.float32)))
    with pytest.raises(ValueError, match="running_mean and running_var are needed"):
        F.batch_norm(Tensor(np.zeros((2, 3))), None, None)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.batch_norm(Tensor(np.zeros((2, 3))), None, None, weight=Tensor(np.ones(2)),
                     training=True)


def test_batchnorm_state_names_repr_and_reset():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == ("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                        "track_running_stats=True)")
    bn(Tensor(RNG.standard_normal((2, 4, 3, 3)).astype(np.float32)))
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0] * 4 and bn.num_batches_tracked.item() == 0


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_matches_pytorch_in_train_and_eval(momentum, affine):
    torch = torch_module()
    ours = nn.BatchNorm2d(3, momentum=momentum, affine=affine)
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum, affine=affine)
    if affine:
        weights = {"weight": np.array([0.5, 1.0, 2.0], np.float32),
                   "bias": np.array([0.0, -1.0, 1.0], np.float32)}
        ours.load_state_dict({**ours.state_dict(), **weights})
        theirs.load_state_dict({**theirs.state_dict(),
                                **{k: torch.tensor(v) for k, v in weights.items()}})
    for x in BATCHES:
        ours_x, theirs_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        grad_out = RNG.standard_normal(x.shape).astype(np.float32)
        y, ty = ours(ours_x), theirs(theirs_x)
        y.backward(Tensor(grad_out))
        ty.backward(torch.tensor(grad_out))
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), rtol=1e-3, atol=1e-4)
    if affine:
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-5, atol=1e-6)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(Tensor(BATCHES[0])).data,
                               theirs(torch.tensor(BATCHES[0])).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_dropout_train_zeroes_and_scales_eval_is_identity():
    manual_seed(0)
    drop = nn.Dropout(0.25)
    x = Tensor(np.ones((200, 100), dtype=np.float32), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.75, rtol=1e-6)  # gradient uses the mask
    drop.eval()
    assert drop(x) is x


def test_dropout_is_reproducible_through_manual_seed():
    x = Tensor(np.ones(50, dtype=np.float32))
    manual_seed(3)
    first = nn.Dropout()(x).data
    manual_seed(3)
    np.testing.assert_array_equal(first, nn.Dropout()(x).data)


def test_dropout_edge_probabilities_and_refusals():
    x = Tensor(np.ones(5, dtype=np.float32))
    assert nn.Dropout(0.0)(x) is x
    assert nn.Dropout(1.0)(x).tolist() == [0.0] * 5
    for p in (-0.1, 1.5, "half"):
        with pytest.raises(ValueError, match="probability p must be in"):
            nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: probability"):
        F.dropout(x, 2.0)
    assert repr(nn.Dropout(0.3)) == "Dropout(p=0.3, inplace=False)"
    assert F.dropout(x, 0.5, training=False) is x
