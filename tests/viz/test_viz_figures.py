"""The pictures need matplotlib only when drawn: without it, an ImportError naming the extra."""

import sys

import numpy as np
import pytest

from tinygrad_cnn.viz import plot_confusion_matrix


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    with pytest.raises(ImportError, match=r'plot_confusion_matrix needs matplotlib: pip install '
                                          r'"tinygrad_cnn\[plot\]"'):
        plot_confusion_matrix(np.eye(2, dtype=int))
