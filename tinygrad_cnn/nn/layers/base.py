"""Where nn/layers/conv.py still imports `positive_int` from; the rule is `arguments.py`'s.

Goes when conv.py imports `tinygrad_cnn.arguments` itself (issue 24, part B owns that file).
"""

from tinygrad_cnn.arguments import positive_int

__all__ = ["positive_int"]
