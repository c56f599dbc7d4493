"""`tinygrad-cnn export`: a checkpoint's model as ONNX, or its weights as safetensors."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tinygrad_cnn.cli.shared import (
    CHECKPOINT_MODEL_HELP,
    CommandError,
    check_example_input,
    input_shape,
)
from tinygrad_cnn.creation import zeros
from tinygrad_cnn.files import check_output
from tinygrad_cnn.onnx import export
from tinygrad_cnn.serialization import save
from tinygrad_cnn.train import checkpoint


def add_parser(commands: Any) -> None:
    """Add `export` to the subcommands of the `tinygrad-cnn` parser."""
    command = commands.add_parser("export", help="write a checkpoint as ONNX or safetensors")
    command.add_argument("checkpoint")
    command.add_argument("--model", metavar="NAME", help=CHECKPOINT_MODEL_HELP)
    command.add_argument("-o", "--output", required=True, metavar="FILE",
                         help=".onnx (the model, for ONNX Runtime) or .safetensors (the weights)")
    command.add_argument("--input-shape", metavar="N,C,H,W",
                         help="the example input of the ONNX trace (default: the images the "
                         "checkpoint was trained on, else the model's usual size)")
    command.add_argument("--opset", type=int, default=17, help="ONNX opset (default: 17)")
    command.add_argument("--no-check", action="store_true",
                         help="write the .onnx without running it in ONNX Runtime first")
    command.set_defaults(run=command_export)


def command_export(args: argparse.Namespace) -> None:
    """Write a checkpoint's model as ONNX (.onnx) or its weights as safetensors (.safetensors)."""
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".onnx", ".safetensors"):
        raise CommandError(f"-o {args.output}: the file must end in .onnx (the model) or "
                           ".safetensors (its weights)")
    check_output(args.output, "-o")
    state = checkpoint.load_checkpoint(args.checkpoint, args.model)
    model, name = state["model"], state["model_name"]
    if suffix == ".safetensors":
        save(model.state_dict(), args.output)
        print(f"wrote the weights of {name} ({model.num_parameters():,} parameters, PyTorch "
              f"names) to {args.output}")
        return
    side, channels = state["image_size"], state["in_channels"]
    if args.input_shape is None and side is not None and channels is not None:
        shape = (1, channels, side, side)  # what it was trained on
    else:
        shape = input_shape(args.input_shape, name)
    check_example_input(shape)
    export(model, zeros(*shape), args.output, opset=args.opset, check=not args.no_check)
    print(f"wrote {name} as ONNX (opset {args.opset}, input (N, {shape[1]}, {shape[2]}, "
          f"{shape[3]}) for any batch size N) to {args.output}")
