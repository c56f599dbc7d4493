"""ImageFolder: a directory with one sub-folder of PNG/JPEG pictures per class, read with Pillow,
as a dataset."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import numpy as np

from tinygrad_cnn.arguments import check_memory, positive_pair
from tinygrad_cnn.data.dataset import Dataset, Index, positions
from tinygrad_cnn.tensor import Tensor

EXTENSIONS = (".png", ".jpg", ".jpeg")


def _pillow() -> ModuleType:
    """PIL.Image, imported only when a folder is read: Pillow is the optional extra `images`."""
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            f'ImageFolder needs Pillow to read PNG and JPEG files ({err}); '
            'pip install "tinygrad_cnn[images]"'
        ) from None
    return Image


# Pillow modes by the full scale of their values. PNG and JPEG open as these; 16-bit RGB(A)
# and gray-with-alpha PNGs open as 8-bit RGBA (Pillow keeps the high byte), 16-bit grayscale
# as I;16 ("I" in older Pillows, a PNG's 32-bit int mode holding 16-bit values).
_EIGHT_BIT = ("1", "L", "P", "LA", "PA", "RGB", "RGBA", "RGBX", "RGBa", "CMYK", "YCbCr")
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")


def _full_scale(picture: Any, path: Path) -> int:
    """The value of white in `picture`'s mode (255 or 65535); other modes are refused."""
    if picture.mode in _EIGHT_BIT:
        return 255
    if picture.mode in _SIXTEEN_BIT or (picture.mode == "I" and picture.format == "PNG"):
        return 65535
    raise ValueError(
        f"{path}: cannot read the image: Pillow mode {picture.mode!r} ({picture.format}) has no "
        f"known full scale; ImageFolder reads 8-bit pictures ({', '.join(_EIGHT_BIT)}) and "
        "16-bit grayscale PNGs"
    )


def _image_files(folder: Path, root: Path) -> list[Path]:
    """The PNG and JPEG files under `folder`, at any depth, in sorted order.

    Links are followed, but no directory is entered twice (nor `root`, the folder of the
    classes), so a link back up the tree cannot loop; only regular files count, so a FIFO
    or a device with a picture's name is never opened.
    """
    seen = {_identity(root)}
    found = []
    for directory, subdirs, files in os.walk(folder, followlinks=True):
        key = _identity(Path(directory))
        if key in seen:
            subdirs.clear()
            continue
        seen.add(key)
        subdirs.sort()
        found += [Path(directory) / f for f in sorted(files)
                  if f.lower().endswith(EXTENSIONS) and not f.startswith(".")
                  and _is_regular(Path(directory) / f)]
    return found


def _identity(directory: Path) -> tuple[int, int]:
    """(device, inode): the same for every path that leads to one directory."""
    info = directory.stat()
    return info.st_dev, info.st_ino


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:  # a dangling link
        return False


def _open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, refused unless it is a regular file.

    Opened without blocking, then checked: a FIFO or a device that took a picture's place
    since the scan is refused instead of waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise ValueError(f"{path}: cannot read the image: {err}") from None
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        raise ValueError(f"{path}: cannot read the image: not a regular file")
    return file


class ImageFolder(Dataset):
    """A labelled image set stored as `root/<class>/<picture>.png|.jpg|.jpeg`.

    Class names are the sub-folders' names in sorted order, and a picture's label is the
    index of its folder's name (pictures may sit in deeper folders too). Files whose names do
    not end in `.png`, `.jpg` or `.jpeg` (any case) are skipped, as are hidden files and
    anything but regular files (FIFOs, devices). Links are followed, but no folder is entered
    twice, nor `root`, so a link back up the tree adds nothing. The folder is scanned when the
    object is made; the pictures are read when asked for: one by `folder[i]` (an
    `(image, label)` sample, the image a float32 tensor `(C, H, W)` in [0, 1]), a batch at a
    time by a `DataLoader` (whose `num_workers` threads read pictures in parallel), all of them
    by `arrays()`.

    Needs Pillow, the optional extra `images`: `pip install "tinygrad_cnn[images]"`.

    Args:
        root: the directory holding one sub-folder per class.
        size: `(H, W)` (or one int for a square) every picture is resized to, bilinearly;
            None keeps each picture's size, which must then be the same for all.
        grayscale: read pictures as one luminance channel instead of RGB (an alpha channel
            is dropped either way).

    Attributes:
        classes: the class names, sorted.
        class_to_idx: each class name's label.
        samples: `(path, label)` for every picture, class by class, in sorted order.

    Raises:
        FileNotFoundError: when `root` is not a directory or holds no picture.
        ValueError: when `size` is not positive (a TypeError when it is not an int or ints).
        ImportError: when Pillow is not installed.

    Examples:
        >>> folder = ImageFolder("pictures", size=(28, 28), grayscale=True)  # doctest: +SKIP
        >>> x, y = folder.arrays()                                           # doctest: +SKIP
        >>> x.shape, folder.classes                                          # doctest: +SKIP
        ((120, 1, 28, 28), ['cat', 'dog'])
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        size: int | tuple[int, int] | None = None,
        grayscale: bool = False,
    ):
        self.root = Path(root)
        self.size = None if size is None else positive_pair("ImageFolder", "size", size)
        self.grayscale = grayscale
        _pillow()  # fail now, not after scanning, when Pillow is missing
        if not self.root.is_dir():
            raise FileNotFoundError(f"ImageFolder: {self.root} is not a directory")
        self.classes = sorted(d.name for d in self.root.iterdir()
                              if d.is_dir() and not d.name.startswith("."))
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.samples = [(path, label) for label, name in enumerate(self.classes)
                        for path in _image_files(self.root / name, self.root)]
        if not self.samples:
            raise FileNotFoundError(
                f"ImageFolder: {self.root} has no .png, .jpg or .jpeg file in a class "
                f"sub-folder (found folders: {self.classes or 'none'})"
            )

    def __len__(self) -> int:
        """The number of pictures."""
        return len(self.samples)

    def _read(self, path: Path, image_module: ModuleType) -> np.ndarray:
        """One picture as float32 `(C, H, W)` in [0, 1], converted and resized."""
        with _open_regular(path) as file:
            # Pillow reports a broken file as any of these, depending on the codec.
            broken = (OSError, ValueError, SyntaxError, image_module.DecompressionBombError)
            try:
                picture = image_module.open(file)
            except broken as err:
                raise ValueError(f"{path}: cannot read the image: {err}") from None
            with picture:
                full_scale = _full_scale(picture, path)
                try:
                    pixels = self._pixels(picture, full_scale, image_module)
                except broken as err:
                    raise ValueError(f"{path}: cannot read the image: {err}") from None
        pixels = pixels[:, :, None] if pixels.ndim == 2 else pixels
        if pixels.shape[2] == 1 and not self.grayscale:
            pixels = np.repeat(pixels, 3, axis=2)  # gray as RGB, as Pillow's convert("RGB")
        return pixels.transpose(2, 0, 1) / np.float32(full_scale)

    def _pixels(self, picture: Any, full_scale: int, image_module: ModuleType) -> np.ndarray:
        """The picture's values (H, W[, C]) as read: 8-bit as uint8, 16-bit as float32."""
        if full_scale == 255:
            picture = picture.convert("L" if self.grayscale else "RGB")
        else:
            picture = picture.convert("F")  # every one of the 65,536 levels, and resizable
        if self.size is not None and picture.size != self.size[::-1]:
            picture = picture.resize(self.size[::-1], image_module.Resampling.BILINEAR)
        return np.asarray(picture, dtype=np.uint8 if full_scale == 255 else np.float32)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        """Picture `index` as float32 `(C, H, W)` in [0, 1], and its label."""
        path, label = self.samples[index]
        return Tensor(self._read(path, _pillow())), label

    def get_batch(self, index: Index) -> list[Tensor]:
        """The pictures at `index` as float32 `(B, C, H, W)` in [0, 1], and their labels."""
        x, y = self._stack([self.samples[int(i)] for i in positions(index, len(self))])
        return [Tensor(x), Tensor(y)]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Read every picture: images float32 `(N, C, H, W)` in [0, 1], labels int64 `(N,)`.

        C is 1 with `grayscale=True`, else 3. Each picture is divided by its own full scale:
        255 for 8-bit pictures, 65,535 for 16-bit grayscale PNGs.

        Raises:
            ValueError: when a picture cannot be read or has a Pillow mode other than 8-bit
                or 16-bit (the message names the file), or when `size` is None and two
                pictures differ in size.
        """
        return self._stack(self.samples)

    def _stack(self, samples: list[tuple[Path, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The pictures of `samples` read into one array, and their labels."""
        image_module = _pillow()
        if self.size is not None:
            channels = 1 if self.grayscale else 3
            check_memory("ImageFolder", f"size={self.size} ({len(samples)} pictures of "
                         f"{channels} x {self.size[0]} x {self.size[1]} float32 values)",
                         len(samples) * channels * self.size[0] * self.size[1] * 4)
        x = None
        for i, (path, _) in enumerate(samples):
            pixels = self._read(path, image_module)
            if x is None:
                x = np.empty((len(samples), *pixels.shape), dtype=np.float32)
            elif pixels.shape != x.shape[1:]:
                raise ValueError(
                    f"ImageFolder: {path} is {pixels.shape[2]}x{pixels.shape[1]} but "
                    f"{samples[0][0]} is {x.shape[3]}x{x.shape[2]}; "
                    "pass size=(H, W) to resize them all"
                )
            x[i] = pixels
        return x, np.array([label for _, label in samples], dtype=np.int64)

    def __repr__(self) -> str:
        return (f"ImageFolder({str(self.root)!r}, size={self.size}, grayscale={self.grayscale}, "
                f"classes={len(self.classes)}, samples={len(self.samples)})")
