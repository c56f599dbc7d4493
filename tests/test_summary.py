"""summary: rows, totals and receptive fields by shape inference, and its refusals."""

import time

import pytest

from tinygrad_cnn import models, nn
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
    with pytest.raises(ValueError, match=r"^summary: features\.0 \(Conv2d\): conv2d: expected "
                                         r"input \(N, 1, H, W\) with 1 channels, got \(1, 3"):
        summary(models.lenet5(), (1, 3, 28, 28), verbose=False)
    with pytest.raises(ValueError, match=r"^summary: features\.3 \(Conv2d\): .*larger than"):
        summary(models.lenet5(), (1, 1, 12, 12), verbose=False)
    with pytest.raises(ValueError, match=r"classifier\.0 \(Linear\): linear: expected input"):
        summary(models.lenet5(), (1, 1, 32, 32), verbose=False)
    with pytest.raises(ValueError, match="input_shape must be positive ints"):
        summary(models.lenet5(), (1, 0, 28, 28), verbose=False)


def test_modules_without_shape_rules_are_refused_clearly():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x) + x

    with pytest.raises(NotImplementedError, match=r"cannot infer the output shape of Custom"):
        summary(Custom(), (2, 3), verbose=False)
    with pytest.raises(NotImplementedError, match="steps"):
        summary(nn.Sequential(Custom()), (2, 3), verbose=False)


def test_size_rules_are_re_exported():
    assert conv_output_size(28, 5) == 24 and pool_output_size(24, 2) == 12
