"""One rule for every file the library writes: an existing folder, the umask's mode, atomic."""

import os

import numpy as np
import pytest
from extras import require

from tinygrad_cnn import Tensor, models, save, zeros
from tinygrad_cnn.data import write_idx
from tinygrad_cnn.files import atomic_write, check_output
from tinygrad_cnn.train import History
from tinygrad_cnn.viz import draw_graph, plot_history, render


def _write_with_save(path):
    save({"w": np.zeros(2)}, path)


def _write_with_write_idx(path):
    write_idx(path, np.zeros(3, np.uint8))


def _write_with_render(path):
    render(draw_graph(Tensor([1.0], requires_grad=True) * 2), path)


def _write_with_plot_history(path):
    require("matplotlib", "plot")
    plot_history(History(loss=[1.0], accuracy=[0.5]), path)


def _write_with_export(path):
    require("onnx", "onnx")
    from tinygrad_cnn.onnx import export

    export(models.simple_cnn(), zeros(2, 1, 28, 28), path)


WRITERS = {
    "save": (_write_with_save, "x.npz"),
    "write_idx": (_write_with_write_idx, "x-idx1-ubyte.gz"),
    "render": (_write_with_render, "x.dot"),
    "plot_history": (_write_with_plot_history, "x.png"),
    "onnx.export": (_write_with_export, "x.onnx"),
}


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.mark.parametrize("op", WRITERS)
def test_every_writer_gives_the_mode_the_umask_gives(tmp_path, umask_027, op):
    write, name = WRITERS[op]
    write(tmp_path / name)
    assert (tmp_path / name).stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


@pytest.mark.parametrize("op", WRITERS)
def test_every_writer_refuses_a_missing_folder_naming_the_given_path(tmp_path, op):
    write, name = WRITERS[op]
    path = tmp_path / "missing" / name
    with pytest.raises(FileNotFoundError) as error:
        write(path)
    assert str(error.value).startswith(f"{op}: cannot write {path}: the folder ")
    assert list(tmp_path.iterdir()) == []  # no folder made, nothing half-written


@pytest.mark.parametrize("op", WRITERS)
def test_every_writer_refuses_a_folder_as_the_path(tmp_path, op):
    write, name = WRITERS[op]
    (tmp_path / name).mkdir()
    with pytest.raises(IsADirectoryError, match=f"{op}: .*{name} is a folder; name a file"):
        write(tmp_path / name)


def test_a_read_only_folder_is_refused_before_writing(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    if os.access(folder, os.W_OK):  # root writes anywhere: let the check see what a user would
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match=r"--save: cannot write .*ro/x\.npz: no permission"):
        check_output(folder / "x.npz", "--save")


def test_a_failing_write_leaves_the_old_file_and_nothing_else(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")

    def broken(file):
        file.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, broken)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_a_bare_file_name_is_written_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_output("x.npz", "save").name == "x.npz"
