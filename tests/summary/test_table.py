"""summary: rows, totals and receptive fields by shape inference, and its refusals."""

import time

import numpy as np
import pytest
from define_by_run import CASES, DictOut, Residual, ResNetLike, Twice, TwoInputs, real_inputs

from tinygrad_cnn import models, nn
from tinygrad_cnn.autograd.abstract import shapes_of
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.summary import Summary, SummaryRow, conv_output_size, pool_output_size, summary


def test_lenet_rows_by_hand():
    s = summary(models.lenet5(), (2, 1, 28, 28), verbose=False)
    assert isinstance(s, Summary) and all(isinstance(r, SummaryRow) for r in s.rows)
    assert [r.name for r in s.rows] == [
        "features.0", "features.1", "features.2", "features.3", "features.4", "features.5",
        "flatten", "classifier.0", "classifier.1", "classifier.2", "classifier.3",
        "classifier.4"]
    first = s.rows[0]
    assert (first.type, first.output_shape, first.params) == ("Conv2d", (2, 6, 24, 24), 156)
    assert first.macs == 2 * 6 * 24 * 24 * 25
    assert s.rows[3].macs == 2 * 16 * 8 * 8 * 6 * 25
    assert s.rows[6].output_shape == (2, 256)
    assert s.rows[7].macs == 2 * 256 * 120
    # receptive field: 5, +1 (pool 2 at jump 1), +4*2 (conv 5 at jump 2), +1*4 (pool 2)
    assert [r.receptive_field for r in s.rows[:6]] == [(5, 5), (5, 5), (6, 6), (14, 14),
                                                        (14, 14), (16, 16)]
    assert [r.jump for r in s.rows[:6]] == [(1, 1), (1, 1), (2, 2), (2, 2), (2, 2), (4, 4)]
    assert s.rows[6].receptive_field is None and s.rows[-1].jump is None
    assert s.total_params == s.trainable_params == 44_426
    assert s.total_macs == sum(r.macs for r in s.rows) == 2 * 281_640
    assert s.output_shape == (2, 10) and s.input_shape == (2, 1, 28, 28)


def test_printed_table(capsys):
    s = summary(models.lenet5(), (1, 1, 28, 28))
    printed = capsys.readouterr().out
    assert printed.strip() == str(s)
    lines = printed.splitlines()
    assert lines[0] == "LeNet5, input (1, 1, 28, 28)"
    assert lines[2].split() == ["Layer", "Type", "Output", "shape", "Params", "MACs", "RF", "Jump"]
    assert lines[4].split() == ["features.0", "Conv2d", "(1,", "6,", "24,", "24)", "156",
                                "86,400", "5", "1"]
    assert "Total params: 44,426 (trainable 44,426)" in printed
    assert "Total MACs: 281,640 (281.64 K)" in printed
    assert repr(s) == "<Summary of LeNet5: 12 layers, 44,426 parameters, 281.64 K MACs>"


def test_vgg16_at_224_by_inference_only():
    with skip_init():
        model = models.vgg16()
    start = time.perf_counter()
    s = summary(model, (1, 3, 224, 224), verbose=False)
    elapsed = time.perf_counter() - start  # reported, not asserted: no timing assertions
    assert elapsed >= 0
    assert s.total_params == 138_357_544
    assert s.total_macs == 15_470_264_320
    assert s.output_shape == (1, 1000)
    last_pool = next(r for r in s.rows if r.name == "features.30")
    assert last_pool.output_shape == (1, 512, 7, 7)
    assert last_pool.receptive_field == (212, 212) and last_pool.jump == (32, 32)


def test_alexnet_receptive_field_and_macs():
    with skip_init():
        model = models.alexnet()
    s = summary(model, (1, 3, 224, 224), verbose=False)
    rows = {r.name: r for r in s.rows}
    assert rows["features.0"].output_shape == (1, 64, 55, 55)
    assert rows["features.12"].receptive_field == (195, 195)
    assert rows["avgpool"].output_shape == (1, 256, 6, 6)
    assert s.total_macs == 714_188_480 and s.total_params == 61_100_840


def test_other_layers_shapes_and_fields():
    net = nn.Sequential(
        nn.Conv1d(2, 4, 3, stride=2, dilation=2),
        nn.AvgPool1d(2),
        nn.MaxPool1d(2, stride=1),
    )
    s = summary(net, (1, 2, 31), verbose=False)
    assert [r.output_shape for r in s.rows] == [(1, 4, 14), (1, 4, 7), (1, 4, 6)]
    assert [r.receptive_field for r in s.rows] == [(5,), (7,), (11,)]
    assert s.rows[0].macs == 4 * 14 * 2 * 3
    up = nn.Sequential(nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), nn.AdaptiveAvgPool2d(5))
    s = summary(up, (1, 3, 8, 8), verbose=False)
    assert s.rows[0].output_shape == (1, 2, 16, 16) and s.rows[0].jump == (0.5, 0.5)
    assert s.rows[0].macs == 3 * 8 * 8 * 2 * 16
    assert s.rows[1].output_shape == (1, 2, 5, 5)
    assert "x" not in str(s).split("Jump")[1].split("\n")[2]  # square fields print as one number
    rect = summary(nn.Conv2d(1, 1, (3, 5)), (1, 1, 9, 9), verbose=False)
    assert rect.rows[0].receptive_field == (3, 5) and " 3x5 " in str(rect)
    assert rect.rows[0].name == "" and "(model)" in str(rect)


def test_bad_input_shape_names_the_layer():
    with pytest.raises(ValueError, match=r"^summary: features\.0 \(Conv2d\): conv2d: input has 3 "
                                         r"channels but weight \(6, 1, 5, 5\)"):
        summary(models.lenet5(), (1, 3, 28, 28), verbose=False)
    with pytest.raises(ValueError, match=r"^summary: features\.3 \(Conv2d\): .*larger than"):
        summary(models.lenet5(), (1, 1, 12, 12), verbose=False)
    with pytest.raises(ValueError, match=r"classifier\.0 \(Linear\): linear: input has 400 "):
        summary(models.lenet5(), (1, 1, 32, 32), verbose=False)
    with pytest.raises(ValueError, match="input_shape must be positive ints"):
        summary(models.lenet5(), (1, 0, 28, 28), verbose=False)


def test_a_step_that_needs_values_is_refused_naming_it():
    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x) if x.sum().item() > 0 else x

    with pytest.raises(ValueError, match=r"^summary: Gate: eval_shape: \.item\(\) reads the "
                                         r"values of a tensor of shape \(\)"):
        summary(Gate(), (2, 3), verbose=False)


def test_size_rules_are_re_exported():
    assert conv_output_size(28, 5) == 24 and pool_output_size(24, 2) == 12


# ---- any model -----------------------------------------------------------------------------


def _leaves(model):
    return [name for name, m in model.named_modules() if not list(m.children())]


@pytest.mark.parametrize("name", list(CASES))
def test_any_model_summary_matches_a_real_forward(name):
    make, shapes = CASES[name]
    model = make()
    s = summary(model, shapes if len(shapes) > 1 else shapes[0], verbose=False)
    real = model(*real_inputs(shapes))
    assert s.output_shape == shapes_of(real)
    assert s.total_params == model.num_parameters() == sum(r.params for r in s.rows)
    listed = {r.name.split(" (call")[0] for r in s.rows}
    assert set(_leaves(model)) <= listed


def test_residual_rows_macs_and_fields():
    s = summary(ResNetLike(), (2, 1, 8, 8), verbose=False)
    names = [r.name for r in s.rows]
    assert names[:5] == ["stem", "blocks.0.conv1", "blocks.0.bn1", "blocks.0.conv2",
                         "blocks.0.bn2"]
    conv = next(r for r in s.rows if r.name == "blocks.1.conv2")
    assert conv.macs == 2 * 4 * 8 * 8 * 4 * 9 and conv.output_shape == (2, 4, 8, 8)
    # the stem sees 3, then each 3x3 conv adds 2: 3 + 4 * 2 = 11 after two blocks
    assert conv.receptive_field == (11, 11) and conv.jump == (1, 1)
    assert s.rows[-1].name == "fc" and s.rows[-1].receptive_field is None
    assert s.total_macs == sum(r.macs for r in s.rows)


def test_a_module_called_twice_gets_two_rows_and_counts_its_parameters_once():
    s = summary(Twice(), (3, 6), verbose=False)
    assert [r.name for r in s.rows] == ["fc", "fc (call 2)", "out"]
    assert [r.params for r in s.rows] == [42, 0, 21]
    assert s.rows[1].macs == 3 * 6 * 6


def test_several_inputs_and_a_dict_output():
    s = summary(TwoInputs(), [(2, 1, 8, 8), (2, 5)], verbose=False)
    assert s.input_shape == [(2, 1, 8, 8), (2, 5)] and s.output_shape == (2, 2)
    d = summary(DictOut(), (5, 4), verbose=False)
    assert d.output_shape == {"cls": (5, 3), "box": (5, 4)}
    assert "{'cls': (5, 3), 'box': (5, 4)}" in str(d)


def test_depth_folds_nested_modules_into_their_rows():
    model = ResNetLike()
    s = summary(model, (2, 1, 8, 8), verbose=False, depth=1)
    assert [r.name for r in s.rows] == ["stem", "blocks.0", "blocks.1", "pool", "fc"]
    block = s.rows[1]
    assert block.type == "Residual" and block.params == model.blocks[0].num_parameters()
    assert block.macs == 2 * (2 * 4 * 8 * 8 * 4 * 9)
    assert sum(r.params for r in s.rows) == s.total_params
    top = summary(model, (2, 1, 8, 8), verbose=False, depth=0)
    assert [r.name for r in top.rows] == [""] and top.rows[0].macs == s.total_macs


def test_summary_changes_nothing_in_the_model():
    model = ResNetLike()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    summary(model, (2, 1, 8, 8), verbose=False)  # train mode: BatchNorm would update stats
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_resnet50_sized_model_is_summarised_without_computing():
    blocks = nn.Sequential(*[Residual(64) for _ in range(16)])
    with skip_init():
        model = nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3), blocks)
    s = summary(model, (8, 3, 224, 224), verbose=False)
    assert s.output_shape == (8, 64, 112, 112) and len(s.rows) == 1 + 16 * 4
