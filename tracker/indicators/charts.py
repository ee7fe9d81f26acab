"""The indicator page's chart: target and actual per period, drawn as server-side SVG (no script,
prints as it shows) from the same rows the table beside it prints, so the two cannot differ."""

from dataclasses import dataclass, field

from tracker.indicators.operations import PeriodRow


@dataclass
class Point:
    x: float
    y: float
    value: float
    label: str
    status: str = ""


@dataclass
class LineChart:
    scope: str
    width: int
    height: int
    left: int
    bottom: int  #: the y of the zero line
    top_value: float
    ticks: list[tuple[float, str]] = field(default_factory=list)  #: (y, label) of the value axis
    categories: list[tuple[float, str]] = field(default_factory=list)  #: (x, period label)
    target: list[Point] = field(default_factory=list)
    actual: list[Point] = field(default_factory=list)

    @property
    def target_path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'} {p.x:.1f} {p.y:.1f}" for i, p in enumerate(self.target))

    @property
    def actual_path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'} {p.x:.1f} {p.y:.1f}" for i, p in enumerate(self.actual))


def _nice_top(value: float) -> float:
    """The axis' top: the next 1, 2 or 5 × 10ⁿ above the largest figure."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def line_chart(rows: list[PeriodRow], scope: str, width: int = 640, height: int = 220) -> LineChart | None:
    """Target (a line) and actual (a line with a dot per period, coloured by status) of one scope,
    or None when the scope has neither."""
    values = [v for r in rows if scope in r.cells for v in (r.cells[scope].target, r.cells[scope].actual)
              if v is not None]
    if not values:
        return None
    left, top_margin, bottom_margin = 56, 14, 34
    plot_height = height - top_margin - bottom_margin
    top = _nice_top(max(values))
    step = (width - left - 20) / max(1, len(rows))
    chart = LineChart(scope, width, height, left, top_margin + plot_height, top)

    def y(value: float) -> float:
        return top_margin + plot_height * (1 - value / top)

    for fraction in (0, 0.5, 1):
        chart.ticks.append((y(top * fraction), f"{top * fraction:g}"))
    for index, row in enumerate(rows):
        x = left + step * (index + 0.5)
        chart.categories.append((x, row.label))
        cell = row.cells.get(scope)
        if cell is None:
            continue
        if cell.target is not None:
            chart.target.append(Point(x, y(cell.target), cell.target, row.label))
        if cell.actual is not None:
            chart.actual.append(Point(x, y(cell.actual), cell.actual, row.label, cell.status))
    return chart
