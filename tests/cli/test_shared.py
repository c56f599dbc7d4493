"""What the commands share: one class list for both splits of a picture folder, the bounds on
--num-classes and on an example input."""

import numpy as np
import pytest
from extras import require

from tinygrad_cnn.cli import main
from tinygrad_cnn.cli.shared import CommandError, load_data


def _pictures(root, layout):
    """root/<split>/<class>/<i>.png, `layout[split][class]` pictures of that class's grey."""
    image = require("PIL.Image", "images")
    for split, classes in layout.items():
        for name, (count, grey) in classes.items():
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                image.fromarray(np.full((6, 6), grey, np.uint8)).save(
                    root / split / name / f"{i}.png")


def test_the_test_split_is_labelled_by_the_training_classes(tmp_path):
    _pictures(tmp_path, {"train": {"cat": (2, 10), "dog": (2, 200)}, "test": {"dog": (3, 200)}})
    (_, y_train), (x_test, y_test) = load_data(str(tmp_path), None)
    assert y_train.tolist() == [0, 0, 1, 1]
    assert y_test.tolist() == [1, 1, 1]  # dog is 1 in training: 0 before, silently
    assert np.allclose(x_test, 200 / 255)


def test_a_test_class_that_training_never_saw_is_refused_by_name(tmp_path, capsys):
    _pictures(tmp_path, {"train": {"cat": (2, 10), "dog": (2, 200)},
                         "test": {"bird": (1, 90), "dog": (1, 200)}})
    with pytest.raises(CommandError, match=r"the test split has classes the training split has "
                                           r"not: bird \(training classes: cat, dog\)$"):
        load_data(str(tmp_path), None)
    assert main(["train", "--data", str(tmp_path), "--epochs", "1", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "bird" in err and "epoch" not in out  # trained and reported accuracy before


@pytest.mark.parametrize("argv", [["summary", "lenet5", "--num-classes", "3000000000"],
                                  ["graph", "lenet5", "-o", "g.dot", "--num-classes", "3000000"],
                                  ["summary", "lenet5", "--num-classes", "0"]])
def test_num_classes_is_bounded_as_fit_bounds_labels(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    _, err = capsys.readouterr()
    assert err.strip() == (f"tinygrad-cnn: error: --num-classes {argv[-1]}: a model has 1 to "
                           "100,000 classes")


@pytest.mark.parametrize("command", [["graph", "lenet5", "-o", "g.dot"],
                                     ["export", "x.npz", "-o", "x.onnx"]])
def test_an_example_input_larger_than_memory_is_refused_by_name(tmp_path, monkeypatch, capsys,
                                                                command):
    from tinygrad_cnn import models
    from tinygrad_cnn.train.checkpoint import save_checkpoint

    monkeypatch.chdir(tmp_path)
    save_checkpoint("x.npz", "lenet5", models.lenet5())
    assert main([*command, "--input-shape", "1,1,100000,1000000"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("tinygrad-cnn: error: --input-shape: 1,1,100000,1000000 (the example "
                          "input) needs 372.5 GiB, more than this machine's")


def test_an_empty_model_name_is_refused_not_read_as_lenet5(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--model", "", "--epochs", "1", "--limit", "64", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("tinygrad-cnn: error: unknown model ''; choose one of") and out == ""
