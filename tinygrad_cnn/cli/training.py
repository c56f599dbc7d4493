"""`tinygrad-cnn train` and `evaluate`: fit a model to MNIST-format data, CIFAR-10 or pictures
with the recipe of the flags, with checkpoints, and report a checkpoint's test accuracy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_cnn import set_num_threads, viz
from tinygrad_cnn.cli import recipe
from tinygrad_cnn.cli.datasets import DATASETS, PHOTOS, is_cifar10_dir
from tinygrad_cnn.cli.model_input import IMAGE_SIZE_HELP, check_classes, fit_images, resized
from tinygrad_cnn.cli.shared import (
    CHECKPOINT_MODEL_HELP,
    MODEL_HELP,
    OPTIMIZERS,
    CommandError,
    check_numbers,
    check_picture,
    is_idx_dir,
    load_data,
)
from tinygrad_cnn.data import transforms
from tinygrad_cnn.files import check_output
from tinygrad_cnn.models import build_model
from tinygrad_cnn.random import manual_seed
from tinygrad_cnn.train import Classifier, History, checkpoint
from tinygrad_cnn.train.callbacks import LambdaCallback, ModelCheckpoint
from tinygrad_cnn.train.validation import split_validation

DEFAULT_LR = 1e-3
Split = tuple[np.ndarray, np.ndarray]


def add_parsers(commands: Any) -> None:
    """Add `train` and `evaluate` to the subcommands of the `tinygrad-cnn` parser."""
    train = commands.add_parser("train", help="train a model on MNIST-format data, CIFAR-10 or "
                                "pictures")
    train.add_argument("--model", metavar="NAME", help=f"{MODEL_HELP} (default: lenet5, "
                       "resnet20 for CIFAR-10, or with --resume the checkpoint's built-in model; "
                       "your own must be named)")
    _add_data_arguments(train)
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    train.add_argument("--lr", type=float, help="learning rate (default: 1e-3, or with "
                       "--resume the checkpoint's)")
    train.add_argument("--momentum", type=float, help="momentum of sgd or rmsprop")
    train.add_argument("--nesterov", action="store_true", help="Nesterov momentum (sgd)")
    train.add_argument("--weight-decay", type=float, help="L2 penalty (decoupled for adamw)")
    train.add_argument("--scheduler", choices=recipe.SCHEDULERS, default="none",
                       help=recipe.SCHEDULER_HELP)
    train.add_argument("--warmup-epochs", type=int, help="raise the rate linearly from near 0 "
                       "over the first epochs, batch by batch")
    train.add_argument("--label-smoothing", type=float, help="mix the targets with the uniform "
                       "distribution by this amount (0.1 is usual)")
    train.add_argument("--val-split", type=float, help="hold out this share of the training "
                       "data (seeded) to validate on; default: validate on the test set")
    train.add_argument("--early-stopping", type=int, metavar="PATIENCE", help="stop after "
                       "PATIENCE epochs without a better val_loss, and keep the best weights")
    train.add_argument("--image-size", type=int, metavar="SIZE", help=IMAGE_SIZE_HELP)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--limit", type=int, help="use only this many training images")
    train.add_argument("--save", metavar="CHECKPOINT", help="write a checkpoint (.npz) after "
                       "every epoch (default with --resume: back to the checkpoint resumed)")
    train.add_argument("--save-best", action="store_true", help="with --save, write it only "
                       "when val_loss improves")
    train.add_argument("--resume", metavar="CHECKPOINT", help="continue from a checkpoint")
    train.add_argument("--log-dir", metavar="DIR", help="log the run for TensorBoard "
                       "(tensorboard --logdir DIR)")
    train.add_argument("--threads", type=int, help="threads for the kernels (default: the "
                       "usable CPUs)")
    train.add_argument("--plot", metavar="FILE", help="draw learning curves (.png/.svg)")
    train.add_argument("--augment", action="store_true", help="augment training batches: "
                       "shifts and turns for MNIST-format data, crops and flips for pictures")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(run=command_train)

    evaluate = commands.add_parser("evaluate", help="test accuracy of a checkpoint")
    evaluate.add_argument("checkpoint")
    evaluate.add_argument("--model", metavar="NAME", help=CHECKPOINT_MODEL_HELP)
    _add_data_arguments(evaluate)
    evaluate.set_defaults(run=command_evaluate)


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=list(DATASETS), help="a data set by name, read "
                        "from the cache folder (or --data DIR); default: the embedded MNIST "
                        "subset, or --data")
    parser.add_argument("--download", action="store_true", help="fetch --dataset into the "
                        "cache (or --data DIR) first, verified by SHA-256")
    parser.add_argument("--data", metavar="DIR", help="directory of IDX files, of CIFAR-10's "
                        "binary batches, or of one folder of PNG/JPEG pictures per class")


def _check_train_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, a --save or --plot that could only fail after training."""
    if args.save:
        check_output(args.save, "--save")
        if Path(args.save).suffix.lower() not in ("", ".npz"):
            raise CommandError(f"--save: a training checkpoint must be a .npz file (it holds the "
                               f"model's name), got {args.save}; export the weights as "
                               ".safetensors with `tinygrad-cnn export`")
    if args.plot:
        check_picture(args.plot, "--plot", "the learning curves")


def augmentation(photos: bool, image_shape: tuple[int, ...]) -> transforms.Compose:
    """The recipe of `--augment`: the digit recipe for MNIST-format data, the photo recipe
    (crops and left-right flips, as a mirrored photo shows the same class) for CIFAR-10 and
    image folders.

    Returns:
        `transforms.digit_augmentation` or `transforms.photo_augmentation` at the image size.
    """
    if photos:
        return transforms.photo_augmentation(image_shape[-2:])
    return transforms.digit_augmentation(image_shape[-2:])


def _is_photos(args: argparse.Namespace) -> bool:
    if args.dataset is not None:
        return args.dataset in PHOTOS
    return not is_idx_dir(args.data)


def _check_train_arguments(args: argparse.Namespace) -> None:
    """Refuse, before any work, numbers out of range, flags that do not go together and
    outputs that could only fail after training."""
    check_numbers({"--epochs": args.epochs, "--batch-size": args.batch_size,
                   "--limit": args.limit, "--threads": args.threads,
                   "--image-size": args.image_size},
                  DEFAULT_LR if args.lr is None else args.lr)
    if args.resume and not args.save:  # the epochs trained are kept: resuming again goes on
        args.save = args.resume
    recipe.check_recipe(args)
    _check_train_outputs(args)


def _model_name(args: argparse.Namespace, state: dict[str, Any] | None) -> str:
    """The checkpoint's model with --resume (load_checkpoint refuses another --model),
    --model, or the default for the data."""
    if state is not None:
        return state["model_name"]
    if args.model is not None:  # '' too: an unknown model, not the default
        return args.model
    cifar = args.dataset == "cifar10" or (args.dataset is None and is_cifar10_dir(args.data))
    return "resnet20" if cifar else "lenet5"


def _optimizer(args: argparse.Namespace, model: Any, state: dict[str, Any] | None) -> Any:
    """The optimiser of the flags; with --resume, its saved state, at --lr when given, and
    ready for a schedule that starts afresh from that rate."""
    optimizer = recipe.optimizer(args, model.parameters(), args.lr or DEFAULT_LR)
    if state is None or state["optimizer"] is None:
        return optimizer
    optimizer.load_state_dict(state["optimizer"])
    for group in optimizer.param_groups:
        if args.lr is not None:
            group["lr"] = args.lr
        group.pop("initial_lr", None)  # a new schedule starts from the rate it finds
    return optimizer


def _validation(args: argparse.Namespace, train: Split, test: Split) -> tuple[Split, Split]:
    """The data to fit and to validate on: a --val-split share of the training data, or the
    test set."""
    if not args.val_split:
        return train, test
    return split_validation(*train, None, args.val_split, args.seed)


def command_train(args: argparse.Namespace) -> None:
    """Train a model and report per-epoch loss and accuracy, then the test accuracy."""
    _check_train_arguments(args)
    if args.threads:
        set_num_threads(args.threads)
    manual_seed(args.seed)
    state = checkpoint.load_checkpoint(args.resume, args.model) if args.resume else None
    args.model = _model_name(args, state)
    train, (x_test, y_test) = load_data(args.data, args.limit, args.model, args.seed,
                                        args.dataset, args.download)
    # Bounded: the loaders refuse labels past labels.MAX_CLASSES; a folder's are its indices.
    classes = int(max(train[1].max(), y_test.max())) + 1
    model = (state["model"] if state is not None
             else build_model(args.model, classes, in_channels=train[0].shape[1]))
    (x_train, x_test), _ = fit_images(args.model, model, (train[0], x_test), args.image_size,
                                      None if state is None else state["image_size"])
    train = (x_train, train[1])
    check_classes(args.model, model, x_train.shape, classes)
    start_epoch = state["epoch"] if state is not None else 0
    optimizer = _optimizer(args, model, state)
    lr = optimizer.param_groups[0]["lr"]  # before a warm-up lowers it
    (x_fit, y_fit), validation = _validation(args, train, (x_test, y_test))
    schedule = recipe.schedule(args, optimizer, -(-len(x_fit) // args.batch_size))
    clf = Classifier(model, optimizer, loss=recipe.loss(args), epochs=start_epoch + args.epochs,
                     batch_size=args.batch_size, seed=args.seed, verbose=not args.quiet)
    extra, save = recipe.callbacks(args, _best_so_far(args, clf, validation))
    augment = augmentation(_is_photos(args), x_fit.shape) if args.augment else None
    print(f"training {args.model} on {len(x_fit)} images ({model.num_parameters():,} "
          f"parameters), {args.epochs} epoch{'s' * (args.epochs != 1)}, {args.optimizer} "
          f"lr={lr:g}"
          + (f", {args.scheduler} schedule" if args.scheduler != "none" else "")
          + (f"\naugmentation: {augment}" if augment else "")
          + (f"\nTensorBoard: tensorboard --logdir {args.log_dir}" if args.log_dir else ""))
    try:
        history = clf.fit(x_fit, y_fit, validation_data=validation, transform=augment,
                          callbacks=[LambdaCallback(on_epoch_end=_print_epoch), *schedule,
                                     *extra], initial_epoch=start_epoch)
    except KeyboardInterrupt:
        finished = start_epoch + len(clf.history.loss)
        raise KeyboardInterrupt(_interrupted(args.save, finished, save)) from None
    _report(args, clf, history, (x_test, y_test), save)


def _best_so_far(args: argparse.Namespace, clf: Classifier, validation: Split) -> float | None:
    """The val_loss a --save-best checkpoint resumed into itself already holds, so that the
    resumed run replaces it only with a better epoch (None otherwise)."""
    if not (args.resume and args.save_best and Path(args.resume).resolve()
            == Path(args.save).resolve()):
        return None
    return clf.evaluate(*validation)[0]


def _print_epoch(clf: Classifier, epoch: int, logs: dict[str, float]) -> None:
    print(f"epoch {epoch:3d}  loss {logs['loss']:.4f}  acc {logs['accuracy']:.4f}  "
          f"val_loss {logs['val_loss']:.4f}  val_acc {logs['val_accuracy']:.4f}  "
          f"lr {logs['lr']:.3g}  {logs['seconds']:.1f}s")


def _report(args: argparse.Namespace, clf: Classifier, history: History, test: Split,
            save: ModelCheckpoint | None) -> None:
    """The test accuracy of the model as training left it, and where its files went."""
    _, accuracy = clf.evaluate(*test)
    print(f"test accuracy: {accuracy:.4f}")
    if save is not None and save.last_saved:
        back = " (the checkpoint resumed; --save FILE writes another)" * (args.save == args.resume)
        print(f"saved checkpoint of epoch {save.saved_epoch} to {args.save}{back}")
    if args.plot:
        viz.plot_history(history, args.plot, title=f"{args.model} on {len(test[0])} test "
                         "images")
        print(f"saved learning curves to {args.plot}")


def _interrupted(path: str | None, finished: int, save: ModelCheckpoint | None) -> str:
    where = f"interrupted in epoch {finished + 1}"
    if save is None:
        return f"{where}; nothing saved (no --save)"
    if not save.saved_epoch:
        return f"{where}; no epoch finished, nothing saved"
    return f"{where}; saved epoch {save.saved_epoch} to {path}"


def command_evaluate(args: argparse.Namespace) -> None:
    """Report the test accuracy of a saved checkpoint."""
    state = checkpoint.load_checkpoint(args.checkpoint, args.model)
    _, (x_test, y_test) = load_data(args.data, None, state["model_name"], 0, args.dataset,
                                    args.download)
    x_test = resized(x_test, state["image_size"])
    clf = Classifier(state["model"], optimizer=None, verbose=False)
    loss, accuracy = clf.evaluate(x_test, y_test)
    print(f"{state['model_name']} (epoch {state['epoch']}): test loss {loss:.4f}, "
          f"test accuracy {accuracy:.4f} on {len(x_test)} images")
