"""Function, the base of every primitive op, and Context, the graph node it records."""

from __future__ import annotations

import itertools
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

# The module, not the class: tensor.py imports this file (and is imported first, by the package
# __init__), so `Tensor` is looked up at call time.
from tinygrad_cnn import tensor as _tensor
from tinygrad_cnn.autograd import abstract, grad_mode
from tinygrad_cnn.autograd.abstract import ShapeDtype
from tinygrad_cnn.autograd.graph import scope_label

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

# One clock ticks at every op that saves values and at every in-place change of a tensor: an
# input changed after an op saved it has a later tick than the op. `_last_change` is the tick
# of the latest change anywhere, so a backward with nothing changed since its forward (the
# usual case) checks one number per op.
_clock = itertools.count(1)
_last_change = 0


class Version:
    """The in-place changes of one array, shared by a tensor and every view of it (as
    PyTorch's version counter), so a change made through any of them is seen by all."""

    __slots__ = ("changed_at", "count", "recent")
    KEPT = 16  # ticks of the latest changes kept, to tell the version at an earlier tick

    def __init__(self) -> None:
        self.count = 0  # how many changes
        self.changed_at = 0  # the tick of the latest, on the clock above
        self.recent: list[int] = []  # the ticks of the latest changes, oldest first

    def at(self, tick: int) -> str:
        """The version as of `tick`, for an error message: the versions are not stored per
        op (that would cost every op), but the latest changes' ticks tell it back."""
        later = sum(1 for changed in self.recent if changed > tick)
        if later == len(self.recent) == self.KEPT:  # more changes may be older than those kept
            return f"{self.count - later} or earlier"
        return str(self.count - later)


def shared_version(t: Tensor) -> Version:
    """`t`'s version counter, made now if this is its first change or view (most tensors
    never need one)."""
    if t._version_counter is None:
        t._version_counter = Version()
    return t._version_counter


def detached(t: Tensor) -> Tensor:
    """`t.detach()`: its array and version counter in a tensor cut from the graph."""
    out = _tensor.Tensor._from_op(t._data, None, t._watched)
    out._version_counter = shared_version(t)
    return out


def note_change(version: Version) -> None:
    """Count an in-place change and stamp it on the clock (`Tensor.mark_modified` calls it)."""
    global _last_change
    version.count += 1
    version.changed_at = _last_change = next(_clock)
    version.recent.append(version.changed_at)
    if len(version.recent) > Version.KEPT:
        del version.recent[0]


def modified(t: Tensor) -> None:
    """An in-place change of `t` (`Tensor.mark_modified`): counted on its version, which its
    views share, and stamped on the node that made `t`, whose VJP may have saved its output."""
    note_change(shared_version(t))
    if t.grad_fn is not None:
        t.grad_fn._output_changed_at = _last_change


class _SavedOutput:
    """Stands in for the op's own output among the saved values, to avoid a reference cycle."""


_OUTPUT = _SavedOutput()


class Context:
    """A node of the recorded graph: the op, its inputs and what its VJP needs.

    It is the `ctx` passed to `Function.forward` / `Function.backward` and the tensor's
    `grad_fn`. Attributes set on it in `forward` are available in `backward`.
    """

    # Set when something is saved (class defaults: most nodes never need them):
    _tick = 0  # when, on the clock of in-place changes
    _prints: tuple[int | None, ...] = ()  # checksums of the saved arrays, under detect_anomaly
    _output_changed_at = 0  # when the output was last changed in place

    def __init__(
        self, op: type[Function], inputs: tuple[Tensor, ...], attrs: dict[str, Any],
        needs_input_grad: tuple[bool, ...], scope: tuple[Any, ...] = (),
    ):
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        # Which inputs want a gradient; all False when nothing is recorded (no_grad, or no
        # input requires grad), so a forward can skip what only its VJP would use.
        self.needs_input_grad = needs_input_grad
        self.scope = scope  # the modules whose forward was running
        self._saved: tuple[Any, ...] | None = ()
        self._output: np.ndarray | None = None
        self.released = False

    @property
    def name(self) -> str:
        """The op's name, e.g. ``"conv2d"``."""
        return self.op.op_name()

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays for the VJP; inputs and the output come back as graph-connected Tensors."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        """The saved values as Tensors (inputs and output keep their place in the graph).

        Raises:
            RuntimeError: when a saved input was changed in place since (its version moved),
                or, under `detect_anomaly`, when any saved array was written to.
        """
        self.check_not_released()
        if _last_change > self._tick or self._prints:
            self._check_unchanged()
        saved = []
        for value in self._saved:
            if value is _OUTPUT:
                saved.append(_tensor.Tensor._from_op(self._output, self))
            elif isinstance(value, _tensor.Tensor):
                saved.append(value)
            else:
                saved.append(_tensor.Tensor(value) if isinstance(value, np.ndarray) else value)
        return tuple(saved)

    def _array(self, value: Any) -> Any:
        """The array behind a saved value (the output's, an input's, or the value itself)."""
        if value is _OUTPUT:
            return self._output
        return value._data if isinstance(value, _tensor.Tensor) else value

    def _check_unchanged(self) -> None:
        for value in self._saved:
            if value is _OUTPUT and self._output_changed_at > self._tick:
                self._changed(value, "", "it was changed in place since (an item assignment, "
                              "another in-place op or mark_modified)")
            version = getattr(value, "_version_counter", None)
            if version is not None and version.changed_at > self._tick:
                self._changed(value, f" at version {version.at(self._tick)}",
                              f"it is now at version {version.count} (changed in place since: "
                              "an optimiser step, a .data assignment, load_state_dict, nn.init "
                              "or mark_modified, on it or on a tensor it is a view of)")
        for value, checksum in zip(self._saved, self._prints):
            if checksum != _checksum(self._array(value)):
                self._changed(value, "", "its array was written in place since")

    def _input_position(self, value: Any) -> int:
        return next(i for i, t in enumerate(self.inputs) if value is t)

    def _changed(self, value: Any, when: str, how: str) -> None:
        where = f" in module {scope_label(self.scope)}" if self.scope else ""
        if value is _OUTPUT:
            what = "its output"
        elif any(value is t for t in self.inputs):
            what = f"its input {self._input_position(value)} of shape {value.shape}"
        else:
            what = f"a saved array of shape {np.shape(value)}"
        raise RuntimeError(
            f"backward: {self.name}{where} saved {what}{when} for its gradient, but {how}; "
            "run backward before changing the tensor, or run the forward again"
        )

    def check_not_released(self) -> None:
        """Raise if an earlier backward already freed this node."""
        if self.released:
            raise RuntimeError(
                f"backward: the saved values of {self.name} were freed by an earlier backward; "
                "pass retain_graph=True to the first backward to run backward twice"
            )

    def release(self) -> None:
        """Free what was saved, and the inputs' arrays; a later backward through this node
        raises.

        The graph's shape stays (each input's op, shape and dtype, and the parameters
        themselves, so it can still be drawn), but not its arrays: a loss kept after its
        backward (``losses.append(loss)``) holds no activations.
        """
        self._saved = None
        self._output = None
        self._prints = ()
        self.released = True
        for t in self.inputs:
            if t._data.nbytes > _KEPT_BYTES:  # else every input is kept: nothing to free
                self.inputs = tuple([_hollow(t) for t in self.inputs])
                return

    def __repr__(self) -> str:
        return f"<{self.name} backward>"


class Function:
    """Base class of every primitive op: `forward` on arrays, `backward` with tensor ops.

    Subclasses define three static methods::

        forward(ctx, *arrays, **attrs) -> np.ndarray
        backward(ctx, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]
        abstract_eval(*inputs: ShapeDtype, **attrs) -> ShapeDtype

    `backward` returns one gradient per input (None where `ctx.needs_input_grad` says it is
    not wanted) and must use only Tensor ops, so that gradients are differentiable again.
    `abstract_eval` is the op's shape rule: the output's shape and dtype from the inputs', for
    shape-only runs (`tinygrad_cnn.eval_shape`, `summary`); it computes nothing.
    Run the op with ``MyOp.apply(*tensors, **attrs)``.

    An op may also give outputs that carry no gradient (max pooling's int64 indices): its
    `forward` returns a tuple of arrays, the differentiable output first, and its
    `abstract_eval` a tuple of ShapeDtypes; `apply` then returns a tuple of Tensors, the later
    ones leaves that require no grad, as PyTorch's.

    An op whose output may be a view of its first input's array (`view = True`: reshape,
    permute, expand, basic indexing) gives the output its input's version counter whenever
    the arrays share memory, so an in-place change of either is seen through the other.
    """

    name: str | None = None
    view = False

    @classmethod
    def op_name(cls) -> str:
        """The name shown in errors and graphs: `name` if set, else the class name lowercased."""
        return cls.name or cls.__name__.lower()

    @staticmethod
    def forward(ctx: Context, *inputs: np.ndarray, **attrs: Any) -> Any:
        """Compute the result on arrays (a tuple of them for an op with several outputs)."""
        raise NotImplementedError("Function subclasses define forward")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        """Return the gradient of each input given the gradient of the output."""
        raise NotImplementedError("Function subclasses define backward")

    @classmethod
    def abstract_eval(cls, *inputs: ShapeDtype, **attrs: Any) -> Any:
        """The output's shape and dtype for inputs of these shapes and dtypes (a tuple of them
        for an op with several outputs)."""
        raise NotImplementedError(f"{cls.op_name()} has no shape rule (abstract_eval), so it "
                                  "cannot run in a shape-only evaluation")

    @classmethod
    def apply(cls, *inputs: Tensor, **attrs: Any) -> Any:
        """Run the op on Tensors and record it in the graph when any input requires grad.

        Returns the output Tensor, or a tuple of them for an op with outputs that carry no
        gradient.
        """
        switches = grad_mode.per_thread.switches
        if switches.shapes_only:
            return cls._apply_abstractly(inputs, attrs, switches)
        needs = tuple([t._requires_grad for t in inputs])
        record = switches.enabled and True in needs
        ctx = Context(cls, inputs, attrs, needs if record else (False,) * len(inputs),
                      switches.scope)
        raw = cls.forward(ctx, *[t._data for t in inputs], **attrs)
        more = None
        if isinstance(raw, np.ndarray):
            out = raw
        elif type(raw) is tuple:  # the outputs after the first carry no gradient
            raw, more = raw[0], raw[1:]
            out = raw
        else:  # ufuncs return NumPy scalars for 0-d inputs; a Tensor always holds an ndarray
            out = np.asarray(raw)
        if switches.anomaly:
            check_finite(out, ctx, "forward result")
        watched = switches.watch is not None and True in [t._watched for t in inputs]
        if record:
            for t in inputs:
                t._consumed = True  # an in-place write into it would move this node's edge
            ctx._output = out
            if ctx._saved:
                ctx._saved = tuple([_mark_saved(value, inputs, raw) for value in ctx._saved])
                ctx._tick = next(_clock)
                if switches.anomaly:
                    ctx._prints = tuple([_checksum(ctx._array(value)) for value in ctx._saved])
        result = _tensor.Tensor._from_op(out, ctx if record else None, watched)
        if cls.view and np.may_share_memory(out, inputs[0]._data):
            result._version_counter = shared_version(inputs[0])
        if more is None:
            return result
        return (result, *[_tensor.Tensor._from_op(m, None, watched) for m in more])


    @classmethod
    def _apply_abstractly(
        cls, inputs: tuple[Tensor, ...], attrs: dict[str, Any], switches: grad_mode.Switches
    ) -> Any:
        """The output's shape and dtype from the op's shape rule, computing nothing."""
        spec = cls.abstract_eval(*[ShapeDtype(t.shape, t.dtype) for t in inputs], **attrs)
        specs = (spec,) if isinstance(spec, ShapeDtype) else spec
        outs = tuple(abstract.without_values(*s) for s in specs)
        if switches.observer is not None:
            ctx = Context(cls, inputs, attrs, (False,) * len(inputs), switches.scope)
            switches.observer.op(ctx, outs[0])
        return outs[0] if isinstance(spec, ShapeDtype) else outs


# A released node keeps an input array up to this size: it costs less than the node itself
# (a constant of `x * 2`, a few numbers), and not looking at it keeps backward fast.
_KEPT_BYTES = 1024


def _holds_memory(t: Tensor) -> bool:
    """Whether a released node should let go of `t`'s array: a big one, unless it belongs to
    a leaf that requires grad (a parameter, alive anyway and named in drawings)."""
    return t._data.nbytes > _KEPT_BYTES and (t.grad_fn is not None or not t._requires_grad)


def _hollow(t: Tensor) -> Tensor:
    """`t`, or for a big array a shape-only stand-in with the same op, name and dtype."""
    if not _holds_memory(t):
        return t
    stand_in = _tensor.Tensor._from_op(abstract.AbstractArray(t.shape, t.dtype), t.grad_fn)
    stand_in.name = t.name
    return stand_in


def _mark_saved(value: Any, inputs: tuple[Tensor, ...], out: np.ndarray) -> Any:
    if value is out:
        return _OUTPUT
    for t in inputs:
        if value is t._data:
            return t
    return value


def _checksum(value: Any) -> int | None:
    """A CRC of an array's bytes (None for a value that is not an array)."""
    if not isinstance(value, np.ndarray):
        return None
    return zlib.crc32(np.ascontiguousarray(value).view(np.uint8))


def check_finite(array: np.ndarray, ctx: Context, what: str) -> None:
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        where = f" in module {scope_label(ctx.scope)}" if ctx.scope else ""
        running = grad_mode.per_thread.switches.backward_of
        if running is not None:
            where += f" (in the backward of {running.name})"
        raise FloatingPointError(
            f"detect_anomaly: {ctx.name}{where} produced NaN or Inf in its {what}"
        )
