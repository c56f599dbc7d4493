"""build_model: a factory of the user's is given only the keywords it takes."""

import sys

import pytest

from tinygrad_cnn import nn
from tinygrad_cnn.models import build_model

FACTORIES = '''
from tinygrad_cnn import nn


def bare():
    return nn.Linear(4, 2)


def classes_only(num_classes):
    return nn.Linear(4, num_classes)


def anything(**options):
    return nn.Linear(options.get("in_channels", 4), options.get("num_classes", 2))


class Net(nn.Linear):
    def __init__(self, num_classes=2, *, in_channels=4):
        super().__init__(in_channels, num_classes)
'''


@pytest.fixture
def factories(tmp_path, monkeypatch):
    (tmp_path / "factories27.py").write_text(FACTORIES)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("factories27", None)


@pytest.mark.parametrize("name, shape", [
    ("bare", (2, 4)),  # called with no arguments
    ("classes_only", (7, 4)),
    ("anything", (7, 3)),
    ("Net", (7, 3)),  # a class: its __init__'s keywords
])
def test_a_factory_gets_the_keywords_it_takes(factories, name, shape):
    model = build_model(f"factories27:{name}", num_classes=7, in_channels=3)
    assert isinstance(model, nn.Linear) and model.weight.shape == shape
