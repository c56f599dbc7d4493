"""The CPU as PyTorch's device: `tg.device("cpu")` and `tg.cuda.is_available()`, which is
False, so that `device = "cuda" if tg.cuda.is_available() else "cpu"` picks the CPU."""

from __future__ import annotations

from tinygrad_cnn.autograd import dtypes


def device(type: str) -> str:
    """PyTorch's `torch.device`, for the one device there is: `device("cpu")` is ``"cpu"``.

    Raises:
        ValueError: for any other device (`"cuda"`, `"mps"`, ...), saying this library
            computes on the CPU alone.
    """
    dtypes.check_device("device", type)
    return "cpu"


class _Cuda:
    """`tinygrad_cnn.cuda`: PyTorch's `torch.cuda` in a library without a GPU, so that
    ``device = "cuda" if tg.cuda.is_available() else "cpu"`` picks the CPU."""

    @staticmethod
    def is_available() -> bool:
        """False: tinygrad_cnn computes on the CPU alone."""
        return False

    @staticmethod
    def device_count() -> int:
        """0: there is no GPU device."""
        return 0


cuda = _Cuda()
