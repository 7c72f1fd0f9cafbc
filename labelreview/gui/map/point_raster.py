"""Many map points as one image: each visible point a small square of its colour, drawn in numpy.

A scatter item draws every point on every frame (60,000 points: 11.5 ms); a million would take a second. The
raster is drawn once for a region around the view, then only moved while the curator pans, and drawn again when
the view settles.
"""

import numpy as np

DOT = 3  # pixels a side


def rasterize(layout: np.ndarray, colours: np.ndarray, shown: np.ndarray, region: tuple[float, float, float, float],
              size: tuple[int, int]) -> np.ndarray:
    """The points of ``layout`` (N, 2) that are ``shown`` (N,) and inside ``region`` (x0, y0, x1, y1), each a
    DOT-pixel square of its RGBA ``colours`` (N, 4) uint8, later points over earlier ones.

    Returns
    -------
    np.ndarray of uint8, shape (width, height, 4)
        Indexed [x, y], y upwards (pyqtgraph's ImageItem order); transparent where there is no point.
    """
    width, height = size
    x0, y0, x1, y1 = region
    image = np.zeros((width, height, 4), np.uint8)
    chosen = np.flatnonzero(shown & within(layout, region))
    if not len(chosen) or x1 <= x0 or y1 <= y0:
        return image
    x = ((layout[chosen, 0] - x0) * ((width - 1) / (x1 - x0))).astype(np.int64) - DOT // 2
    y = ((layout[chosen, 1] - y0) * ((height - 1) / (y1 - y0))).astype(np.int64) - DOT // 2
    colour = colours[chosen]
    for dx in range(DOT):
        for dy in range(DOT):
            image[np.clip(x + dx, 0, width - 1), np.clip(y + dy, 0, height - 1)] = colour
    return image


def within(layout: np.ndarray, region: tuple[float, float, float, float]) -> np.ndarray:
    """Which points of ``layout`` (N, 2) lie in ``region`` (x0, y0, x1, y1), edges included, shape (N,)."""
    x0, y0, x1, y1 = region
    return (layout[:, 0] >= x0) & (layout[:, 0] <= x1) & (layout[:, 1] >= y0) & (layout[:, 1] <= y1)
