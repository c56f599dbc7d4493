"""Upsample: the layer against PyTorch's, its repr and its refusals."""

import numpy as np
import pytest
from torch_parity import assert_matches_torch, torch_module

from tinygrad_cnn import eval_shape, nn


@pytest.mark.parametrize("options", [
    {"scale_factor": 2}, {"size": (5, 9), "mode": "bilinear"},
    {"scale_factor": (1.5, 0.5), "mode": "bilinear", "align_corners": True},
    {"scale_factor": 3, "mode": "nearest", "recompute_scale_factor": True},
])
def test_upsample_matches_pytorch(options):
    torch = torch_module()
    ours, theirs = nn.Upsample(**options), torch.nn.Upsample(**options)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 6))
    assert_matches_torch(ours, theirs, [x])
    assert eval_shape(ours, x.shape) == tuple(theirs(torch.tensor(x)).shape)


def test_upsample_refuses_bad_arguments_when_built():
    with pytest.raises(ValueError, match=r"^Upsample: mode must be one of"):
        nn.Upsample(scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match=r"^Upsample: align_corners can only be set"):
        nn.Upsample(scale_factor=2, align_corners=False)
    with pytest.raises(ValueError, match=r"^Upsample: give exactly one of size and scale_factor"):
        nn.Upsample()
