"""`tinygrad-cnn doctor`: the training doctor's report on a model, its data and optimiser, and
its pictures with the learning-rate range test."""

from __future__ import annotations

import argparse
from typing import Any

from tinygrad_cnn import viz
from tinygrad_cnn.cli.model_input import check_classes, fit_images
from tinygrad_cnn.cli.shared import (
    MODEL_HELP,
    OPTIMIZERS,
    check_numbers,
    check_picture,
    load_data,
)
from tinygrad_cnn.explain import diagnose
from tinygrad_cnn.models import build_model
from tinygrad_cnn.random import manual_seed
from tinygrad_cnn.train import lr_find


def add_parser(commands: Any) -> None:
    """Add `doctor` to the subcommands of the `tinygrad-cnn` parser."""
    doctor = commands.add_parser(
        "doctor", help="say why a model would not learn: checks of the data, loss, layers "
        "and optimiser, on copies (exit status 1 when it finds an error)")
    doctor.add_argument("--model", metavar="NAME", default="lenet5",
                        help=f"{MODEL_HELP} (default: lenet5)")
    doctor.add_argument("--data", metavar="DIR", help="directory of IDX files, or of one "
                        "folder of PNG/JPEG pictures per class (default: the embedded subset)")
    doctor.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    doctor.add_argument("--lr", type=float, default=1e-3)
    doctor.add_argument("--batch-size", type=int, default=64)
    doctor.add_argument("--steps", type=int, default=20, help="optimiser steps watched")
    doctor.add_argument("--limit", type=int, help="use only this many training images")
    doctor.add_argument("--seed", type=int, default=0)
    doctor.add_argument("-o", "--output", metavar="FILE", help="draw the activations, "
                        "gradients, update ratios and a learning-rate range test (.png/.svg)")
    doctor.set_defaults(run=command_doctor)


def command_doctor(args: argparse.Namespace) -> int:
    """Print the diagnosis of a fresh model on the training data; draw it with -o.

    Returns:
        1 when the diagnosis holds an error, else 0.
    """
    check_numbers({"--batch-size": args.batch_size, "--steps": args.steps,
                   "--limit": args.limit}, args.lr)
    if args.output:
        check_picture(args.output, "-o", "the doctor's pictures")
    manual_seed(args.seed)
    (x, y), _ = load_data(args.data, args.limit, args.model, args.seed)
    model = build_model(args.model, int(y.max()) + 1, in_channels=x.shape[1])
    (x,), _ = fit_images(args.model, model, (x,), None)
    check_classes(args.model, model, x.shape, int(y.max()) + 1)
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), lr=args.lr)
    report = diagnose(model, x, y, optimizer, batch_size=args.batch_size, steps=args.steps,
                      seed=args.seed)
    print(report)
    if args.output:
        _draw(report, model, optimizer, x, y, args)
    return 1 if report.by_severity("error") else 0


def _draw(report: Any, model: Any, optimizer: Any, x: Any, y: Any,
          args: argparse.Namespace) -> None:
    if report.record is None:
        print(f"\nno picture: no optimiser step could be watched ({args.output} not written)")
        return
    result = lr_find(model, optimizer, x, y, batch_size=args.batch_size, seed=args.seed)
    suggestion = "none" if result.suggestion is None else f"{result.suggestion:.2g}"
    print(f"\nlearning-rate range test: {len(result.lrs)} steps, suggested lr {suggestion}")
    print(f"wrote {viz.render(viz.plot_diagnosis(report, result), args.output)}")
