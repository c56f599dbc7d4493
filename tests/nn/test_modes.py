"""evaluating: eval mode for a block, each module's own mode put back, on error too."""

import pytest

from tinygrad_cnn import nn
from tinygrad_cnn.nn.modes import evaluating


def test_each_module_gets_its_own_mode_back_on_error_too():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Dropout())
    model[1].eval()  # a BatchNorm kept in eval mode while the rest trains
    with pytest.raises(RuntimeError, match="inside"), evaluating(model) as inside:
        assert inside is model
        assert [m.training for m in model.modules()] == [False] * 4
        raise RuntimeError("inside")
    assert [m.training for m in model.modules()] == [True, True, False, True]
