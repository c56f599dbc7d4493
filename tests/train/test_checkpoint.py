"""Training checkpoints: a checkpoint is data, so the model it records is rebuilt only when
it is built in or the caller names it."""

import sys

import numpy as np
import pytest

from tinygrad_cnn import models, save
from tinygrad_cnn.train.checkpoint import load_checkpoint, save_checkpoint

FACTORY = '''
import pathlib

pathlib.Path(__file__).with_name("ran").write_text("imported")


def make(num_classes=10, in_channels=1):
    from tinygrad_cnn import models
    return models.lenet5(num_classes, in_channels)
'''


@pytest.fixture
def saved(tmp_path, monkeypatch):
    """ckpt.npz saved from ckpt_factory:make, a module that leaves a file `ran` when imported."""
    (tmp_path / "ckpt_factory.py").write_text(FACTORY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "ckpt_factory", raising=False)
    model = models.lenet5()
    save_checkpoint(tmp_path / "ckpt.npz", "ckpt_factory:make", model, epoch=2)
    return tmp_path, model


def test_a_user_model_is_not_rebuilt_unless_named(saved):
    folder, _ = saved
    with pytest.raises(ValueError, match=r"ckpt\.npz holds the user model ckpt_factory:make; a "
                                         r"checkpoint never imports code by itself, so name the "
                                         r"model to rebuild it: --model ckpt_factory:make"):
        load_checkpoint(folder / "ckpt.npz")
    assert not (folder / "ran").exists()


def test_the_named_user_model_is_rebuilt_with_its_weights(saved):
    folder, model = saved
    state = load_checkpoint(folder / "ckpt.npz", model_name="ckpt_factory:make")
    assert (folder / "ran").exists() and state["epoch"] == 2
    np.testing.assert_array_equal(state["model"].state_dict()["features.0.weight"],
                                  model.state_dict()["features.0.weight"])


def test_another_name_is_refused_before_anything_is_imported(saved):
    folder, _ = saved
    for other in ("lenet5", "ckpt_factory:other"):
        with pytest.raises(ValueError, match=rf"holds a ckpt_factory:make, not {other}"):
            load_checkpoint(folder / "ckpt.npz", model_name=other)
    assert not (folder / "ran").exists()


def test_a_built_in_model_needs_no_name(tmp_path):
    save_checkpoint(tmp_path / "lenet.npz", "lenet5", models.lenet5())
    assert load_checkpoint(tmp_path / "lenet.npz")["model_name"] == "lenet5"
    assert load_checkpoint(tmp_path / "lenet.npz", "lenet5")["model_name"] == "lenet5"


@pytest.mark.parametrize("recorded", ["os.system('x'):y", "../evil:make", "\x1b[2Jnone", ""])
def test_a_recorded_name_that_is_no_model_name_is_refused(tmp_path, recorded):
    save({"meta": {"model": np.array(recorded), "num_classes": np.array(10),
                   "epoch": np.array(0)}, "model": {}}, tmp_path / "odd.npz")
    with pytest.raises(ValueError, match=r"odd\.npz: the checkpoint records .*, neither a "
                                         r"built-in model nor package\.module:factory"):
        load_checkpoint(tmp_path / "odd.npz", model_name=recorded or None)
