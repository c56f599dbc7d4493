"""Activation functions and (log-)softmax, as functions of tensors."""

from __future__ import annotations

from tinygrad_cnn.tensor import Tensor


def relu(input: Tensor) -> Tensor:
    """max(x, 0) elementwise."""
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise."""
    return input.tanh()


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, with the max subtracted first."""
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """x - logsumexp(x) along `dim`: finite for any finite logits (1e4 included)."""
    return input.log_softmax(dim)
