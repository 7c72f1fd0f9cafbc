"""Image folders: formats, modes, odd files, and the decoded-image disk cache."""

import os

import numpy as np
import pytest
from PIL import Image

from labelreview.core.data import images, pixel_cache
from labelreview.core.data.images import Geometry, decode_image
from labelreview.core.data.pixel_cache import decoded
from labelreview.core.data.sources import open_source
from labelreview.core.errors import DataError


def test_digit_folder_loads_in_class_order(digit_folder):
    dataset = open_source(str(digit_folder))
    assert dataset.class_names == tuple(str(d) for d in range(10))
    assert len(dataset) == 300 and dataset.image_shape == (28, 28, 1)
    assert np.bincount(dataset.labels).tolist() == [30] * 10
    assert dataset.path(0) == "0/0.png" and dataset.path(299) == "9/29.png"
    assert dataset.paths.index("0/10.png") > dataset.paths.index("0/9.png")  # natural order
    assert decoded(dataset).images().dtype == np.uint8


def test_opening_decodes_nothing_and_a_thumbnail_decodes_its_own_file(digit_folder, monkeypatch):
    read = []
    real = images.decode_once
    monkeypatch.setattr(images, "decode_once", lambda path, *args: read.append(path) or real(path, *args))
    dataset = open_source(str(digit_folder))
    assert dataset.pixels is None and read == []
    with pytest.raises(ValueError, match="not decoded"):
        dataset.images()
    thumbnail = dataset.thumbnail(dataset.paths.index("3/7.png"))
    assert read == [digit_folder / "3" / "7.png"]
    assert np.array_equal(thumbnail, decoded(dataset).images()[dataset.paths.index("3/7.png")])


def test_mixed_formats_modes_and_odd_files(tmp_path):
    root = tmp_path / "mixed folder ü"
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)
    cats, dogs = root / "cat", root / "dog" / "nested"
    cats.mkdir(parents=True)
    dogs.mkdir(parents=True)
    Image.fromarray(rgb).save(cats / "a.png")
    Image.fromarray(rgb).save(cats / "b.JPG")
    Image.fromarray(rgb).convert("RGBA").save(cats / "c.webp")
    Image.fromarray(rgb).convert("P").save(cats / "d.gif")
    Image.fromarray(rgb).save(dogs / "e.BMP")
    Image.fromarray((rgb[..., 0].astype(np.uint16) * 257)).save(dogs / "f.tif")
    Image.fromarray(rgb).save(dogs / "g.jpeg")
    (dogs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (dogs / "empty.png").write_bytes(b"")
    (dogs / "notes.txt").write_text("not an image")
    (cats / ".hidden.png").write_bytes(b"")
    (root / ".thumbnails").mkdir()
    Image.fromarray(rgb).save(root / ".thumbnails" / "x.png")

    opened = open_source(str(root))
    assert opened.class_names == ("cat", "dog")
    assert opened.image_shape == (40, 40, 3)  # colour kept, aspect padded into a square
    assert len(opened) == 9 and not opened.skipped  # unreadable files are found by decoding them
    dataset = decoded(opened)
    assert sorted(dataset.paths) == ["cat/a.png", "cat/b.JPG", "cat/c.webp", "cat/d.gif",
                                     "dog/nested/e.BMP", "dog/nested/f.tif", "dog/nested/g.jpeg"]
    assert open_source(str(root)).paths == dataset.paths  # then known when opened again
    assert {s.path: s.reason for s in dataset.skipped} == {
        "dog/nested/broken.png": "not an image or corrupt", "dog/nested/empty.png": "empty file"}
    png = dataset.images()[dataset.paths.index("cat/a.png")]
    assert np.all(png[:, :5] == 0) and np.array_equal(png[:, 5:35], rgb)  # letterboxed, pixels exact


def test_decode_handles_exif_rotation_and_16_bit(tmp_path):
    tall = np.zeros((20, 10), dtype=np.uint8)
    tall[:, :5] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    Image.fromarray(tall).save(tmp_path / "r.jpg", exif=exif, quality=100)
    rotated = decode_image(tmp_path / "r.jpg", Geometry(20, 1))[..., 0]
    assert rotated[5:15].mean() > 100 and rotated[:5].max() < 30  # now wide: bars top and bottom
    Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16)).save(tmp_path / "w.png")
    assert decode_image(tmp_path / "w.png", Geometry(8, 1)).min() == 255


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    from labelreview.core.data import images

    Image.new("L", (100, 100)).save(tmp_path / "big.png")
    monkeypatch.setattr(images, "MAX_PIXELS", 5000)
    with pytest.raises(ValueError, match="too large"):
        decode_image(tmp_path / "big.png", Geometry(16, 1))


def test_second_open_maps_the_cache_without_decoding(digit_folder, monkeypatch):
    first = decoded(open_source(str(digit_folder)))

    def no_decoding(*args):
        raise AssertionError("decoded again")

    monkeypatch.setattr(pixel_cache, "decode_image", no_decoding)
    second = open_source(str(digit_folder))
    assert isinstance(second.pixels, np.memmap)
    assert np.array_equal(first.images(), second.images())


def test_changed_file_alone_is_decoded_again(digit_folder, monkeypatch):
    decoded(open_source(str(digit_folder)))
    changed = digit_folder / "3" / "0.png"
    Image.new("L", (28, 28), 255).save(changed)
    os.utime(changed, ns=(1, 1))
    read = []
    real = pixel_cache.decode_image
    monkeypatch.setattr(pixel_cache, "decode_image", lambda path, g: read.append(path) or real(path, g))
    opened = open_source(str(digit_folder))
    assert opened.pixels is None and read == []  # the cache lacks a file: opening maps nothing
    dataset = pixel_cache.decoded(opened)
    assert read == [changed]
    assert dataset.images()[dataset.paths.index("3/0.png")].min() == 255


def test_limit_keeps_the_first_examples_in_source_order(digit_folder):
    dataset = open_source(str(digit_folder), limit=45)
    assert len(dataset) == 45 and dataset.path(44) == "1/14.png"


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "cat").mkdir()
    with pytest.raises(DataError, match="no images found"):
        open_source(str(tmp_path))


def test_unreadable_everything_is_a_clear_error(tmp_path):
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "x.png").write_bytes(b"junk")
    with pytest.raises(DataError, match="none of the 1 images could be read"):
        open_source(str(tmp_path))


def test_the_black_bars_of_a_squared_image_are_cut_for_the_tiles_and_nothing_else():
    """Issue 23, item 19: a tile shows the image, not the bars that made it square for the model."""
    from PIL import Image

    from labelreview.core.data.images import content_box, fit_square

    wide = np.full((20, 60, 3), 255, np.uint8)  # a white-backed glyph, three times as wide as tall
    wide[5:15, 10:50] = 0
    square = np.asarray(fit_square(Image.fromarray(wide), 64))
    rows, columns = content_box(square)
    assert (rows.start, rows.stop, columns) == (22, 43, slice(None))  # 64 x 21 of image between two bars
    assert not square[:22].any() and not square[43:].any() and square[rows].any(axis=(1, 2)).all()
    tall = np.ascontiguousarray(square.transpose(1, 0, 2))
    assert content_box(tall) == (slice(None), slice(22, 43))
    digit = np.zeros((28, 28, 1), np.uint8)  # MNIST: black margins all round are the image's own
    digit[6:22, 10:18] = 200
    assert content_box(digit) == (slice(None), slice(None))
    assert content_box(np.zeros((8, 8, 3), np.uint8)) == (slice(None), slice(None))
