"""The `tinygrad-cnn` command: train, evaluate, summarise, draw, inspect and diagnose models."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tinygrad_cnn.cli import describe, doctor, export, inspect, training
from tinygrad_cnn.cli.shared import CommandError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `tinygrad-cnn` command, a subcommand per command family's
    module."""
    parser = argparse.ArgumentParser(prog="tinygrad-cnn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    training.add_parsers(commands)
    describe.add_parsers(commands)
    export.add_parser(commands)
    inspect.add_parser(commands)
    doctor.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors end with a one-line message and exit status 1, Ctrl-C
    with one line and exit status 130; a command may return its own status (`doctor`: 1 when
    it finds an error)."""
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except KeyboardInterrupt as stop:
        print(f"tinygrad-cnn: {stop or 'interrupted'}", file=sys.stderr)
        return 130  # 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C
    except (CommandError, ValueError, OSError, RuntimeError, ImportError, KeyError,
            FloatingPointError) as error:
        message = error.strerror if isinstance(error, OSError) and error.strerror else error
        name = f" {error.filename}" if isinstance(error, OSError) and error.filename else ""
        print(f"tinygrad-cnn: error:{name} {message}", file=sys.stderr)
        return 1
    except MemoryError as error:  # what no check foresaw: NumPy says how much it wanted
        print(f"tinygrad-cnn: error: out of memory: {error or 'an allocation failed'}",
              file=sys.stderr)
        return 1
    return status or 0
