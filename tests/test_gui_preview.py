"""The detail panel shows the file itself: full resolution, fit or 1:1, its size in pixels, read off the GUI thread."""

import numpy as np
import pytest
from PIL import Image

from labelreview.core.data.images import decode_full_image
from tests.test_gui_window import open_in


@pytest.fixture
def photo_folder(tmp_path):
    """Two classes of 640 x 480 colour images with a gradient (any resampling would change pixels)."""
    y, x = np.mgrid[0:480, 0:640]
    for name in ("day", "night"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for n in range(3):
            pixels = np.stack([x % 256, y % 256, np.full_like(x, 60 * n)], axis=-1).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "photos" / name / f"{n}.png")
    return tmp_path / "photos"


def test_full_image_keeps_size_rotation_and_colour(tmp_path):
    tall = np.zeros((30, 20, 3), np.uint8)
    tall[:5] = 255  # a white band on top
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    Image.fromarray(tall).save(tmp_path / "r.png", exif=exif)
    shown = decode_full_image(tmp_path / "r.png")
    assert shown.shape == (20, 30, 3) and shown[:, -5:].min() > 200  # the band is now on the right
    Image.new("LA", (7, 5), (0, 0)).save(tmp_path / "clear.png")
    assert decode_full_image(tmp_path / "clear.png").shape == (5, 7, 1)
    assert decode_full_image(tmp_path / "clear.png").min() == 255  # transparency on white


def test_preview_shows_the_file_at_full_resolution_fit_and_one_to_one(qtbot, window, photo_folder):
    session = open_in(qtbot, window, str(photo_folder))
    preview = window.review.detail.view
    qtbot.waitUntil(lambda: preview.size.text() == "640 \u00d7 480 px", timeout=30_000)
    assert session.dataset.image_shape[0] <= 64  # the grid's thumbnails are model inputs; the preview is not
    shown = preview.pixmap.toImage()
    expected = decode_full_image(photo_folder / session.dataset.path(window.review.current_position()))
    assert (shown.width(), shown.height()) == (640, 480)
    assert shown.pixelColor(300, 200).getRgb()[:3] == tuple(expected[200, 300])
    fitted = preview.canvas.pixmap().size()
    room = preview.scroll.viewport().size()
    assert fitted.width() <= room.width() and fitted.height() <= room.height() and fitted.width() < 640
    preview.actual.click()
    assert preview.canvas.pixmap().size() == shown.size() and preview.scroll.horizontalScrollBar().maximum() > 0
    preview.fit.click()
    assert preview.canvas.pixmap().size() == fitted


def test_preview_says_when_the_file_is_gone(qtbot, window, photo_folder):
    session = open_in(qtbot, window, str(photo_folder))
    (photo_folder / session.dataset.path(int(window.review.model.positions[1]))).unlink()
    window.review._select_row(1)
    preview = window.review.detail.view
    qtbot.waitUntil(lambda: preview.canvas.text() == "Could not read the image: file not found", timeout=30_000)
    assert preview.size.text() == ""
