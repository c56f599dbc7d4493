"""ModuleList and ModuleDict: PyTorch's state_dict names, list and dict behaviour, refusals."""

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, nn


def test_module_list_names_and_list_behaviour():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
    layers.append(nn.Linear(2, 1))
    layers.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in layers] == ["Linear", "Tanh", "ReLU", "Linear"]
    assert list(layers.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert isinstance(layers[-1], nn.Linear) and len(layers[1:3]) == 2
    del layers[1]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2"]
    layers[1] = nn.Sigmoid()
    assert isinstance(layers[1], nn.Sigmoid)
    with pytest.raises(IndexError, match="index 5 is out of range for 3 modules"):
        layers[5]
    with pytest.raises(TypeError, match=r"entry 3 must be a Module, got int"):
        layers.append(3)


def test_module_dict_names_and_dict_behaviour():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3)})
    heads["box"] = nn.Linear(4, 2)
    assert list(heads) == ["cls", "box"] and "box" in heads and len(heads) == 2
    assert list(heads.state_dict()) == ["cls.weight", "cls.bias", "box.weight", "box.bias"]
    assert heads.pop("cls").out_features == 3 and heads.keys() == ["box"]
    with pytest.raises(KeyError, match=r"no module named 'cls'; it has box"):
        heads["cls"]
    with pytest.raises(TypeError, match="keys must be strings"):
        heads[1] = nn.ReLU()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 1), "b": nn.Linear(3, 2)})

    def forward(self, x):
        for block in self.blocks:
            x = block(x).relu()
        return {name: head(x) for name, head in self.heads.items()}


def test_containers_inside_a_model_match_pytorchs_state_dict_names():
    names = list(Net().state_dict())
    assert names == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
                     "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias"]
    out = Net()(Tensor(np.ones((4, 3), np.float32)))
    assert {k: v.shape for k, v in out.items()} == {"a": (4, 1), "b": (4, 2)}
    torch = torch_module()

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(2)])
            self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 1),
                                              "b": torch.nn.Linear(3, 2)})

    assert names == list(TorchNet().state_dict())


def test_containers_have_no_forward_of_their_own():
    with pytest.raises(NotImplementedError, match="ModuleList does not define forward"):
        nn.ModuleList([nn.ReLU()])(Tensor([1.0]))
