"""Model summaries: the layer table of any model from one shape-only run, and output sizes.

`table` makes the table (`summary`) from what `calls` records of one shape-only run, with the
multiply-accumulates and receptive fields of `op_rules`; `output_size` answers the course's
sizing questions by the rule the ops use.
"""

from tinygrad_cnn.summary.output_size import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)
from tinygrad_cnn.summary.table import Summary, SummaryRow, summary

__all__ = [
    "Summary",
    "SummaryRow",
    "conv_output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "summary",
]
