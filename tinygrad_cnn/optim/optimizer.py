"""The optimiser base class: parameter groups, per-parameter state and state_dict round trips."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_cnn.autograd import enable_grad, no_grad
from tinygrad_cnn.tensor import Tensor

ParamGroup = dict[str, Any]
Params = Iterable[Tensor] | Iterable[dict[str, Any]]
StateDict = dict[str, Any]


class Optimizer:
    """Base class of the optimisers: keeps parameter groups and per-parameter state.

    A subclass passes its default options to this constructor, checks a group's options in
    `_validate_group`, makes a parameter's fresh state in `_init_state` and updates one parameter
    in `_update`. Everything else — groups, `step`, `zero_grad`, `state_dict` — lives here.

    Per-parameter state is keyed by the parameter's position across all groups (0, 1, ... in
    group order), never by the tensor itself, so `state_dict()` needs no tensors and loads into a
    fresh optimiser built over the same parameters in the same order.

    Args:
        params: an iterable of Tensors (one group), or of dicts, each with a "params" entry
            (Tensors) and any options that override the defaults for that group.
        defaults: every option the optimiser takes, with its default value.

    Raises:
        TypeError: for a single Tensor or a set as `params`, or a non-Tensor parameter.
        ValueError: for an empty parameter list, a parameter that is an op's result or appears
            twice, an unknown option in a group dict or an invalid option value. Parameters
            frozen with `requires_grad_(False)` are accepted and skipped while they have no
            gradient, as in PyTorch.
    """

    # Names of the per-parameter state entries that are numbers; all others are arrays shaped
    # like the parameter. `_required_state` must be present in any non-empty loaded state.
    _scalar_state: tuple[str, ...] = ()
    _array_state: tuple[str, ...] = ()
    _required_state: tuple[str, ...] = ()

    def __init__(self, params: Params, defaults: dict[str, Any]):
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name}: params must be an iterable of Tensors or dicts, got a Tensor; "
                "wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: params must be an ordered collection, got a set (its order "
                "changes between runs); use a list"
            )
        self.defaults: dict[str, Any] = dict(defaults)
        self.param_groups: list[ParamGroup] = []
        self.state: dict[int, dict[str, Any]] = {}
        # Scratch arrays reused by every step, keyed by (dtype, slot); never part of the state.
        self._workspace: dict[tuple[str, int], np.ndarray] = {}
        groups = [params] if isinstance(params, dict) else list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # ---- groups -------------------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from the defaults).

        Args:
            param_group: a dict with "params" (a Tensor or an iterable of Tensors) and any
                options to override for this group, e.g. `{"params": head, "lr": 0.1}`.

        Raises:
            TypeError: when `param_group` is not a dict, "params" is a set, or an entry of it
                is not a Tensor.
            ValueError: when "params" is missing, a parameter is an op's result or is already
                optimised, an option is unknown or its value invalid.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: a param group must be a dict, got {type(param_group)}")
        index = len(self.param_groups)
        if "params" not in param_group:
            raise ValueError(f"{self._name}: param group {index} has no 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: the params of param group {index} are a set, whose order "
                "changes between runs; use a list"
            )
        params = list(params)
        unknown = [key for key in param_group if key != "params" and key not in self.defaults]
        if unknown:
            raise ValueError(
                f"{self._name}: unknown option {unknown[0]!r} in param group {index}; "
                f"options are {', '.join(self.defaults)}"
            )
        self._check_params(params, index)
        group: ParamGroup = {"params": params}
        for key, default in self.defaults.items():
            group[key] = param_group.get(key, default)
        self._validate_group(group)
        self.param_groups.append(group)

    def _check_params(self, params: list[Any], group_index: int) -> None:
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for i, p in enumerate(params):
            where = f"parameter {i} of param group {group_index}"
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: {where} is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: {where} (shape {p.shape}) is not a leaf "
                                 "tensor (an op's result) and can't be optimised, as in PyTorch")
            if id(p) in seen:
                raise ValueError(
                    f"{self._name}: {where} (shape {p.shape}) appears twice; "
                    "each parameter may be in one group once"
                )
            seen.add(id(p))

    def _validate_group(self, group: ParamGroup) -> None:
        """Check (and normalise in place) a group's options; subclasses extend."""
        if "lr" in group:
            self._check_nonnegative(group, "lr")

    def _check_nonnegative(self, group: ParamGroup, *names: str) -> None:
        for name in names:
            self._check_number(name, group[name])
            if not 0 <= group[name] < math.inf:  # also catches NaN
                raise ValueError(f"{self._name}: invalid {name}={group[name]!r}; must be >= 0 "
                                 "and finite")

    def _check_number(self, name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"{self._name}: option {name} must be a real number, got {value!r}"
            )

    # ---- stepping -----------------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters.

        Args:
            set_to_none: set each `.grad` to None (default); otherwise to a zero array. The
                zeros are a fresh array, because the engine may share one gradient array
                between several tensors and zeroing it in place would clobber the others.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.grad = None if set_to_none else Tensor(np.zeros_like(p.grad.data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place; parameters without one are skipped.

        Args:
            closure: optional; re-evaluates the model and returns the loss (run with grad on).

        Returns:
            The closure's loss, or None without a closure.

        Raises:
            ValueError: when a gradient's shape differs from its parameter's.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            index = 0
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._step_param(index, p, group)
                    index += 1
        return loss

    def _step_param(self, index: int, p: Tensor, group: ParamGroup) -> None:
        grad = p.grad.data  # type: ignore[union-attr]
        if grad.shape != p.data.shape:
            raise ValueError(
                f"{self._name}: parameter {index} has shape {p.data.shape} but its gradient "
                f"has shape {grad.shape}"
            )
        state = self.state.get(index)
        if state is None:
            state = self.state[index] = self._init_state(p.data, group)
        self._update(p.data, grad, state, group)
        p.mark_modified()

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        """The state of a parameter before its first step; subclasses override."""
        return {}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        """Update `param` in place from `grad`; subclasses implement their algorithm here."""
        raise NotImplementedError

    # ---- helpers for the update rules ---------------------------------------------------------

    def _scratch(self, like: np.ndarray, slot: int) -> np.ndarray:
        """A reusable scratch array shaped like `like` (contents undefined).

        One flat buffer per (dtype, slot) serves every parameter in turn, sized to the largest,
        so steps allocate nothing once warmed up and the memory cost is one parameter's worth.
        """
        key = (like.dtype.str, slot)
        flat = self._workspace.get(key)
        if flat is None or flat.size < like.size:
            flat = self._workspace[key] = np.empty(like.size, like.dtype)
        return flat[: like.size].reshape(like.shape)

    def _effective_grad(
        self, param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool
    ) -> np.ndarray:
        """(-grad if maximize else grad) + weight_decay * param, in scratch slot 0 if not `grad`.

        The gradient array is never written to: the engine may share it with other tensors.
        """
        if weight_decay == 0 and not maximize:
            return grad
        out = self._scratch(param, 0)
        if weight_decay == 0:
            return np.negative(grad, out=out)
        np.multiply(param, weight_decay, out=out)
        return np.subtract(out, grad, out=out) if maximize else np.add(out, grad, out=out)

    @staticmethod
    def _buffer(state: dict[str, Any], name: str, param: np.ndarray) -> np.ndarray:
        """state[name], created as zeros like `param` when missing (e.g. an option turned on)."""
        buffer = state.get(name)
        if buffer is None:
            buffer = state[name] = np.zeros_like(param)
        return buffer

    # ---- state_dict ---------------------------------------------------------------------------

    def state_dict(self) -> StateDict:
        """A snapshot of the optimiser: per-parameter state and group options.

        Returns:
            `{"state": {index: {name: ndarray | number}}, "param_groups": [{option: value, ...,
            "params": [index, ...]}]}`, the layout PyTorch uses, with parameters replaced by
            their positions across groups. Arrays are copies: later steps do not change them.
        """
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(packed)
        state = {
            index: {
                name: value.copy() if isinstance(value, np.ndarray) else value
                for name, value in entry.items()
            }
            for index, entry in sorted(self.state.items())
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Restore a snapshot from `state_dict()` (of an optimiser over the same parameters).

        Group options come from the snapshot; the parameters stay this optimiser's own, matched
        by position. Arrays are copied and cast to each parameter's dtype. Nothing changes unless
        the whole snapshot is valid.

        Args:
            state_dict: as returned by `state_dict()`; arrays may be any array-likes, and
                numbers 0-d arrays (as after a round trip through `.npz`).

        Raises:
            ValueError: when the number of groups or a group's size differs, a group lists a
                negative or repeated parameter index, a state entry names a parameter no group
                lists, has an unknown or missing name, or an array whose shape differs from its
                parameter's.
        """
        where = f"{self._name}.load_state_dict"
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(f"{where}: expected a dict with 'state' and 'param_groups'")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: state_dict has {len(saved_groups)} param groups but the optimizer "
                f"has {len(self.param_groups)}"
            )
        positions: dict[int, tuple[int, Tensor]] = {}  # saved index -> (our position, param)
        new_groups = []
        position = 0
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            saved_params = [int(i) for i in np.asarray(saved["params"]).reshape(-1)]
            if len(saved_params) != len(group["params"]):
                raise ValueError(
                    f"{where}: param group {g} has {len(saved_params)} params in state_dict "
                    f"but {len(group['params'])} in the optimizer"
                )
            for saved_index, p in zip(saved_params, group["params"], strict=True):
                if saved_index < 0 or saved_index in positions:
                    raise ValueError(f"{where}: param group {g} lists parameter index "
                                     f"{saved_index}; indices must be distinct and >= 0")
                positions[saved_index] = (position, p)
                position += 1
            options = {key: _plain(value) for key, value in saved.items() if key != "params"}
            new_group = {**group, **options, "params": group["params"]}
            self._validate_group(new_group)
            new_groups.append(new_group)
        new_state = {}
        for key, entry in state_dict["state"].items():
            if int(key) not in positions:
                raise ValueError(f"{where}: state for parameter {key}, which no param group lists")
            index, p = positions[int(key)]
            new_state[index] = self._load_param_state(where, index, p, entry)
        self.param_groups, self.state = new_groups, new_state

    def _load_param_state(
        self, where: str, index: int, p: Tensor, entry: dict[str, Any]
    ) -> dict[str, Any]:
        entry = {name: value for name, value in entry.items() if value is not None}
        known = self._scalar_state + self._array_state
        for name in entry:
            if name not in known:
                raise ValueError(
                    f"{where}: unknown state {name!r} for parameter {index}; "
                    f"{self._name} keeps {', '.join(known) or 'no state'}"
                )
        missing = [name for name in self._required_state if name not in entry]
        if entry and missing:
            raise ValueError(f"{where}: state of parameter {index} lacks {', '.join(missing)}")
        out: dict[str, Any] = {}
        for name, value in entry.items():
            if name in self._scalar_state:
                out[name] = int(np.asarray(value).item())
                continue
            array = np.asarray(value)
            if array.shape != p.data.shape:
                raise ValueError(
                    f"{where}: state {name!r} of parameter {index} has shape {array.shape} "
                    f"but the parameter has shape {p.data.shape}"
                )
            out[name] = np.array(array, dtype=p.data.dtype, copy=True)
        return out

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join([*lines, ")"])


def _plain(value: Any) -> Any:
    """A group option as a plain Python value (0-d arrays to numbers, 1-d arrays to tuples)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item() if np.ndim(value) == 0 else tuple(np.asarray(value).tolist())
    return value
