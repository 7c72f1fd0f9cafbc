"""Health charts as matplotlib figures (no pyplot, no Qt): drawn in the window and in the HTML report."""

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from labelreview.core.findings.health import Health

MAX_CLASSES = 30  # more classes than this: charts show the most troubled ones


@dataclass(frozen=True)
class Theme:
    """Colours that stay legible on a light or a dark window."""

    background: str
    text: str
    grid: str
    series: tuple[str, str, str]

    @classmethod
    def for_dark(cls, dark: bool) -> "Theme":
        if dark:
            return cls("#1e1e1e", "#e6e6e6", "#444444", ("#64b5f6", "#ffb74d", "#81c784"))
        return cls("#ffffff", "#202020", "#dddddd", ("#1565c0", "#ef6c00", "#2e7d32"))


def shown_classes(health: Health) -> np.ndarray:
    """Class indices to draw: all, or the MAX_CLASSES with the most off-diagonal confusion."""
    k = len(health.class_names)
    if k <= MAX_CLASSES:
        return np.arange(k)
    confusion = health.analysis.confusion
    trouble = confusion.sum(0) + confusion.sum(1) - 2 * np.diag(confusion)
    return np.sort(np.argsort(-trouble, kind="stable")[:MAX_CLASSES])


def _figure(theme: Theme, width: float, height: float) -> tuple[Figure, object]:
    figure = Figure(figsize=(width, height), dpi=100, facecolor=theme.background, layout="constrained")
    axes = figure.add_subplot()
    axes.set_facecolor(theme.background)
    axes.tick_params(colors=theme.text, labelsize=9)
    for spine in axes.spines.values():
        spine.set_color(theme.grid)
    return figure, axes


def _legend(axes, theme: Theme, **placement) -> None:
    legend = axes.legend(frameon=False, fontsize=9, **placement)
    for text in legend.get_texts():
        text.set_color(theme.text)


def class_quality_figure(health: Health, theme: Theme) -> Figure:
    """Per class: label noise and inverse label noise as bars, the label quality score as text; worst on top."""
    table = health.analysis.class_quality.head(MAX_CLASSES).iloc[::-1]
    figure, axes = _figure(theme, 6.0, max(3.0, 0.34 * len(table) + 1.4))
    y = np.arange(len(table))
    for offset, column, colour in ((0.2, "Label Noise", theme.series[1]),
                                   (-0.2, "Inverse Label Noise", theme.series[0])):
        axes.barh(y + offset, table[column], height=0.38, color=colour, label=column.lower())
    top = max(0.01, float(table[["Label Noise", "Inverse Label Noise"]].to_numpy().max()) * 1.35)
    axes.set_xlim(0, top)
    for row, quality in zip(y, table["Label Quality Score"]):
        axes.text(top * 0.98, row, f"quality {quality:.3f}", ha="right", va="center", fontsize=8, color=theme.text)
    axes.set_yticks(y, [str(name) for name in table["Class Name"]])
    axes.set_xlabel("share of the class's labels (noise: given here, truly other; inverse: the reverse)",
                    color=theme.text, fontsize=8)
    axes.set_title("Label quality per class (worst on top)", color=theme.text, fontsize=11)
    axes.grid(axis="x", color=theme.grid, linewidth=0.5)
    _legend(axes, theme, loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=2)
    return figure


def confusion_figure(health: Health, theme: Theme, *, clickable: bool = False) -> tuple[Figure, np.ndarray]:
    """Given (rows) x predicted (columns) counts as a heat map; returns the figure and the classes drawn.

    ``clickable``: drawn in the window, where a click on a cell shows its images (the title says so).
    """
    classes = shown_classes(health)
    title = "Given x predicted" + (" (click a cell to see those images)" if clickable else "")
    figure = heat_map_figure(health.analysis.confusion[np.ix_(classes, classes)],
                             [health.class_names[k] for k in classes], theme, title, "given label")
    return figure, classes


def heat_map_figure(counts: np.ndarray, names: list[str], theme: Theme, title: str, rows: str) -> Figure:
    """Counts (K, K) as a heat map on a log scale, written in the cells when K <= 15."""
    side = max(4.0, 0.38 * len(names) + 1.5)
    figure, axes = _figure(theme, side + 0.8, side)
    colours = LinearSegmentedColormap.from_list("counts", [theme.background, theme.series[0]])
    image = axes.imshow(np.log1p(counts), cmap=colours, aspect="equal")
    image.set_clim(0, max(1.0, float(np.log1p(counts).max())))
    axes.set_xticks(range(len(names)), names, rotation=_tick_rotation(names))
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("predicted label", color=theme.text)
    axes.set_ylabel(rows, color=theme.text)
    axes.set_title(title, color=theme.text, fontsize=11)
    if len(names) <= 15:
        threshold = np.log1p(counts).max() * 0.6
        for (row, column), count in np.ndenumerate(counts):
            if count:
                axes.text(column, row, f"{count:,}", ha="center", va="center", fontsize=8,
                          color=theme.background if np.log1p(count) > threshold else theme.text)
    return figure


def distribution_figure(health: Health, theme: Theme) -> Figure:
    """Examples per class under the given labels and under the model's predictions."""
    classes = shown_classes(health)
    figure, axes = _figure(theme, 6.0, 3.2)
    x = np.arange(len(classes))
    axes.bar(x - 0.2, health.given_counts[classes], width=0.4, color=theme.series[0], label="given")
    axes.bar(x + 0.2, health.predicted_counts[classes], width=0.4, color=theme.series[1], label="predicted")
    names = [health.class_names[k] for k in classes]
    axes.set_xticks(x, names, rotation=_tick_rotation(names))
    axes.set_title("Label distribution", color=theme.text, fontsize=11)
    axes.grid(axis="y", color=theme.grid, linewidth=0.5)
    _legend(axes, theme, loc="lower center", bbox_to_anchor=(0.5, 1.08), ncols=2)
    return figure


def rounds_figure(rounds, theme: Theme) -> Figure:
    """Suspects found (bars) and health score (line, over at least a tenth of its range) per round; a dashed line
    before each new baseline after the first (a round scored with another model or settings)."""
    figure, axes = _figure(theme, 6.0, 2.8)
    numbers = [r.number for r in rounds]
    axes.bar(numbers, [r.suspects for r in rounds], color=theme.series[0], label="suspects")
    for r in rounds[1:]:
        if r.cleared is None:
            axes.axvline(r.number - 0.5, color=theme.text, linestyle="--", linewidth=0.8)
            axes.annotate("new baseline", (r.number - 0.45, 1), xycoords=("data", "axes fraction"), va="top",
                          color=theme.text, fontsize=8)
    axes.set_xticks(numbers)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole suspects, never half ones
    axes.set_xlabel("round", color=theme.text)
    axes.set_ylabel("suspects", color=theme.text)
    health = axes.twinx()
    scores = [r.health_score for r in rounds]
    health.plot(numbers, scores, color=theme.series[1], marker="o", label="health score")
    middle = (max(scores) + min(scores)) / 2 if all(np.isfinite(scores)) else 0.5
    span = max(0.1, max(scores) - min(scores)) if all(np.isfinite(scores)) else 1.0
    health.set_ylim(max(0.0, middle - 0.6 * span), min(1.0, middle + 0.6 * span))  # 0.001 is not a cliff
    health.tick_params(colors=theme.text, labelsize=9)
    health.set_ylabel("health score", color=theme.text)
    axes.set_title("Rounds", color=theme.text, fontsize=11)
    return figure


def precision_recall_figure(curve_precision: np.ndarray, curve_recall: np.ndarray, theme: Theme) -> Figure:
    """Precision against recall when the top k of the ranking are reviewed, k = 1..N."""
    figure, axes = _figure(theme, 5.0, 3.6)
    axes.plot(curve_recall, curve_precision, color=theme.series[0])
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("recall (share of injected errors found)", color=theme.text)
    axes.set_ylabel("precision", color=theme.text)
    axes.set_title("Reviewing the ranking from the top", color=theme.text, fontsize=11)
    axes.grid(color=theme.grid, linewidth=0.5)
    return figure


def _tick_rotation(names) -> int:
    """Upright class names on the x axis while they fit side by side, else turned (they overlapped)."""
    return 0 if len(names) * max(map(len, names), default=0) <= 60 else 90
