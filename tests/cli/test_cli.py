"""The `tinygrad-cnn` command, run as users run it: in a subprocess."""

import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from checkout import checkout_env
from extras import require

from tinygrad_cnn.cli import main
from tinygrad_cnn.data import write_idx


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tinygrad_cnn", *args], cwd=cwd,
                          env=checkout_env(), capture_output=True, text=True, timeout=300)


def test_train_save_resume_evaluate_and_plot(tmp_path):
    require("matplotlib", "plot")
    result = run("train", "--epochs", "1", "--limit", "400", "--quiet", "--save", "run.npz",
                 "--plot", "curves.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch   1  loss" in result.stdout and "test accuracy:" in result.stdout
    assert (tmp_path / "run.npz").exists() and (tmp_path / "curves.png").exists()

    resumed = run("train", "--resume", "run.npz", "--epochs", "1", "--limit", "400", "--quiet",
                  cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch   2  loss" in resumed.stdout

    evaluated = run("evaluate", "run.npz", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "lenet5 (epoch 2): test loss" in evaluated.stdout  # saved back by the resumed run


def test_simple_cnn_trains_with_sgd(tmp_path):
    result = run("train", "--model", "simple-cnn", "--optimizer", "sgd", "--lr", "0.05",
                 "--epochs", "1", "--limit", "200", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training simple-cnn on 200 images (380,510 parameters)" in result.stdout


def test_summary_prints_the_table(tmp_path):
    result = run("summary", "vgg16", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "138,357,544" in result.stdout


@pytest.mark.parametrize("args, message", [
    (("evaluate", "missing.npz"), "no checkpoint at"),
    (("train", "--data", "no-such-dir"), "does not exist"),
    (("summary", "lenet5", "--input-shape", "1,2"), "four positive sizes"),
])
def test_errors_are_one_line_without_traceback(tmp_path, args, message):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_corrupt_checkpoint_is_refused(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    result = run("evaluate", "bad.npz", cwd=tmp_path)
    assert result.returncode == 1 and "bad.npz" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_with_augmentation(tmp_path):
    result = run("train", "--epochs", "1", "--limit", "200", "--quiet", "--augment", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "augmentation: Compose([RandomCrop(size=(28, 28), padding=(2, 2, 2, 2)" in result.stdout
    assert "RandomRotation(degrees=(-10.0, 10.0)" in result.stdout


def test_train_on_an_image_folder_with_train_and_test_splits(tmp_path):
    image = require("PIL.Image", "images")
    rng = np.random.default_rng(0)
    for split, count in (("train", 6), ("test", 2)):
        for name in ("circle", "square"):
            folder = tmp_path / "pictures" / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
                image.fromarray(pixels).save(folder / f"{i}.png")
    (tmp_path / "pictures" / "train" / "circle" / "notes.txt").write_text("skipped")
    result = run("train", "--data", "pictures", "--epochs", "1", "--quiet", "--augment",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training lenet5 on 12 images" in result.stdout
    assert "RandomHorizontalFlip" in result.stdout and "padding_mode='reflect'" in result.stdout
    assert "test accuracy:" in result.stdout


def test_an_image_folder_without_splits_holds_out_a_fifth(tmp_path):
    image = require("PIL.Image", "images")
    for name in ("a", "b"):
        (tmp_path / "pictures" / name).mkdir(parents=True)
        for i in range(5):
            image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(
                tmp_path / "pictures" / name / f"{i}.png")
    result = run("train", "--data", "pictures", "--epochs", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training lenet5 on 8 images" in result.stdout


# ---- numbers and output paths: refused in one line, before any work -----------------------


def one_line_error(argv, capsys):
    """Run the command in this process; its one-line error (exit status 1) and what it printed."""
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err
    return err.strip(), out


@pytest.mark.parametrize("flag, value, message", [
    ("--limit", "-100", "--limit must be a positive integer, got -100"),
    ("--limit", "0", "--limit must be a positive integer, got 0"),
    ("--epochs", "0", "--epochs must be a positive integer, got 0"),
    ("--batch-size", "-1", "--batch-size must be a positive integer, got -1"),
    ("--lr", "0", "--lr must be a positive finite number, got 0.0"),
    ("--lr", "-0.1", "--lr must be a positive finite number, got -0.1"),
    ("--lr", "nan", "--lr must be a positive finite number, got nan"),
    ("--lr", "inf", "--lr must be a positive finite number, got inf"),
])
def test_train_refuses_non_positive_numbers(flag, value, message, capsys):
    err, out = one_line_error(["train", flag, value, "--quiet"], capsys)
    assert err == f"tinygrad-cnn: error: {message}"
    assert out == ""  # refused before loading data or building a model


@pytest.mark.parametrize("flag", ["--save", "--plot"])
def test_train_checks_output_folders_before_any_work(tmp_path, flag, capsys):
    path = tmp_path / "missing" / ("run.npz" if flag == "--save" else "curves.png")
    err, out = one_line_error(["train", "--epochs", "1", "--limit", "64", "--quiet", flag,
                               str(path)], capsys)
    assert err.startswith(f"tinygrad-cnn: error: {flag}: cannot write {path}: the folder ")
    assert out == ""


def test_train_save_to_a_folder_or_a_format_without_strings_is_refused(tmp_path, capsys):
    err, _ = one_line_error(["train", "--save", str(tmp_path)], capsys)
    assert err == f"tinygrad-cnn: error: --save: {tmp_path} is a folder; name a file inside it"
    err, _ = one_line_error(["train", "--save", str(tmp_path / "run.safetensors")], capsys)
    assert "--save: a training checkpoint must be a .npz file" in err
    err, _ = one_line_error(["train", "--plot", str(tmp_path / "curves.jpg")], capsys)
    assert "--plot: the learning curves are written as .png, .svg or .pdf" in err


def test_export_and_graph_check_the_output_folder_first(tmp_path, capsys):
    path = tmp_path / "missing" / "out.onnx"
    err, _ = one_line_error(["export", str(tmp_path / "no-checkpoint.npz"), "-o", str(path)],
                            capsys)
    assert err.startswith(f"tinygrad-cnn: error: -o: cannot write {path}: the folder ")
    path = tmp_path / "missing" / "lenet.dot"
    err, _ = one_line_error(["graph", "lenet5", "-o", str(path)], capsys)
    assert err.startswith(f"tinygrad-cnn: error: -o: cannot write {path}: the folder ")


def _idx_dir(root, train_labels, n_test=4):
    """An MNIST-format folder of blank 28x28 images with the given training labels."""
    labels = np.asarray(train_labels)
    for name, array in (("train-images-idx3-ubyte", np.zeros((len(labels), 28, 28), np.uint8)),
                        ("train-labels-idx1-ubyte", labels),
                        ("t10k-images-idx3-ubyte", np.zeros((n_test, 28, 28), np.uint8)),
                        ("t10k-labels-idx1-ubyte", np.zeros(n_test, np.uint8))):
        write_idx(root / name, array)
    return root


def test_an_absurd_label_is_refused_naming_the_file(tmp_path, capsys):
    _idx_dir(tmp_path, np.array([0, 1, 3_000_000], np.int32))
    err, out = one_line_error(["train", "--data", str(tmp_path), "--quiet"], capsys)
    assert err == (f"tinygrad-cnn: error: {tmp_path / 'train-labels-idx1-ubyte'}: label "
                   "3000000 at position 2 is too large; labels are class indices from 0 to 99,999")
    assert out == ""  # no 255-million-parameter model was built


@pytest.mark.parametrize("n_train, n_test, split", [(0, 4, "training"), (3, 0, "test")])
def test_data_without_images_is_refused(tmp_path, capsys, n_train, n_test, split):
    _idx_dir(tmp_path, np.zeros(n_train, np.uint8), n_test)
    err, _ = one_line_error(["train", "--data", str(tmp_path)], capsys)
    assert err == f"tinygrad-cnn: error: --data {tmp_path}: the {split} set has no images"


def test_a_checkpoint_asking_for_1e11_classes_is_refused(tmp_path, capsys):
    from tinygrad_cnn import models, save

    save({"meta": {"model": np.array("lenet5"), "num_classes": np.array(10**11),
                   "epoch": np.array(1)}, "model": models.lenet5().state_dict()},
         tmp_path / "big.npz")
    err, _ = one_line_error(["evaluate", str(tmp_path / "big.npz")], capsys)
    assert err.endswith("big.npz: the checkpoint asks for 100,000,000,000 classes; a model has "
                        "1 to 100,000")


# ---- Ctrl-C while training: the last finished epoch saved, one line, exit status 130 -------


def test_ctrl_c_saves_the_last_finished_epoch(tmp_path, monkeypatch, capsys):
    from tinygrad_cnn import optim
    from tinygrad_cnn.cli import training
    from tinygrad_cnn.train.checkpoint import load_checkpoint

    class CtrlCAtStep6(optim.Adam):
        steps = 0

        def step(self, closure=None):
            super().step(closure)
            CtrlCAtStep6.steps += 1
            if CtrlCAtStep6.steps == 6:  # epoch 2 of 4 batches (--limit 128, --batch-size 32)
                signal.raise_signal(signal.SIGINT)

    argv = ["train", "--limit", "128", "--batch-size", "32", "--quiet", "--save"]
    assert main([*argv, str(tmp_path / "one.npz"), "--epochs", "1"]) == 0
    monkeypatch.setitem(training.OPTIMIZERS, "adam", CtrlCAtStep6)
    capsys.readouterr()
    assert main([*argv, str(tmp_path / "cut.npz"), "--epochs", "5"]) == 130
    out, err = capsys.readouterr()
    assert err == f"tinygrad-cnn: interrupted in epoch 2; saved epoch 1 to {tmp_path / 'cut.npz'}\n"
    assert "epoch   1  loss" in out and "epoch   2" not in out and "test accuracy" not in out
    one, cut = load_checkpoint(tmp_path / "one.npz"), load_checkpoint(tmp_path / "cut.npz")
    assert cut["epoch"] == 1
    for (name, a), b in zip(one["model"].state_dict().items(), cut["model"].state_dict().values(),
                            strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)  # the weights at the end of epoch 1


def test_ctrl_c_from_the_terminal_stops_the_command_cleanly(tmp_path):
    command = [sys.executable, "-m", "tinygrad_cnn", "train", "--epochs", "1000", "--limit", "64",
               "--quiet", "--save", "run.npz"]
    process = subprocess.Popen(command, cwd=tmp_path, env=checkout_env(), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until the first epoch is saved: up to a minute on a slow machine
            if (tmp_path / "run.npz").exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "epoch   1  loss" in out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    match = re.fullmatch(r"tinygrad-cnn: interrupted in epoch (\d+); saved epoch (\d+) to "
                         r"run\.npz\n", err)
    assert match and int(match[1]) == int(match[2]) + 1
    from tinygrad_cnn.train.checkpoint import load_checkpoint

    assert load_checkpoint(tmp_path / "run.npz")["epoch"] == int(match[2])


# ---- --resume: the checkpoint decides the model --------------------------------------------


@pytest.fixture
def lenet_run(tmp_path, capsys):
    assert main(["train", "--epochs", "1", "--limit", "64", "--quiet", "--save",
                 str(tmp_path / "run.npz")]) == 0
    capsys.readouterr()
    return tmp_path / "run.npz"


def test_resume_saves_back_to_the_checkpoint_unless_save_names_another(lenet_run, capsys):
    from tinygrad_cnn.train.checkpoint import load_checkpoint

    for epoch in (2, 3):  # resuming again goes on from the epochs just trained
        assert main(["train", "--resume", str(lenet_run), "--epochs", "1", "--limit", "64",
                     "--quiet"]) == 0
        out = capsys.readouterr().out
        assert f"epoch {epoch:3d}  loss" in out
        assert out.endswith(f"saved checkpoint of epoch {epoch} to {lenet_run} (the checkpoint "
                            "resumed; --save FILE writes another)\n")
        assert load_checkpoint(lenet_run)["epoch"] == epoch
    assert sorted(p.name for p in lenet_run.parent.iterdir()) == ["run.npz"]  # no leftovers
    other = lenet_run.parent / "other.npz"
    assert main(["train", "--resume", str(lenet_run), "--epochs", "1", "--limit", "64",
                 "--quiet", "--save", str(other)]) == 0
    assert capsys.readouterr().out.endswith(f"saved checkpoint of epoch 4 to {other}\n")
    assert load_checkpoint(lenet_run)["epoch"] == 3 and load_checkpoint(other)["epoch"] == 4


def test_resume_refuses_another_model(lenet_run, capsys):
    err, out = one_line_error(["train", "--resume", str(lenet_run), "--model", "simple-cnn"],
                              capsys)
    assert err == (f"tinygrad-cnn: error: {lenet_run} holds a lenet5, not simple-cnn; name the "
                   "model it was saved from (lenet5), or none for a built-in one")
    assert out == ""


def test_resume_keeps_the_checkpoints_classes(lenet_run, tmp_path, capsys):
    from tinygrad_cnn.train.checkpoint import load_checkpoint

    # three images labelled 1, 5, 4 and a test image labelled 6: max + 1 would be 7, not 10
    assert main(["train", "--resume", str(lenet_run), "--model", "lenet5", "--limit", "3",
                 "--epochs", "1", "--quiet", "--save", str(tmp_path / "more.npz")]) == 0
    assert "training lenet5" in capsys.readouterr().out
    more = load_checkpoint(tmp_path / "more.npz")
    assert more["num_classes"] == 10 and more["epoch"] == 2


USER_MODEL = '''
from tinygrad_cnn import nn


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return (x + self.conv(x)).relu()


def small(num_classes=10, in_channels=1):
    return nn.Sequential(nn.Conv2d(in_channels, 4, 3, stride=2), Residual(4), nn.Flatten(),
                         nn.Linear(4 * 13 * 13, num_classes))


def not_a_model(num_classes=10, in_channels=1):
    return 42


def divides(num_classes=10, in_channels=1):
    return 1 / 0


def reads(num_classes=10, in_channels=1):
    return None.weight


def looks_up(num_classes=10, in_channels=1):
    return {}["layers"]


def leaves(num_classes=10, in_channels=1):
    import sys
    sys.exit(3)
'''


def test_a_user_model_by_package_module_factory(tmp_path):
    (tmp_path / "my_models.py").write_text(USER_MODEL)
    table = run("summary", "my_models:small", "--input-shape", "1,1,28,28", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "1.conv" in table.stdout and "Total params: 6,958" in table.stdout
    drawn = run("graph", "my_models:small", "--view", "model", "--input-shape", "1,1,28,28",
                "-o", "small.dot", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert "add" in (tmp_path / "small.dot").read_text()  # the residual add is drawn
    trained = run("train", "--model", "my_models:small", "--epochs", "1", "--limit", "200",
                  "--quiet", "--save", "small.npz", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "training my_models:small on 200 images (6,958 parameters)" in trained.stdout
    evaluated = run("evaluate", "small.npz", "--model", "my_models:small", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.startswith("my_models:small (epoch 1): test loss")


@pytest.mark.parametrize(("spec", "message"), [
    ("nowhere:small", r"model nowhere:small: cannot import nowhere \(No module named"),
    ("my_models:missing", r"model my_models:missing: my_models has no attribute missing"),
    ("my_models:not_a_model", r"the factory returned a int, not a Module"),
    ("resnet1000", r"unknown model 'resnet1000'; choose one of lenet5"),
    ("my_models:divides", r"^tinygrad-cnn: error: model my_models:divides: the factory raised "
                          r"ZeroDivisionError: division by zero$"),
    ("my_models:reads", r"model my_models:reads: the factory raised AttributeError: 'NoneType' "
                        r"object has no attribute 'weight'$"),
    ("my_models:looks_up", r"model my_models:looks_up: the factory raised KeyError: 'layers'$"),
    ("my_models:leaves", r"model my_models:leaves: the factory raised SystemExit \(exit status "
                         r"3\)$"),
    ("broken:small", r"model broken:small: importing broken raised SyntaxError: invalid syntax "
                     r"\(broken\.py, line 1\)$"),
    ("quits:small", r"model quits:small: importing quits raised SystemExit \(exit status 2\)$"),
])
def test_a_bad_user_model_is_one_line(tmp_path, spec, message):
    (tmp_path / "my_models.py").write_text(USER_MODEL)
    (tmp_path / "broken.py").write_text("def small(:\n")
    (tmp_path / "quits.py").write_text("raise SystemExit(2)\n")
    result = run("summary", spec, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert re.search(message, line), line


# ---- a checkpoint is data: it never chooses code to import ---------------------------------

HELPERS = '''
import pathlib

pathlib.Path("imported").write_text("helpers.py ran")


def make(num_classes=10, in_channels=1):
    from tinygrad_cnn import models
    return models.lenet5(num_classes, in_channels)
'''


@pytest.fixture
def user_checkpoint(tmp_path):
    """x.npz, saved from the user model helpers:make, whose module leaves a file when run."""
    from tinygrad_cnn import models
    from tinygrad_cnn.train.checkpoint import save_checkpoint

    (tmp_path / "helpers.py").write_text(HELPERS)
    save_checkpoint(tmp_path / "x.npz", "helpers:make", models.lenet5())
    return tmp_path


COMMANDS = {
    "evaluate": ("evaluate", "x.npz"),
    "export": ("export", "x.npz", "-o", "x.safetensors"),
    "inspect": ("inspect", "x.npz", "-o", "x.png", "--what", "filters"),
    "train --resume": ("train", "--resume", "x.npz", "--epochs", "1", "--limit", "64",
                       "--quiet"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_checkpoint_never_imports_the_code_it_names(user_checkpoint, command):
    result = run(*COMMANDS[command], cwd=user_checkpoint)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "tinygrad-cnn: error: x.npz holds the user model helpers:make; a checkpoint never "
        "imports code by itself, so name the model to rebuild it: --model helpers:make on the "
        "command line (model_name='helpers:make' in Python)")
    assert not (user_checkpoint / "imported").exists()  # helpers.py was not run


@pytest.mark.parametrize("command", ["evaluate", "export", "train --resume"])
def test_the_named_user_model_is_rebuilt(user_checkpoint, command):
    if command == "export":  # to .safetensors
        require("safetensors", "interop")
    result = run(*COMMANDS[command], "--model", "helpers:make", cwd=user_checkpoint)
    assert result.returncode == 0, result.stderr
    assert (user_checkpoint / "imported").exists()


def test_another_model_than_the_recorded_one_is_refused_before_importing(user_checkpoint):
    (user_checkpoint / "other.py").write_text(HELPERS)
    result = run("evaluate", "x.npz", "--model", "other:make", cwd=user_checkpoint)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "tinygrad-cnn: error: x.npz holds a helpers:make, not other:make; name the model it was "
        "saved from (helpers:make), or none for a built-in one")
    assert not (user_checkpoint / "imported").exists()


def test_a_standard_library_module_named_by_a_checkpoint_is_not_imported(tmp_path):
    from tinygrad_cnn import models
    from tinygrad_cnn.train.checkpoint import save_checkpoint

    save_checkpoint(tmp_path / "zen.npz", "this:s", models.lenet5())  # `import this` prints
    result = run("evaluate", "zen.npz", cwd=tmp_path)
    assert result.returncode == 1 and "Beautiful is better" not in result.stdout
    assert "holds the user model this:s" in result.stderr
