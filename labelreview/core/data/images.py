"""Decode one image file into a model input (fixed square size, 1 or 3 channels), or whole for a person to see."""

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MAX_PIXELS = 40_000_000  # decompression-bomb guard: refuse larger images outright
MAX_SIDE = 64  # model inputs never exceed 64 x 64
MIN_SIDE = 8
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
SAMPLE_SIZE = 200
ORIENTATION, TURNED = 0x0112, frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
REDUCIBLE_MODES = frozenset({"L", "LA", "RGB", "RGBA", "RGBX"})
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)  # MAX_PIXELS refuses them first


@dataclass(frozen=True)
class Geometry:
    """Model input shape: ``side`` x ``side`` pixels, ``channels`` 1 (gray) or 3 (RGB)."""

    side: int
    channels: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.side, self.side, self.channels)


def is_image_name(name: str) -> bool:
    """True for the name of a visible file with a supported extension, in any case."""
    return name.lower().endswith(IMAGE_ENDINGS) and not name.startswith(".")


def choose_geometry(root: Path, relpaths: list[str]) -> Geometry:
    """Pick the input size and channels from the headers of up to 200 evenly spaced files ``root / relpath``.

    Side: the median longest edge, clipped to 8..64. Channels: 1 when every
    sampled image is grayscale, else 3. ``ValueError`` naming the first file when no sampled header can be read.
    """
    step = max(1, len(relpaths) // SAMPLE_SIZE)
    sides, gray, first_failure = [], True, None
    for path in (root / relpath for relpath in relpaths[::step][:SAMPLE_SIZE]):
        try:
            with Image.open(path) as image:
                sides.append(max(image.size))
                gray &= image.mode in GRAY_MODES or _is_gray_palette(image)
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            first_failure = first_failure or f"{path}, {describe_failure(error)}"
            continue
    if not sides:
        raise ValueError(f"none of the {min(len(relpaths), SAMPLE_SIZE):,} images{' sampled' * (step > 1)} could be "
                         f"read (the first: {first_failure})")
    return Geometry(int(np.clip(np.median(sides), MIN_SIDE, MAX_SIDE)), 1 if gray else 3)


@dataclass(frozen=True)
class Decoded:
    """An image file decoded once, for every size made from it: ``image`` upright (EXIF rotation applied) at its
    file's size or, for a large JPEG, at the reduced scale asked for; ``size`` the file's full (width, height),
    upright; ``gray`` whether it is grayscale."""

    image: Image.Image
    size: tuple[int, int]
    gray: bool
    _views: dict = field(default_factory=dict, repr=False)

    def view(self, side: int, mode: str) -> Image.Image:
        """``image`` box-averaged down towards twice ``side`` (:func:`_shrink_factor`) and in ``mode`` (``L`` or ``RGB``,
        transparency flattened onto white); made once for every size and mode that comes to the same pixels."""
        factor = _shrink_factor(self.image, side)
        if (factor, mode) not in self._views:
            self._views[factor, mode] = _to_mode(self.image.reduce(factor) if factor > 1 else self.image, mode)
        return self._views[factor, mode]


def decode_once(path: Path, side: int, mode: str | None = None) -> Decoded:
    """Decode ``path`` for pixels of at most about ``side`` x ``side``: JPEGs at the smallest scale still at
    least that large, in ``mode`` (``L`` or ``RGB``; default: ``L`` for grayscale images, else ``RGB``).

    Raises ``OSError`` or ``ValueError`` with a readable message for files that cannot be used.
    """
    with _open_checked(path) as image:
        width, height = image.size
        if image.getexif().get(ORIENTATION, 1) in TURNED:
            width, height = height, width
        gray = image.mode in GRAY_MODES or _is_gray_palette(image)
        image.draft(mode or ("L" if gray else "RGB"), (side, side))
        ImageOps.exif_transpose(image, in_place=True)  # loads the pixels (a copy of them when none is needed)
        return Decoded(image, (width, height), gray)


def drafted_size(path: Path, side: int) -> tuple[int, int]:
    """The (width, height) :func:`decode_once` decodes ``path`` at for ``side``, before rotation: a JPEG's reduced
    scale, else the file's own size. Reads only the header."""
    with Image.open(path) as image:
        image.draft(None, (side, side))
        return image.size


def decode_image(path: Path, geometry: Geometry) -> np.ndarray:
    """Read ``path`` as a (side, side, channels) uint8 array: :func:`model_input` of the file."""
    return model_input(decode_once(path, geometry.side, "L" if geometry.channels == 1 else "RGB"), geometry)


def model_input(decoded: Decoded, geometry: Geometry) -> np.ndarray:
    """``decoded`` (any PIL mode, any size) as a (side, side, channels) uint8 array.

    Transparency is flattened onto white, 16-bit images are scaled to 8 bits, and the image is fitted into the
    square with its aspect ratio kept (black bars).
    """
    image = decoded.view(geometry.side, "L" if geometry.channels == 1 else "RGB")
    return np.asarray(fit_square(image, geometry.side), dtype=np.uint8).reshape(geometry.shape)


def inspection_view(decoded: Decoded, side: int) -> Image.Image:
    """``decoded`` for judging its quality: in ``L`` or ``RGB`` with sides near ``side`` or less.

    Large images are box-averaged down; transparency is flattened onto white.
    """
    return decoded.view(side // 2, "L" if decoded.gray else "RGB")


def decode_full_image(path: Path) -> np.ndarray:
    """Read ``path`` whole, as a person sees it: (H, W, 1 or 3) uint8 at the file's own size.

    EXIF rotation is applied and transparency flattened onto white, as for
    model inputs, but nothing is resized or padded. Raises ``OSError`` or
    ``ValueError`` for files that cannot be used.
    """
    with _open_checked(path) as image:
        image = ImageOps.exif_transpose(image)
        gray = image.mode in GRAY_MODES or _is_gray_palette(image)
        pixels = np.asarray(_to_mode(image, "L" if gray else "RGB"), dtype=np.uint8)
    return pixels.reshape(*pixels.shape[:2], 1 if gray else 3)


def _open_checked(path: Path) -> Image.Image:
    """``Image.open(path)``, refusing empty files and images over MAX_PIXELS before any pixel is decoded."""
    if path.stat().st_size == 0:
        raise ValueError("empty file")
    image = Image.open(path)
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ValueError(f"image too large ({width} x {height} pixels)")
    return image


def to_image(pixels: np.ndarray) -> Image.Image:
    """A PIL image of one model input (H, W, 1 or 3) uint8."""
    return Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)


def describe_failure(error: Exception) -> str:
    """One line saying why a file could not be decoded."""
    if isinstance(error, FileNotFoundError):
        return "file not found"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "cannot identify image file" in text:
        return "not an image or corrupt"
    return text


def fit_square(image: Image.Image, side: int) -> Image.Image:
    """``image`` resized into a ``side`` x ``side`` square, aspect ratio kept, with black bars."""
    return ImageOps.pad(image, (side, side), Image.Resampling.BILINEAR, color=0)


def content_box(pixels: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns of a model input (H, W, C) that hold the image, without the black bars
    :func:`fit_square` added: all-black rows (or columns) of equal height at both ends, to a pixel, while the image
    reaches the other two edges. Anything else is the image whole (MNIST's black margins on all sides, say)."""
    whole = slice(None), slice(None)
    rows, columns = pixels.any(axis=(1, 2)), pixels.any(axis=(0, 2))
    if not rows.any():
        return whole
    (top, bottom), (left, right) = (_lit_span(rows), _lit_span(columns))
    if 0 < top and abs(top - (len(rows) - bottom)) <= 1 and (left, right) == (0, len(columns)):
        return slice(top, bottom), slice(None)
    if 0 < left and abs(left - (len(columns) - right)) <= 1 and (top, bottom) == (0, len(rows)):
        return slice(None), slice(left, right)
    return whole


def _lit_span(lit: np.ndarray) -> tuple[int, int]:
    """First and one past the last True of ``lit`` (n,), which has one."""
    return int(np.argmax(lit)), len(lit) - int(np.argmax(lit[::-1]))


def _shrink_factor(image: Image.Image, side: int) -> int:
    """The factor to box-average a much larger image down by, to at least twice ``side``, before converting and
    resizing it: those cost most of the decoding time of large PNGs at full size (benchmarks/). 1: none."""
    factor = min(image.size) // (2 * side)
    return factor if factor >= 2 and image.mode in REDUCIBLE_MODES else 1


def _to_mode(image: Image.Image, mode: str) -> Image.Image:
    """Convert any PIL mode to ``L`` or ``RGB``."""
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        scale = 257.0 if values.max(initial=0) > 255 else 1.0
        image = Image.fromarray(np.clip(values / scale, 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return image.convert(mode)


def _is_gray_palette(image: Image.Image) -> bool:
    if image.mode != "P":
        return False
    palette = np.asarray(image.getpalette() or [], dtype=np.int32).reshape(-1, 3)
    return bool(np.all(palette[:, 0] == palette[:, 1]) and np.all(palette[:, 1] == palette[:, 2]))
