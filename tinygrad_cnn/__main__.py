"""`python -m tinygrad_cnn` runs the `tinygrad-cnn` command."""

import sys

from tinygrad_cnn.cli import main

sys.exit(main())
