"""The charts of a document, as geometry for its template: one bar per unit, or a distribution.

A group of up to `BARS_UP_TO` units gets one horizontal bar per unit, coloured by the unit's class,
over the class bands, with each class threshold drawn as a line and named in the legend, the
group's average marked, and with last year's results (`--previous`) each unit's former index as a
tick and the change after its figure. A larger group (a province's communes, a national set) gets
a distribution instead: how many units fall in each 5-point band of the index, stacked by class,
plus the count per class — a fixed-size drawing whatever the number of units.

Floats are for drawing only (pixels); every figure printed as text is the exact `Decimal`,
formatted by the template in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from attrs import frozen

from parrules.history import UnitChange
from parrules.model import ClassBand, ClassTable

BARS_UP_TO = 300
# Classes from the best down: green, blue, amber, orange, red, purple (readable in grey print too:
# each is darker than the one before it in lightness order where it matters, and labelled).
PALETTE = ("#2e7d32", "#1565c0", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a")
NO_CLASS = "#1565c0"
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, PLOT_WIDTH, RIGHT = 18, 5, 250, 420, 100
BIN = 5  # index points per bar of a distribution


@frozen
class Threshold:
    x: float
    value: Decimal


@frozen
class Legend:
    label: str
    colour: str
    band: ClassBand | None


@frozen
class Bar:
    unit: str
    y: float
    width: float
    value: Decimal
    colour: str
    class_: str | None
    previous_x: float | None = None
    change: Decimal | None = None


@frozen
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    count: int
    label: str


@frozen
class Chart:
    """One group's chart: `kind` "bars" (one per unit) or "distribution"."""

    kind: str
    title: str
    width: int
    height: int
    plot_left: int
    plot_width: int
    axis_y: float
    ticks: tuple[tuple[float, int], ...]
    legend: tuple[Legend, ...]
    thresholds: tuple[Threshold, ...]
    average_x: float | None
    average: Decimal | None
    bars: tuple[Bar, ...] = ()
    segments: tuple[Segment, ...] = ()
    counts: tuple[tuple[str, str, int], ...] = ()  # (class, colour, units)
    units: int = 0
    peak: int = 0


def _x(value: Decimal, left: int = LABEL_WIDTH) -> float:
    clamped = min(max(value, Decimal(0)), Decimal(100))
    return left + float(clamped) * PLOT_WIDTH / 100


def colours(classes: ClassTable | None) -> dict[str, str]:
    if classes is None:
        return {}
    return {band.label: PALETTE[i % len(PALETTE)] for i, band in enumerate(classes.bands)}


def _legend(classes: ClassTable | None) -> tuple[tuple[Legend, ...], tuple[Threshold, ...]]:
    if classes is None or classes.basis != "index":
        return (), ()  # bands on total points have no place on an axis of the index
    legend = tuple(Legend(b.label, PALETTE[i % len(PALETTE)], b) for i, b in enumerate(classes.bands))
    values = sorted({v for b in classes.bands for v in (b.lower, b.upper) if v is not None and 0 < v < 100})
    return legend, tuple(Threshold(_x(v), v) for v in values)


def chart(title: str, rows: Sequence[tuple[str, Decimal, str | None]], classes: ClassTable | None,
          average: Decimal | None, changes: Mapping[str, UnitChange] | None = None) -> Chart:
    """`rows`: (unit, index, class) in the table's order."""
    if len(rows) > BARS_UP_TO:
        return _distribution(title, rows, classes, average)
    palette = colours(classes)
    legend, thresholds = _legend(classes)
    bars = []
    for position, (unit, index, class_) in enumerate(rows):
        y = position * (BAR_HEIGHT + BAR_GAP) + 6
        moved = (changes or {}).get(unit)
        previous = moved.previous_index if moved is not None and moved.index is not None else None
        bars.append(Bar(unit, y, _x(index) - LABEL_WIDTH, index, palette.get(class_ or "", NO_CLASS), class_,
                        _x(previous) if previous is not None else None,
                        index - previous if previous is not None else None))
    axis_y = len(rows) * (BAR_HEIGHT + BAR_GAP) + 10
    return Chart("bars", title, LABEL_WIDTH + PLOT_WIDTH + RIGHT, int(axis_y) + 24, LABEL_WIDTH, PLOT_WIDTH, axis_y,
                 _ticks(LABEL_WIDTH), legend, thresholds, _x(average) if average is not None else None, average,
                 bars=tuple(bars), units=len(rows))


def _ticks(left: int) -> tuple[tuple[float, int], ...]:
    return tuple((_x(Decimal(t), left), t) for t in range(0, 101, 10))


def _distribution(title: str, rows: Sequence[tuple[str, Decimal, str | None]], classes: ClassTable | None,
                  average: Decimal | None) -> Chart:
    left, plot_height = 60, 220
    palette = colours(classes)
    order = [b.label for b in classes.bands] if classes is not None else []
    bins: list[dict[str, int]] = [{} for _ in range(100 // BIN)]
    counts: dict[str, int] = {}
    for _unit, index, class_ in rows:
        slot = min(max(int(index // BIN), 0), len(bins) - 1)
        key = class_ or ""
        bins[slot][key] = bins[slot].get(key, 0) + 1
        counts[key] = counts.get(key, 0) + 1
    peak = max((sum(b.values()) for b in bins), default=0) or 1
    segments = []
    step = PLOT_WIDTH / len(bins)
    for slot, found in enumerate(bins):
        y = float(plot_height)
        for key in [*order, *sorted(k for k in found if k not in order)]:
            count = found.get(key, 0)
            if not count:
                continue
            height = count / peak * plot_height
            y -= height
            low = slot * BIN
            segments.append(Segment(left + slot * step + 1, y + 10, step - 2, height, palette.get(key, NO_CLASS), count,
                                    f"{key} {low}–{low + BIN} %: {count}" if key else f"{low}–{low + BIN} %: {count}"))
    legend, _thresholds = _legend(classes)
    thresholds = tuple(Threshold(_x(t.value, left), t.value) for t in _thresholds)
    listed = tuple((key, palette.get(key, NO_CLASS), counts[key])
                   for key in [*order, *sorted(k for k in counts if k not in order)] if counts.get(key))
    axis_y = plot_height + 10
    return Chart("distribution", title, left + PLOT_WIDTH + RIGHT, axis_y + 24, left, PLOT_WIDTH, axis_y,
                 _ticks(left), legend, thresholds, _x(average, left) if average is not None else None, average,
                 segments=tuple(segments), counts=listed, units=len(rows), peak=peak)
