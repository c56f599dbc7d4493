"""`tinygrad-cnn summary` and `graph`: a model's layer table and its drawing, untrained."""

from __future__ import annotations

import argparse
from typing import Any

from tinygrad_cnn import models, viz
from tinygrad_cnn.cli.shared import MODEL_HELP, check_example_input, input_shape, num_classes
from tinygrad_cnn.creation import zeros
from tinygrad_cnn.files import check_output
from tinygrad_cnn.summary import summary


def add_parsers(commands: Any) -> None:
    """Add `summary` and `graph` to the subcommands of the `tinygrad-cnn` parser."""
    for name, run, text in (("summary", command_summary, "print a model's layer table"),
                            ("graph", command_graph, "draw a model's graph")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("model", metavar="MODEL", help=MODEL_HELP)
        sub.add_argument("--input-shape", metavar="N,C,H,W",
                         help="default: 1,1,28,28 for lenet5 and simple-cnn, else 1,3,224,224")
        sub.add_argument("--num-classes", type=int, default=None,
                         help="the size of the last layer (default: the model's)")
        sub.set_defaults(run=run)
        if name == "graph":
            sub.add_argument("-o", "--output", required=True, metavar="FILE",
                             help=".svg, .png, .pdf or .dot")
            sub.add_argument("--view", choices=("ops", "model"), default="ops")


def command_summary(args: argparse.Namespace) -> None:
    """Print a model's layer table: output shapes, parameters, MACs, receptive fields."""
    shape = input_shape(args.input_shape, args.model)
    model = models.build_model(args.model, num_classes(args.num_classes), initialize=False)
    summary(model, shape)


def command_graph(args: argparse.Namespace) -> None:
    """Draw a model's op graph or layer view to a file."""
    check_output(args.output, "-o")
    shape = input_shape(args.input_shape, args.model)
    classes = num_classes(args.num_classes)
    if args.view == "model":
        model = models.build_model(args.model, classes, initialize=False)
        graph = viz.draw_model(model, shape)
    else:
        check_example_input(shape)  # this view runs the model on it
        model = models.build_model(args.model, classes).eval()
        graph = viz.draw_graph(model(zeros(*shape)), params=model)
    print(f"wrote {viz.render(graph, args.output)}")
