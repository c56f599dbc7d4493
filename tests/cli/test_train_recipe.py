"""`tinygrad-cnn train`'s recipe flags end to end on small data: optimiser options, schedules
with warm-up, label smoothing, validation split, early stopping, the best checkpoint,
TensorBoard, threads; data sets by name from the cache, downloads from a local mirror, and a
CIFAR-10 binary folder made here."""

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from checkout import checkout_env
from extras import require

from tinygrad_cnn.cli import main, recipe
from tinygrad_cnn.data import cifar, mnist_family, write_idx
from tinygrad_cnn.data.download import sha256_of
from tinygrad_cnn.optim import lr_scheduler
from tinygrad_cnn.train.checkpoint import load_checkpoint

EPOCH_LINE = re.compile(r"epoch +(\d+)  loss [\d.]+  acc [\d.]+  val_loss [\d.]+  val_acc "
                        r"[\d.]+  lr ([\d.e+-]+)  [\d.]+s")


def run(*args, cwd, **env):
    return subprocess.run([sys.executable, "-m", "tinygrad_cnn", *args], cwd=cwd,
                          env=checkout_env(**env), capture_output=True, text=True, timeout=300)


def train(capsys, *args):
    """`tinygrad-cnn train` in this process: (exit status, stdout, stderr)."""
    status = main(["train", "--quiet", *args])
    out, err = capsys.readouterr()
    return status, out, err


def epoch_lrs(out):
    return [(int(epoch), float(lr)) for epoch, lr in EPOCH_LINE.findall(out)]


def test_every_flag_of_the_recipe_at_once(tmp_path):
    require("tensorboardX", "tensorboard")
    result = run("train", "--epochs", "3", "--limit", "400", "--optimizer", "sgd", "--lr",
                 "0.05", "--momentum", "0.9", "--nesterov", "--weight-decay", "5e-4",
                 "--scheduler", "cosine", "--warmup-epochs", "1", "--label-smoothing", "0.1",
                 "--val-split", "0.2", "--early-stopping", "5", "--save", "best.npz",
                 "--save-best", "--log-dir", "runs", "--threads", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training lenet5 on 320 images (44,426 parameters), 3 epochs, sgd lr=0.05, cosine " \
           "schedule" in result.stdout
    assert [epoch for epoch, _ in epoch_lrs(result.stdout)] == [1, 2, 3]
    assert "test accuracy:" in result.stdout and "saved checkpoint of epoch" in result.stdout
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["train", "validation"]
    state = load_checkpoint(tmp_path / "best.npz")
    group = state["optimizer"]["param_groups"][0]
    assert (group["momentum"], group["nesterov"], group["weight_decay"]) == (0.9, True, 5e-4)
    evaluated = run("evaluate", "best.npz", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr


@pytest.mark.parametrize("scheduler, check", [
    ("none", lambda lrs: lrs == [0.01] * 4),
    ("step", lambda lrs: lrs == pytest.approx([0.01, 0.01, 0.001, 0.0001])),
    # 16 steps of a cosine over 16: the last step's rate is one step short of 0
    ("cosine", lambda lrs: lrs == pytest.approx(
        [0.005 * (1 + math.cos(math.pi * step / 16)) for step in (3, 7, 11, 15)], rel=1e-2)),
    ("onecycle", lambda lrs: max(lrs) <= 0.01 and lrs[-1] == pytest.approx(0.01 / 25e4)),
])
def test_each_schedule_moves_the_rate(capsys, scheduler, check):
    status, out, err = train(capsys, "--epochs", "4", "--limit", "128", "--batch-size", "32",
                             "--optimizer", "sgd", "--lr", "0.01", "--scheduler", scheduler)
    assert status == 0, err
    assert check([lr for _, lr in epoch_lrs(out)])


def test_the_warm_up_rises_to_the_rate_batch_by_batch(capsys):
    status, out, err = train(capsys, "--epochs", "3", "--limit", "128", "--batch-size", "32",
                             "--optimizer", "sgd", "--lr", "0.01", "--warmup-epochs", "2")
    assert status == 0, err
    # 4 batches an epoch: LinearLR from 1/8 of the rate to all of it at step 8 (the 9th)
    warm = [0.01 * (1 / 8 + 7 / 8 * step / 8) for step in (3, 7)]
    assert [lr for _, lr in epoch_lrs(out)] == pytest.approx([*warm, 0.01], rel=1e-2)


def test_plateau_steps_on_each_epochs_val_loss(capsys, monkeypatch):
    seen = []

    class Watched(lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics):
            seen.append((metrics, self.patience, self.factor))
            super().step(metrics)

    monkeypatch.setattr(recipe.lr_scheduler, "ReduceLROnPlateau", Watched)
    status, out, err = train(capsys, "--epochs", "3", "--limit", "64", "--optimizer", "sgd",
                             "--lr", "0.01", "--scheduler", "plateau")
    assert status == 0, err
    printed = [float(v) for v in re.findall(r"val_loss ([\d.]+)", out)]
    assert [(round(m, 4), p, f) for m, p, f in seen] == [(v, 2, 0.1) for v in printed]


def test_early_stopping_stops_a_run_that_cannot_improve(capsys, tmp_path):
    save = str(tmp_path / "best.npz")
    status, out, err = train(capsys, "--epochs", "10", "--limit", "64", "--optimizer", "sgd",
                             "--lr", "1e-30", "--early-stopping", "2", "--save", save,
                             "--save-best")
    assert status == 0, err
    assert [epoch for epoch, _ in epoch_lrs(out)] == [1, 2, 3]
    assert "epoch 3: early stopping" in out and "restored the weights of epoch 1" in out
    assert "saved checkpoint of epoch 1" in out and load_checkpoint(save)["epoch"] == 1


def test_resume_continues_the_epoch_count_at_a_new_rate(capsys, tmp_path):
    save = str(tmp_path / "run.npz")
    assert train(capsys, "--epochs", "1", "--limit", "64", "--save", save)[0] == 0
    status, out, err = train(capsys, "--resume", save, "--epochs", "2", "--limit", "64",
                             "--lr", "0.002", "--save", save)
    assert status == 0, err
    assert epoch_lrs(out) == [(2, 0.002), (3, 0.002)]
    assert load_checkpoint(save)["epoch"] == 3


@pytest.mark.parametrize("args, message", [
    (("--momentum", "0.9"), "--momentum: adam has no momentum"),
    (("--optimizer", "sgd", "--nesterov"), "--nesterov needs --optimizer sgd and a --momentum"),
    (("--save-best",), "--save-best keeps the best epoch in the --save checkpoint"),
    (("--val-split", "1.5"), "--val-split must be between 0 and 1, got 1.5"),
    (("--label-smoothing", "2"), "--label-smoothing must be a number from 0 to 1, got 2.0"),
    (("--epochs", "2", "--warmup-epochs", "2"), "--warmup-epochs 2 must be fewer than --epochs"),
    (("--early-stopping", "-1"), "--early-stopping must be 0 or more, got -1"),
    (("--threads", "0"), "--threads must be a positive integer, got 0"),
    (("--dataset", "mnist-subset", "--download"), "--dataset mnist-subset is the 5,000 MNIST"),
])
def test_what_does_not_go_together_is_refused_at_once(capsys, args, message):
    status, out, err = train(capsys, *args)
    assert status == 1 and message in err and "epoch" not in out


# ---- data sets by name, and CIFAR-10's binary folder ---------------------------------------


def write_mnist_format(folder, n_train=96, n_test=32, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz",
                  rng.integers(0, 10, n, dtype=np.uint8))


def test_a_data_set_by_name_is_read_from_the_cache(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path))
    write_mnist_format(tmp_path / "fashion-mnist")
    status, out, err = train(capsys, "--dataset", "fashion-mnist", "--epochs", "1")
    assert status == 0, err
    assert "training lenet5 on 96 images" in out


def test_a_missing_data_set_says_how_to_fetch_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path))
    status, _, err = train(capsys, "--dataset", "kmnist")
    assert status == 1
    assert "--dataset kmnist: load_kmnist: directory" in err
    assert f"add --download to fetch Kuzushiji-MNIST, 70,000 cursive kana (21 MB) into " \
           f"{tmp_path / 'kmnist'}" in err
    assert not (tmp_path / "kmnist").exists()  # nothing fetched, nothing made


def test_download_fetches_into_the_cache_verified(capsys, tmp_path, monkeypatch, serve):
    published = tmp_path / "published"
    write_mnist_format(published / "mnist")
    mirror = serve(published)
    names = mnist_family.GZ_FILES
    monkeypatch.setattr(mnist_family, "FASHION_MNIST_MIRRORS", [mirror.url])
    monkeypatch.setattr(mnist_family, "FASHION_MNIST_SHA256",
                        {name: sha256_of(published / "mnist" / name) for name in names})
    monkeypatch.setattr(mnist_family, "FASHION_MNIST_SIZES",
                        {name: (published / "mnist" / name).stat().st_size for name in names})
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path / "cache"))
    status, _, err = train(capsys, "--dataset", "fashion-mnist", "--download", "--epochs", "1")
    assert status == 0, err
    assert sorted(p.name for p in (tmp_path / "cache" / "fashion-mnist").iterdir()) == sorted(names)
    assert sorted(mirror.requests) == sorted(f"/mnist/{name}" for name in names)


def write_cifar_folder(folder, per_batch=8, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in (*cifar.TRAIN_FILES, cifar.TEST_FILE):
        labels = rng.integers(0, 10, (per_batch, 1), dtype=np.uint8)
        pixels = rng.integers(0, 256, (per_batch, 3 * 32 * 32), dtype=np.uint8)
        (folder / name).write_bytes(np.concatenate([labels, pixels], axis=1).tobytes())


def test_a_cifar10_binary_folder_trains_resnet20(tmp_path):
    write_cifar_folder(tmp_path / "cifar")
    result = run("train", "--data", "cifar", "--epochs", "1", "--batch-size", "20",
                 "--augment", "--save", "r20.npz", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "training resnet20 on 40 images (272,474 parameters)" in result.stdout
    assert "augmentation: Compose([RandomCrop(size=(32, 32)" in result.stdout
    assert "RandomHorizontalFlip" in result.stdout
    evaluated = run("evaluate", "r20.npz", "--dataset", "cifar10", "--data", "cifar",
                    cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "resnet20 (epoch 1): test loss" in evaluated.stdout and "on 8 images" in evaluated.stdout


def test_a_best_checkpoint_resumed_into_itself_is_replaced_only_by_a_better_epoch(capsys,
                                                                                  tmp_path):
    save = str(tmp_path / "best.npz")
    assert train(capsys, "--epochs", "2", "--limit", "64", "--save", save, "--save-best")[0] == 0
    # an Adam step of 1e-30 changes nothing: no resumed epoch beats the checkpoint's val_loss
    status, out, err = train(capsys, "--resume", save, "--epochs", "2", "--limit", "64",
                             "--lr", "1e-30", "--save", save, "--save-best")
    assert status == 0, err
    assert [epoch for epoch, _ in epoch_lrs(out)] == [3, 4] and "saved checkpoint" not in out
    assert load_checkpoint(save)["epoch"] in (1, 2)
