"""Saved tensors and in-place changes: versions bumped by every library write, checked at backward;
checksums of every saved array under detect_anomaly; the ordinary loops keep working; ops with
outputs that carry no gradient."""

import re

import numpy as np
import pytest

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, detect_anomaly, eval_shape, manual_seed, models, nn, no_grad, optim
from tinygrad_cnn.autograd import Function, ShapeDtype
from tinygrad_cnn.testing import gradcheck


def _conv_loss(w):
    x = Tensor(np.random.default_rng(0).standard_normal((2, 1, 6, 6)))
    return F.conv2d(x, w).sum()


def _weight():
    return nn.Parameter(np.random.default_rng(1).standard_normal((2, 1, 3, 3)))


def test_an_optimiser_step_between_forward_and_backward_is_refused():
    a = Tensor(np.arange(3.0))
    w = nn.Parameter(np.ones(3))
    y = (a * w).sum()
    w.grad = Tensor(np.ones(3))
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"^backward: mul saved its input 1 of shape \(3,\) "
                                           r"at version 0 for its gradient, but it is now at "
                                           r"version 1 \(changed in place since: an optimiser "
                                           r"step"):
        y.backward()


def test_assigning_data_after_the_forward_is_refused_naming_op_and_module():
    conv = nn.Conv2d(1, 2, 3, dtype=np.float64)
    net = nn.Sequential(conv)
    y = net(Tensor(np.ones((1, 1, 5, 5)))).sum()
    conv.weight.data = np.zeros_like(conv.weight.data)
    with pytest.raises(RuntimeError, match=r"^backward: conv2d in module 0 \(Conv2d\) saved its "
                                           r"input 1 of shape \(2, 1, 3, 3\)"):
        y.backward()


def test_nn_init_between_forward_and_backward_is_refused():
    w = _weight()
    y = _conv_loss(w)
    nn.init.normal_(w)
    with pytest.raises(RuntimeError, match=r"conv2d saved its input 1 .* now at version 1 "
                                           r"\(changed in place since"):
        y.backward()


def test_load_state_dict_between_forward_and_backward_is_refused():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, bias=False, dtype=np.float64))
    y = model(Tensor(np.ones((1, 1, 5, 5)))).sum()
    model.load_state_dict({"0.weight": np.zeros((2, 1, 3, 3))})
    with pytest.raises(RuntimeError, match=r"in module 0 \(Conv2d\) .* now at version 2 "
                                           r"\(changed in place since"):
        y.backward()


def test_a_raw_write_is_counted_once_marked():
    w = _weight()
    y = _conv_loss(w)
    w.data[...] = 0
    w.mark_modified()
    with pytest.raises(RuntimeError, match=r"at version 0 for its gradient, but it is now at "
                                           r"version 1 \(changed in place since"):
        y.backward()


def test_a_raw_write_into_a_saved_array_is_caught_under_detect_anomaly():
    a = Tensor(np.arange(1.0, 4.0), requires_grad=True)
    with detect_anomaly():
        y = (a.exp() * 2).sum()  # exp saves its output
        a.data[...] = 0
        y.backward()  # exp's own output is intact: fine
    w = _weight()
    with detect_anomaly():
        y = _conv_loss(w)
        w.data[...] = 0
        with pytest.raises(RuntimeError, match=r"^backward: conv2d saved its input 1 of shape "
                                               r"\(2, 1, 3, 3\) .* its array was written in place"):
            y.backward()


def test_the_ordinary_loop_accumulation_and_retain_graph_keep_working():
    manual_seed(0)
    model = models.lenet5()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = Tensor(np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32))
    y = np.arange(4)
    for _ in range(2):  # zero_grad / backward / step
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    opt.zero_grad()
    for part in (slice(0, 2), slice(2, 4)):  # accumulate over two backwards, one step
        F.cross_entropy(model(x[part]), y[part]).backward()
    opt.step()
    loss = F.cross_entropy(model(x), y)
    loss.backward(retain_graph=True)
    loss.backward()  # a second backward through the same, unchanged graph


def test_gradcheck_still_passes_with_the_check_in_place():
    w = Tensor(np.random.default_rng(2).standard_normal((2, 1, 3, 3)), requires_grad=True)
    assert gradcheck(_conv_loss, [w])


class _DoubleAndSign(Function):
    """y = 2 x, and sign(x) as int64: a second output that carries no gradient."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x, np.sign(x).astype(np.int64)

    @staticmethod
    def backward(ctx, grad):
        return grad * 2.0

    @staticmethod
    def abstract_eval(x):
        return ShapeDtype(x.shape, x.dtype), ShapeDtype(x.shape, np.dtype(np.int64))


def test_an_op_may_give_outputs_that_carry_no_gradient():
    x = Tensor(np.array([-1.5, 0.0, 2.0]), requires_grad=True)
    y, sign = _DoubleAndSign.apply(x)
    assert y.grad_fn is not None and y.requires_grad
    assert sign.grad_fn is None and not sign.requires_grad and sign.dtype == np.int64
    assert sign.tolist() == [-1, 0, 1]
    (y * sign).sum().backward()  # the sign is a constant of the product
    assert x.grad.tolist() == [-2.0, 0.0, 2.0]
    with no_grad():
        y, sign = _DoubleAndSign.apply(x)
    assert y.grad_fn is None and sign.tolist() == [-1, 0, 1]


def test_the_shape_rule_of_several_outputs_gives_each_shape():
    assert eval_shape(_DoubleAndSign.apply, (2, 3)) == ((2, 3), (2, 3))


def test_an_anomaly_names_only_its_own_threads_backward():
    """A backward running in one thread is not named in another thread's anomaly."""
    import threading

    started, release = threading.Event(), threading.Event()

    class Waits(Function):
        """y = x; its backward waits until the main thread has raised."""

        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            started.set()
            release.wait(timeout=30)
            return grad

    def backward_in_a_thread():
        with detect_anomaly():
            Waits.apply(Tensor([1.0], requires_grad=True)).sum().backward()

    worker = threading.Thread(target=backward_in_a_thread)
    worker.start()
    try:
        assert started.wait(timeout=30)
        with detect_anomaly(), np.errstate(invalid="ignore"), \
                pytest.raises(FloatingPointError) as error:
            Tensor([-1.0], requires_grad=True).log()
    finally:
        release.set()
        worker.join(timeout=30)
    assert "backward" not in str(error.value)


# Each view-producing step, applied to a parameter: the view shares the parameter's version, so
# a change of the parameter is seen through a view saved for backward (as PyTorch's views).
VIEWS = {
    "reshape": lambda w: w.reshape(6),
    "view": lambda w: w.view(3, 2),
    "transpose": lambda w: w.transpose(0, 1),
    "permute": lambda w: w.permute(1, 0),
    ".T": lambda w: w.T,
    ".mT": lambda w: w.mT,
    "flatten": lambda w: w.flatten(),
    "unsqueeze": lambda w: w.unsqueeze(0),
    "squeeze": lambda w: w.unsqueeze(0).squeeze(0),
    "getitem slice": lambda w: w[0:1],
    "getitem int": lambda w: w[1],
    "expand": lambda w: w.unsqueeze(0).expand(4, 2, 3),
    "view of a view": lambda w: w.reshape(3, 2).T[0],
    "detach": lambda w: w.detach(),
    "Tensor(w)": lambda w: Tensor(w),
    "Parameter(w)": lambda w: nn.Parameter(w),
}


@pytest.mark.parametrize("make_view", VIEWS.values(), ids=VIEWS.keys())
def test_a_step_seen_through_any_view_of_the_parameter(make_view):
    w = nn.Parameter(np.arange(6.0).reshape(2, 3))
    v = make_view(w)
    x = Tensor(np.ones(v.shape), requires_grad=True)
    y = (x * v).sum()
    w.grad = Tensor(np.ones((2, 3)))
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"^backward: mul saved its input 1 of shape .* at "
                                           r"version 0 for its gradient, but it is now at "
                                           r"version 1"):
        y.backward()


def test_a_view_made_without_grad_still_shares_the_version():
    w = nn.Parameter(np.arange(6.0).reshape(2, 3))
    with no_grad():
        v = w.T
    y = (Tensor(np.ones((3, 2)), requires_grad=True) * v).sum()
    w.mark_modified()
    with pytest.raises(RuntimeError, match="now at version 1"):
        y.backward()


def test_a_change_made_through_a_view_is_seen_by_its_base():
    w = nn.Parameter(np.arange(6.0).reshape(2, 3))
    y = (Tensor(np.ones((2, 3)), requires_grad=True) * w).sum()
    v = w[0]
    v.data[...] = 0
    v.mark_modified()
    assert w._version == v._version == 1
    with pytest.raises(RuntimeError, match="at version 0 for its gradient, but it is now at "
                                           "version 1"):
        y.backward()


def test_copies_keep_their_own_version():
    # Integer-array indexing and a reshape that must copy make new arrays (as in PyTorch):
    # changing the parameter afterwards changes neither, so backward is right to go on.
    w = nn.Parameter(np.arange(6.0).reshape(2, 3))
    picked, copied = w[[1, 0]], w.T.reshape(6)
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    z = Tensor(np.ones(6), requires_grad=True)
    y = (x * picked).sum() + (z * copied).sum()
    w.mark_modified()
    y.backward()
    assert x.grad.tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]
    assert z.grad.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


LAYERS = {
    "Linear": (lambda: nn.Linear(2, 3), (4, 2)),
    "Conv1d": (lambda: nn.Conv1d(1, 2, 3), (1, 1, 5)),
    "Conv2d": (lambda: nn.Conv2d(1, 2, 3), (1, 1, 5, 5)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(1, 2, 3), (1, 1, 4, 4)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(2), (3, 2)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2), (3, 2, 2, 2)),
    "GroupNorm": (lambda: nn.GroupNorm(1, 2), (3, 2, 2, 2)),
    "LayerNorm": (lambda: nn.LayerNorm(2), (3, 2)),
}


@pytest.mark.parametrize("change", ["step", "load_state_dict"])
@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_refuses_a_backward_after_its_weights_changed(name, change):
    make, shape = LAYERS[name]
    layer = make()
    x = Tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32),
               requires_grad=True)
    y = layer(x).sum()
    if change == "step":
        for p in layer.parameters():
            p.grad = Tensor(np.ones_like(p.data))
        optim.SGD(layer.parameters(), lr=1.0).step()
    else:
        layer.load_state_dict({k: np.asarray(v) + 1 for k, v in layer.state_dict().items()})
    with pytest.raises(RuntimeError, match=rf"in module {name} saved ") as error:
        y.backward()
    saved, now = re.search(r"at version (\d+) for its gradient, but it is now at version (\d+)",
                           str(error.value)).groups()
    assert int(now) == int(saved) + 1


@pytest.mark.parametrize(("changes", "said"), [(3, "at version 1 for its gradient, but it is now "
                                                   "at version 4"),
                                               (20, "at version 5 or earlier for its gradient, "
                                                    "but it is now at version 21")])
def test_the_error_tells_the_version_saved_from_the_latest_changes(changes, said):
    w = nn.Parameter(np.ones(3))
    w.mark_modified()  # version 1, then saved
    y = (Tensor(np.ones(3), requires_grad=True) * w).sum()
    for _ in range(changes):
        w.mark_modified()
    with pytest.raises(RuntimeError, match=said):
        y.backward()
