"""The affine map of a fully connected layer."""

from __future__ import annotations

from tinygrad_cnn.tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for input (*, in_features), weight (out_features, in_features).

    Raises:
        ValueError: when the input's last dim is not `in_features`, or the bias does not
            have `out_features` elements.
        TypeError: when the input's dtype is not the weight's (or the bias's), as for conv2d:
            NumPy would promote float32 weights and a float64 input to a float64 output.
    """
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got {weight.shape}"
        )
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input has {input.shape[-1] if input.ndim else 0} features but weight "
            f"{weight.shape} expects {weight.shape[1]}; input {input.shape}"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias {bias.shape} must be ({weight.shape[0]},)")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != input.dtype:
            raise TypeError(f"linear: input is {input.dtype} but {name} is {t.dtype}; convert "
                            "one with .to(dtype)")
    out = input @ weight.T
    return out if bias is None else out + bias
