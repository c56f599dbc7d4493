"""In-place writes (item assignment, fill_, zero_, relu_): the array itself changes, the
version is bumped, the history is rebased onto the write, and what cannot be recorded is
refused."""

import numpy as np
import pytest

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor, eval_shape, no_grad


def test_a_write_changes_the_array_itself_and_bumps_the_version():
    array = np.zeros((2, 3))
    x = tg.from_numpy(array)
    x[x == 0] = 1.0
    x[:, 1] = tg.tensor([5.0, 6.0])
    np.testing.assert_array_equal(array, [[1, 5, 1], [1, 6, 1]])
    assert x._version == 2


def test_a_write_into_a_state_dict_value_changes_the_model():
    layer = tg.nn.Linear(2, 2)
    layer.state_dict()["bias"].zero_()
    np.testing.assert_array_equal(layer.bias.numpy(), [0.0, 0.0])


def test_a_recorded_write_leaves_the_old_array_to_the_ops_that_saved_it():
    x = Tensor(np.array([-1.0, 2.0, -3.0]), requires_grad=True)
    y = x * 1
    before = y.numpy()
    out = tg.nn.functional.silu(y, inplace=True)  # x * sigmoid(x) saves its input
    assert out is y and before.tolist() == [-1.0, 2.0, -3.0]
    y.sum().backward()
    s = 1 / (1 + np.exp(-before))
    np.testing.assert_allclose(x.grad.numpy(), s * (1 + before * (1 - s)), rtol=1e-12)


def test_the_gradient_flows_to_the_written_value_and_around_it():
    x = Tensor(np.arange(4.0), requires_grad=True)
    v = Tensor(np.array(10.0), requires_grad=True)
    y = x * 1
    y[1:3] = v
    (y * Tensor(np.array([1.0, 2.0, 3.0, 4.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0, 0, 4])
    assert v.grad.item() == 5.0


def test_a_leaf_that_requires_grad_is_written_only_without_grad():
    w = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"in-place write into a leaf tensor \(3,\) that "
                                           "requires grad"):
        w[0] = 1.0
    with no_grad():
        w[0] = 1.0
        w.fill_(2.0)
    np.testing.assert_array_equal(w.numpy(), [2, 2, 2])


def test_a_tensor_an_op_already_used_is_not_rebased():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 1
    z = y + 1  # z's node has an edge to y
    with pytest.raises(RuntimeError, match="that an op already used"):
        y[0] = 0.0
    assert z.tolist() == [2.0, 2.0, 2.0]


def test_a_view_of_a_recorded_tensor_is_not_written_while_recording():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match=r"in-place write into a reshape view \(6,\) of a "
                                           r"tensor \(2, 3\) while recording"):
        y.reshape(6).relu_()
    flat = y.reshape(6).clone()
    assert flat.relu_() is flat  # a copy may be written


def test_a_backward_through_a_saved_output_that_was_written_raises():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x.exp()  # exp saves its output for its gradient
    y.relu_()
    with pytest.raises(RuntimeError, match=r"backward: exp saved its output for its gradient, "
                                           "but it was changed in place since"):
        y.sum().backward()


def test_a_backward_through_a_saved_input_that_was_written_raises():
    x = Tensor(np.ones(3))
    w = Tensor(np.ones(3), requires_grad=True)
    y = w * x  # mul saves x
    x[0] = 2.0
    with pytest.raises(RuntimeError, match="mul saved its input 1 of shape"):
        y.sum().backward()


def test_relu_in_place():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    y = x * 2
    assert y.relu_() is y and y.tolist() == [0.0, 4.0]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0])


def test_a_read_only_array_is_refused():
    x = Tensor(np.zeros(3)).expand(2, 3)
    with pytest.raises(ValueError, match=r"in-place write: the array of the tensor \(2, 3\) is "
                                         "read-only"):
        x[0] = 1.0


def test_a_value_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"setitem: a value of shape \(3,\) cannot fill "
                                         r"x\[index\] of shape \(2,\)"):
        Tensor(np.zeros((2, 2)))[0] = Tensor(np.zeros(3))


def test_writes_run_in_shape_only_runs():
    def fn(x):
        x[:, 0] = 0.0
        return x * 2

    def masked(x):
        x[x > 0] = 1.0
        return x

    assert eval_shape(fn, (2, 3)) == (2, 3)
    with pytest.raises(ValueError, match="an index tensor reads the values"):
        eval_shape(masked, (2, 3))
