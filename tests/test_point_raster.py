"""The image a large map draws its points into."""

import numpy as np

from labelreview.gui.map.point_raster import DOT, rasterize


def test_each_shown_point_is_a_dot_of_its_colour_where_it_lies_and_later_points_cover_earlier():
    layout = np.array([[0.0, 0.0], [10.0, 10.0], [10.0, 10.0], [5.0, 2.0], [50.0, 50.0]])
    colours = np.array([[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [9, 9, 9, 255], [1, 1, 1, 255]],
                       np.uint8)
    shown = np.array([True, True, True, False, True])
    image = rasterize(layout, colours, shown, (0.0, 0.0, 10.0, 10.0), (11, 11))
    assert image.shape == (11, 11, 4)
    assert (image[0, 0] == colours[0]).all() and (image[10, 10] == colours[2]).all()  # blue drawn after green
    assert not image[5, 2, 3] and not (image == 1).all(axis=2).any()  # hidden, and outside the region: not drawn
    assert (image[..., 3] > 0).sum() == 2 * (DOT // 2 + 1) ** 2  # two dots, cut by the image's edges
