"""The training recipe of `tinygrad-cnn train`'s flags: the optimiser's options, the learning-rate
schedule with its warm-up, the loss, and the callbacks (early stopping, checkpoints,
TensorBoard)."""

from __future__ import annotations

import argparse
import functools
import math
from typing import Any

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn.cli.shared import OPTIMIZERS, CommandError
from tinygrad_cnn.optim import lr_scheduler
from tinygrad_cnn.train.callbacks import (
    Callback,
    EarlyStopping,
    LRScheduler,
    ModelCheckpoint,
    TensorBoard,
)

SCHEDULERS = ("none", "step", "cosine", "onecycle", "plateau")
SCHEDULER_HELP = ("the learning-rate schedule: step (x0.1 at 1/2 and 3/4 of the epochs, He et "
                  "al.'s CIFAR recipe), cosine (to 0, stepped every batch), onecycle (up to "
                  "--lr and down to near 0, every batch), plateau (x0.1 after 2 epochs without "
                  "a better val_loss); default none")
MOMENTUM = ("sgd", "rmsprop")  # the optimisers with a momentum option


def check_recipe(args: argparse.Namespace) -> None:
    """Refuse, before any work, flags that do not go together or are out of range."""
    if args.momentum is not None and args.optimizer not in MOMENTUM:
        raise CommandError(f"--momentum: {args.optimizer} has no momentum (Adam's betas play "
                           "that part); use --optimizer sgd or rmsprop")
    if args.nesterov and (args.optimizer != "sgd" or not args.momentum):
        raise CommandError("--nesterov needs --optimizer sgd and a --momentum above 0")
    ranges = (("--momentum", args.momentum, 0.0, 1.0), ("--weight-decay", args.weight_decay,
                                                        0.0, math.inf),
              ("--label-smoothing", args.label_smoothing, 0.0, 1.0))
    for flag, value, low, high in ranges:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise CommandError(f"{flag} must be a number from {low:g} to {high:g}, got {value}")
    if args.val_split is not None and not 0 < args.val_split < 1:
        raise CommandError(f"--val-split must be between 0 and 1, got {args.val_split}")
    for flag, value in (("--warmup-epochs", args.warmup_epochs),
                        ("--early-stopping", args.early_stopping)):
        if value is not None and value < 0:
            raise CommandError(f"{flag} must be 0 or more, got {value}")
    if args.warmup_epochs and args.warmup_epochs >= args.epochs:
        raise CommandError(f"--warmup-epochs {args.warmup_epochs} must be fewer than --epochs "
                           f"{args.epochs}")
    if args.save_best and not args.save:
        raise CommandError("--save-best keeps the best epoch in the --save checkpoint; give "
                           "--save too")


def optimizer(args: argparse.Namespace, parameters: Any, lr: float) -> Any:
    """The optimiser of `--optimizer` with `--momentum`, `--nesterov` and `--weight-decay`."""
    options: dict[str, Any] = {"lr": lr}
    if args.momentum is not None:
        options["momentum"] = args.momentum
    if args.nesterov:
        options["nesterov"] = True
    if args.weight_decay is not None:
        options["weight_decay"] = args.weight_decay
    return OPTIMIZERS[args.optimizer](parameters, **options)


def loss(args: argparse.Namespace) -> Any:
    """Cross-entropy, with `--label-smoothing` when given."""
    if not args.label_smoothing:
        return "cross_entropy"
    return functools.partial(F.cross_entropy, label_smoothing=args.label_smoothing)


def schedule(args: argparse.Namespace, opt: Any, batches: int) -> list[LRScheduler]:
    """The callbacks that step `--scheduler` and the `--warmup-epochs` warm-up.

    The warm-up is a `LinearLR` stepped every batch from 1/steps of the rate to all of it; it
    multiplies the schedule's rate, as PyTorch's `ChainedScheduler` does. With onecycle, the
    warm-up epochs are the 1cycle policy's rising phase instead.
    """
    epochs, warmup = args.epochs, args.warmup_epochs or 0
    callbacks = []
    if args.scheduler == "step":
        milestones = [epochs // 2, epochs * 3 // 4]
        callbacks.append(LRScheduler(lr_scheduler.MultiStepLR(opt, milestones, gamma=0.1)))
    elif args.scheduler == "cosine":
        callbacks.append(LRScheduler(lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * batches),
                                     interval="batch"))
    elif args.scheduler == "onecycle":
        groups = opt.param_groups
        cycle = "betas" in groups[0] or bool(groups[0].get("momentum"))
        one_cycle = lr_scheduler.OneCycleLR(
            opt, max_lr=groups[0]["lr"], total_steps=epochs * batches,
            pct_start=warmup / epochs if warmup else 0.3, cycle_momentum=cycle)
        return [LRScheduler(one_cycle, interval="batch")]
    elif args.scheduler == "plateau":
        plateau = lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=2)
        callbacks.append(LRScheduler(plateau, monitor="val_loss"))
    if warmup:
        steps = warmup * batches
        callbacks.append(LRScheduler(lr_scheduler.LinearLR(opt, start_factor=1 / steps,
                                                           total_iters=steps),
                                     interval="batch"))
    return callbacks


def callbacks(args: argparse.Namespace, best: float | None = None
              ) -> tuple[list[Callback], ModelCheckpoint | None]:
    """`--save` / `--save-best`, `--log-dir` and `--early-stopping` as callbacks, in that
    order (a checkpoint of the last epoch is written before early stopping puts the best
    epoch's weights back), and the checkpoint callback (None without `--save`); `best` is
    the val_loss a `--save-best` checkpoint must beat."""
    found: list[Callback] = []
    save = None
    if args.save:
        save = ModelCheckpoint(args.save, monitor="val_loss", save_best_only=args.save_best,
                               initial_value_threshold=best, model_name=args.model)
        found.append(save)
    if args.log_dir:
        found.append(TensorBoard(args.log_dir, histogram_freq=1))
    if args.early_stopping is not None:
        found.append(EarlyStopping(monitor="val_loss", patience=args.early_stopping,
                                   restore_best_weights=True, verbose=1))
    return found, save
