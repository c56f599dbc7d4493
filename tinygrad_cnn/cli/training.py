"""`tinygrad-cnn train` and `evaluate`: fit a model to MNIST-format data or pictures, with
checkpoints, and report a checkpoint's test accuracy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tinygrad_cnn import viz
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


def add_parsers(commands: Any) -> None:
    """Add `train` and `evaluate` to the subcommands of the `tinygrad-cnn` parser."""
    train = commands.add_parser("train", help="train a model on MNIST-format data or pictures")
    train.add_argument("--model", metavar="NAME", help=f"{MODEL_HELP} (default: lenet5, or "
                       "with --resume the checkpoint's built-in model; your own must be named)")
    train.add_argument("--data", metavar="DIR", help="directory of IDX files, or of one folder "
                       "of PNG/JPEG pictures per class (default: the embedded MNIST subset)")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--limit", type=int, help="use only this many training images")
    train.add_argument("--save", metavar="CHECKPOINT", help="write a checkpoint (.npz)")
    train.add_argument("--resume", metavar="CHECKPOINT", help="continue from a checkpoint")
    train.add_argument("--plot", metavar="FILE", help="draw learning curves (.png/.svg)")
    train.add_argument("--augment", action="store_true", help="augment training batches: "
                       "shifts and turns for MNIST-format data, crops and flips for pictures")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(run=command_train)

    evaluate = commands.add_parser("evaluate", help="test accuracy of a checkpoint")
    evaluate.add_argument("checkpoint")
    evaluate.add_argument("--model", metavar="NAME", help=CHECKPOINT_MODEL_HELP)
    evaluate.add_argument("--data", metavar="DIR", help="directory of IDX files or pictures")
    evaluate.set_defaults(run=command_evaluate)


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


def augmentation(directory: str | None, image_shape: tuple[int, ...]) -> transforms.Compose:
    """The recipe of `--augment`: the digit recipe for MNIST-format data, the photo recipe
    (crops and left-right flips, as a mirrored photo shows the same class) for image folders.

    Returns:
        `transforms.digit_augmentation` or `transforms.photo_augmentation` at the image size.
    """
    if is_idx_dir(directory):
        return transforms.digit_augmentation(image_shape[-2:])
    return transforms.photo_augmentation(image_shape[-2:])


def command_train(args: argparse.Namespace) -> None:
    """Train a model on MNIST-format data and report per-epoch loss and accuracy."""
    check_numbers({"--epochs": args.epochs, "--batch-size": args.batch_size,
                   "--limit": args.limit}, args.lr)
    _check_train_outputs(args)
    manual_seed(args.seed)
    state = checkpoint.load_checkpoint(args.resume, args.model) if args.resume else None
    if state is not None:
        args.model = state["model_name"]
    elif args.model is None:
        args.model = "lenet5"
    (x_train, y_train), (x_test, y_test) = load_data(args.data, args.limit, args.model,
                                                      args.seed)
    # Bounded: load_mnist refuses labels past labels.MAX_CLASSES; a folder's are its indices.
    classes = int(max(y_train.max(), y_test.max())) + 1
    start_epoch, optimizer_state = 0, None
    if state is not None:
        model, start_epoch, optimizer_state = state["model"], state["epoch"], state["optimizer"]
        classes = state["num_classes"]
    else:
        model = build_model(args.model, classes, in_channels=x_train.shape[1])
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), lr=args.lr)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    augment = augmentation(args.data, x_train.shape) if args.augment else None
    print(f"training {args.model} on {len(x_train)} images ({model.num_parameters():,} "
          f"parameters), {args.epochs} epochs, {args.optimizer} lr={args.lr}"
          + (f"\naugmentation: {augment}" if augment else ""))
    clf = Classifier(model, optimizer, epochs=args.epochs, batch_size=args.batch_size,
                     seed=args.seed, verbose=not args.quiet)

    def end_of_epoch(epoch: int, history: History) -> None:
        i = epoch - 1
        print(f"epoch {start_epoch + epoch:3d}  loss {history.loss[i]:.4f}  "
              f"acc {history.accuracy[i]:.4f}  val_loss {history.val_loss[i]:.4f}  "
              f"val_acc {history.val_accuracy[i]:.4f}  {history.seconds[i]:.1f}s")
        if args.save:  # every epoch: Ctrl-C or a crash keeps the last finished one
            checkpoint.save_checkpoint(args.save, args.model, model, optimizer,
                                       start_epoch + epoch, classes, x_train.shape[1])

    try:
        history = clf.fit(x_train, y_train, validation_data=(x_test, y_test),
                          transform=augment, on_epoch_end=end_of_epoch)
    except KeyboardInterrupt:
        raise KeyboardInterrupt(_interrupted(args.save, start_epoch, len(clf.history.loss))
                                ) from None
    print(f"test accuracy: {history.val_accuracy[-1]:.4f}")
    if args.save:
        print(f"saved checkpoint to {args.save}")
    if args.plot:
        viz.plot_history(history, args.plot, title=f"{args.model} on {len(x_train)} images")
        print(f"saved learning curves to {args.plot}")


def _interrupted(save: str | None, start_epoch: int, finished: int) -> str:
    where = f"interrupted in epoch {start_epoch + finished + 1}"
    if not save:
        return f"{where}; nothing saved (no --save)"
    if not finished:
        return f"{where}; no epoch finished, nothing saved"
    return f"{where}; saved epoch {start_epoch + finished} to {save}"


def command_evaluate(args: argparse.Namespace) -> None:
    """Report the test accuracy of a saved checkpoint."""
    state = checkpoint.load_checkpoint(args.checkpoint, args.model)
    _, (x_test, y_test) = load_data(args.data, None, state["model_name"])
    clf = Classifier(state["model"], optimizer=None, verbose=False)
    loss, accuracy = clf.evaluate(x_test, y_test)
    print(f"{state['model_name']} (epoch {state['epoch']}): test loss {loss:.4f}, "
          f"test accuracy {accuracy:.4f} on {len(x_test)} images")
