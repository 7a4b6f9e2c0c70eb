"""Track records: how a claimant (or the whole register) kept its promises.

A record is computed from published claims with two GROUP BY queries, whatever the
number of claims, and is small enough to cache (see claims.public_cache.remember):

- counts by status, overdue open claims and the chart come from one grouping by
  (status, month made, month resolved, overdue);
- the median delay of claims fulfilled late comes from a histogram of their delays.

The chart shows, at the end of each month, how many claims were still open and how
many had reached each outcome. A claim enters the chart when it was made (the date of
its source, or its publication when the source has no date) and leaves "open" on the
day its outcome happened (``resolved_on``). Open claims are one band: which open
sub-status a claim had in a past month is not recorded in a form readers can check.
"""

import datetime
import html
from dataclasses import dataclass, field

from django.db.models import Count, DateField, F, Q
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, Status, newsroom_today

OPEN_BAND = "open"
# Bottom to top in the chart: outcomes first, the open claims on top.
CHART_BANDS = [
    Status.FULFILLED,
    Status.FULFILLED_LATE,
    Status.PARTLY_FULFILLED,
    Status.MISSED,
    Status.WITHDRAWN,
    Status.UNVERIFIABLE,
]
BAND_LABELS = {OPEN_BAND: "Open", **{status.value: status.label for status in CHART_BANDS}}
CHART_MONTHS = 24


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    def __lt__(self, other):
        return (self.year, self.month) < (other.year, other.month)

    def __le__(self, other):
        return (self.year, self.month) <= (other.year, other.month)


@dataclass
class TrackRecord:
    counts: dict[str, int]
    overdue: int
    late_delays: dict[int, int]  # days late -> number of claims fulfilled that late
    months: list[Month] = field(default_factory=list)
    bands: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def open(self) -> int:
        return sum(self.counts.get(s, 0) for s in Status.open_values())

    @property
    def resolved(self) -> int:
        return self.total - self.open

    @property
    def on_time(self) -> int:
        return self.counts.get(Status.FULFILLED, 0)

    @property
    def late_or_missed(self) -> int:
        return self.counts.get(Status.FULFILLED_LATE, 0) + self.counts.get(Status.MISSED, 0)

    @property
    def other_outcomes(self) -> int:
        return self.resolved - self.on_time - self.late_or_missed

    def share(self, part: int) -> int | None:
        """Percentage of resolved claims, rounded; None before any claim is resolved."""
        return round(100 * part / self.resolved) if self.resolved else None

    @property
    def on_time_share(self) -> int | None:
        return self.share(self.on_time)

    @property
    def late_or_missed_share(self) -> int | None:
        return self.share(self.late_or_missed)

    @property
    def median_late_days(self) -> float | None:
        return _median_of_histogram(self.late_delays)

    def status_rows(self) -> list[tuple[Status, int]]:
        """Every status with its count, in the promise meter's order (zeros included)."""
        return [(status, self.counts.get(status, 0)) for status in Status]


def _median_of_histogram(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    values = sorted(histogram.items())

    def nth(n):  # n-th smallest value, 0-based
        seen = 0
        for value, count in values:
            seen += count
            if n < seen:
                return value
        raise IndexError(n)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def compute(claims=None, *, today: datetime.date | None = None, months: int = CHART_MONTHS) -> TrackRecord:
    """The track record of the published claims in ``claims`` (all published claims by default)."""
    today = today or newsroom_today()
    published = (claims if claims is not None else Claim.objects.all()).published().order_by()
    made = Coalesce("source__published_on", TruncDate("published_at"), output_field=DateField())
    outcome = Coalesce("resolved_on", made)
    groups = (
        published.annotate(
            made_year=ExtractYear(made),
            made_month=ExtractMonth(made),
            outcome_year=ExtractYear(outcome),
            outcome_month=ExtractMonth(outcome),
        )
        .values("status", "made_year", "made_month", "outcome_year", "outcome_month")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(status__in=Status.open_values(), deadline_end__lt=today)),
        )
    )
    counts: dict[str, int] = {}
    overdue = 0
    entered: dict[Month, int] = {}
    closed_at: dict[tuple[Month, str], int] = {}
    for row in groups:
        status, n = row["status"], row["n"]
        counts[status] = counts.get(status, 0) + n
        overdue += row["overdue"]
        made_month = Month(row["made_year"], row["made_month"])
        if Status(status).is_closed:
            outcome_month = Month(row["outcome_year"], row["outcome_month"])
            # An outcome dated before the claim was made (a typo) must not make "open" negative.
            made_month = min(made_month, outcome_month)
            closed_at[(outcome_month, status)] = closed_at.get((outcome_month, status), 0) + n
        entered[made_month] = entered.get(made_month, 0) + n

    delays = (
        published.filter(status=Status.FULFILLED_LATE, deadline_end__isnull=False, resolved_on__isnull=False)
        .annotate(late=F("resolved_on") - F("deadline_end"))
        .values("late")
        .annotate(n=Count("id"))
    )
    late_delays = {}
    for row in delays:
        days = row["late"].days if isinstance(row["late"], datetime.timedelta) else int(row["late"])
        late_delays[days] = late_delays.get(days, 0) + row["n"]

    record = TrackRecord(counts=counts, overdue=overdue, late_delays=late_delays)
    _fill_chart(record, entered, closed_at, today=today, months=months)
    return record


def _fill_chart(record: TrackRecord, entered, closed_at, *, today: datetime.date, months: int) -> None:
    if not entered:
        return
    last = Month(today.year, today.month)
    first = min(entered)
    span = []
    month = first
    while month <= last:
        span.append(month)
        month = month.next()
    bands = {OPEN_BAND: [0] * len(span), **{status.value: [0] * len(span) for status in CHART_BANDS}}
    open_now, closed_now = 0, dict.fromkeys(CHART_BANDS, 0)
    for index, month in enumerate(span):
        open_now += entered.get(month, 0)
        for status in CHART_BANDS:
            n = closed_at.get((month, status.value), 0)
            closed_now[status] += n
            open_now -= n
        bands[OPEN_BAND][index] = open_now
        for status in CHART_BANDS:
            bands[status.value][index] = closed_now[status]
    # Outcomes dated after this month (typos) never show: the span ends today.
    keep = slice(max(0, len(span) - months), None)
    record.months = span[keep]
    record.bands = {band: values[keep] for band, values in bands.items()}


# --- the chart, drawn on the server -------------------------------------------------

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 50, 20, 40


def _nice_ceiling(value: int) -> tuple[int, int]:
    """An axis maximum at or above value and a tick step that divides it into at most 5 steps."""
    if value <= 5:
        return max(value, 1), 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (magnitude // 10 or 1, magnitude // 5 or 1, magnitude // 2 or 1, magnitude, magnitude * 2):
        if value / step <= 5:
            ceiling = -(-value // step) * step
            return ceiling, step
    step = magnitude * 5
    return -(-value // step) * step, step


def chart_svg(record: TrackRecord, *, title_id: str, desc_id: str, title: str) -> SafeString:
    """A stacked bar per month, readable without JavaScript; colours come from CSS classes (CSP).

    Written with f-strings: every value is a number or a month name of ours, except the
    title, which is escaped.
    """
    if not record.months:
        return mark_safe("")
    band_order = [status.value for status in CHART_BANDS] + [OPEN_BAND]
    totals = [sum(record.bands[band][i] for band in band_order) for i in range(len(record.months))]
    ceiling, step = _nice_ceiling(max(totals) or 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(record.months)
    bar = max(2.0, slot * 0.7)

    def y(value):
        return TOP + plot_height - plot_height * value / ceiling

    parts = []
    for tick in range(0, ceiling + 1, step):
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    label_every = max(1, round(len(record.months) / 8))
    for index, month in enumerate(record.months):
        x, base, name = LEFT + index * slot + (slot - bar) / 2, 0, f"{month.first_day:%b %Y}"
        for band in band_order:
            value = record.bands[band][index]
            if value:
                top = y(base + value)
                parts.append(
                    f'<rect class="chart-band chart-band--{band}" x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                    f'height="{y(base) - top:.1f}"><title>{name}: {value} {BAND_LABELS[band]}</title></rect>'
                )
                base += value
        # Counted from the right, so the current month always has its label and none overlap;
        # "minor" labels are hidden by the stylesheet where the chart is drawn small.
        from_right = len(record.months) - 1 - index
        if from_right % label_every == 0:
            minor = " chart-axis--minor" if from_right % (label_every * 3) else ""
            label_x, label_y = x + bar / 2, HEIGHT - BOTTOM + 16
            parts.append(
                f'<text class="chart-axis{minor}" x="{label_x:.1f}" y="{label_y}" text-anchor="middle">{name}</text>'
            )
    first, last = record.months[0].first_day, record.months[-1].first_day
    description = (
        f"Number of claims at the end of each month from {first:%B %Y} to {last:%B %Y}, "
        "stacked by status. The table below gives the same numbers."
    )
    baseline = TOP + plot_height
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{html.escape(title)}</title><desc id="{desc_id}">{description}</desc>'
        f'{"".join(parts)}<line class="chart-baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{baseline}" '
        f'y2="{baseline}"/></svg>'
    )


LEGEND_ORDER = [OPEN_BAND] + [status.value for status in CHART_BANDS]


def chart_legend() -> SafeString:
    return mark_safe(
        "".join(
            f'<li><span class="legend-swatch chart-band--{band}" aria-hidden="true"></span>{BAND_LABELS[band]}</li>'
            for band in LEGEND_ORDER
        )
    )


def chart_table(record: TrackRecord) -> SafeString:
    """The chart's numbers, month by month, as an HTML table (for screen readers and for checking)."""
    head = "".join(f'<th scope="col">{BAND_LABELS[band]}</th>' for band in LEGEND_ORDER)
    rows = "".join(
        f'<tr><th scope="row">{month.first_day:%b %Y}</th>'
        + "".join(f"<td>{record.bands[band][i]}</td>" for band in LEGEND_ORDER)
        + "</tr>"
        for i, month in enumerate(record.months)
    )
    return mark_safe(
        f'<table><thead><tr><th scope="col">End of month</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def chart_context(record: TrackRecord, title: str) -> dict:
    """What templates/public/_chart.html needs: the SVG, its legend and its numbers as a table."""
    return {
        "chart": chart_svg(record, title_id="chart-title", desc_id="chart-desc", title=title),
        "legend": chart_legend(),
        "chart_table": chart_table(record),
    }
