"""ImageFolder: a directory with one sub-folder of PNG/JPEG pictures per class, read with Pillow."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import numpy as np

from tinygrad_cnn.arguments import positive_pair

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


def _image_files(folder: Path) -> list[Path]:
    """The PNG and JPEG files under `folder`, at any depth, in sorted order."""
    found = []
    for directory, subdirs, files in os.walk(folder, followlinks=True):
        subdirs.sort()
        found += [Path(directory) / f for f in sorted(files)
                  if f.lower().endswith(EXTENSIONS) and not f.startswith(".")]
    return found


class ImageFolder:
    """A labelled image set stored as `root/<class>/<picture>.png|.jpg|.jpeg`.

    Class names are the sub-folders' names in sorted order, and a picture's label is the
    index of its folder's name (pictures may sit in deeper folders too). Files whose names do
    not end in `.png`, `.jpg` or `.jpeg` (any case) are skipped, as are hidden files. The
    folder is scanned when the object is made; the pictures are read by `arrays()`.

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
                        for path in _image_files(self.root / name)]
        if not self.samples:
            raise FileNotFoundError(
                f"ImageFolder: {self.root} has no .png, .jpg or .jpeg file in a class "
                f"sub-folder (found folders: {self.classes or 'none'})"
            )

    def __len__(self) -> int:
        """The number of pictures."""
        return len(self.samples)

    def _read(self, path: Path, image_module: ModuleType) -> np.ndarray:
        """One picture as uint8 (H, W, C), converted and resized."""
        try:
            with image_module.open(path) as picture:
                picture = picture.convert("L" if self.grayscale else "RGB")
                if self.size is not None and picture.size != self.size[::-1]:
                    picture = picture.resize(self.size[::-1], image_module.Resampling.BILINEAR)
                pixels = np.asarray(picture, dtype=np.uint8)
        except (OSError, ValueError, SyntaxError, image_module.DecompressionBombError) as err:
            # Pillow reports a broken file as any of these, depending on the codec.
            raise ValueError(f"{path}: cannot read the image: {err}") from None
        return pixels[:, :, None] if pixels.ndim == 2 else pixels

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Read every picture: images float32 `(N, C, H, W)` in [0, 1], labels int64 `(N,)`.

        C is 1 with `grayscale=True`, else 3.

        Raises:
            ValueError: when a picture cannot be read (the message names the file), or when
                `size` is None and two pictures differ in size.
        """
        image_module = _pillow()
        pictures = []
        for path, _ in self.samples:
            pixels = self._read(path, image_module)
            if pictures and pixels.shape != pictures[0].shape:
                raise ValueError(
                    f"ImageFolder: {path} is {pixels.shape[1]}x{pixels.shape[0]} but "
                    f"{self.samples[0][0]} is {pictures[0].shape[1]}x{pictures[0].shape[0]}; "
                    "pass size=(H, W) to resize them all"
                )
            pictures.append(pixels)
        x = np.stack(pictures).transpose(0, 3, 1, 2).astype(np.float32)
        x /= 255.0
        return x, np.array([label for _, label in self.samples], dtype=np.int64)

    def __repr__(self) -> str:
        return (f"ImageFolder({str(self.root)!r}, size={self.size}, grayscale={self.grayscale}, "
                f"classes={len(self.classes)}, samples={len(self.samples)})")
