"""Track records: counts, shares, the median delay of late claims and the chart of statuses over time."""

import datetime

import pytest

from claims import services, track_record
from claims.models import Claim, Status
from claims.track_record import OPEN_BAND, Month

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def claims(make_claim, chiara):
    """Published claims made in May 2025 (the source's date), with various outcomes."""

    def make(status, *, deadline, resolved=None, published=True, **fields):
        claim = make_claim(deadline_end=deadline, **fields)
        if status != Status.PENDING:
            services.change_status(claim, status, by=chiara, reason="test", resolved_on=resolved)
        if published:
            services.publish(claim, by=chiara)
        return claim

    return make


def test_counts_shares_and_overdue(claims):
    claims(Status.FULFILLED, deadline=datetime.date(2026, 6, 30), resolved=datetime.date(2026, 6, 1))
    claims(Status.FULFILLED_LATE, deadline=datetime.date(2025, 12, 31), resolved=datetime.date(2026, 2, 12))
    claims(Status.MISSED, deadline=datetime.date(2026, 6, 30), resolved=datetime.date(2026, 7, 28))
    claims(Status.WITHDRAWN, deadline=datetime.date(2026, 6, 30), resolved=datetime.date(2026, 3, 1))
    claims(Status.STALLED, deadline=datetime.date(2026, 9, 30))  # overdue
    claims(Status.PENDING, deadline=datetime.date(2027, 9, 30))
    claims(Status.MISSED, deadline=datetime.date(2026, 1, 31), resolved=datetime.date(2026, 2, 1), published=False)
    record = track_record.compute(today=TODAY)
    assert record.total == 6 and record.open == 2 and record.resolved == 4 and record.overdue == 1
    assert record.counts == {
        "fulfilled": 1,
        "fulfilled_late": 1,
        "missed": 1,
        "withdrawn": 1,
        "stalled": 1,
        "pending": 1,
    }
    assert (record.on_time, record.on_time_share) == (1, 25)
    assert (record.late_or_missed, record.late_or_missed_share) == (2, 50)
    assert record.other_outcomes == 1
    assert record.median_late_days == 43.0


def test_median_delay_of_an_even_number_of_late_claims(claims):
    deadline = datetime.date(2026, 1, 31)
    for days in (10, 30, 2, 100):
        claims(Status.FULFILLED_LATE, deadline=deadline, resolved=deadline + datetime.timedelta(days=days))
    assert track_record.compute(today=TODAY).median_late_days == 20.0  # (10 + 30) / 2


def test_an_empty_register_has_no_shares_or_chart(db):
    record = track_record.compute(today=TODAY)
    assert (record.total, record.on_time_share, record.median_late_days, record.months) == (0, None, None, [])
    assert track_record.chart_svg(record, title_id="t", desc_id="d", title="x") == ""


def test_a_claimants_record_counts_only_its_claims(claims, system):
    other = services.get_or_create_claimant("Other", by=system, reason="test")[0]
    claims(Status.MISSED, deadline=datetime.date(2026, 6, 30), resolved=datetime.date(2026, 7, 1), claimant=other)
    claims(Status.FULFILLED, deadline=datetime.date(2026, 6, 30), resolved=datetime.date(2026, 6, 1))
    record = track_record.compute(Claim.objects.filter(claimant=other), today=TODAY)
    assert record.counts == {"missed": 1}


def test_the_chart_follows_each_claim_from_when_it_was_made_to_its_outcome(claims):
    claims(Status.FULFILLED_LATE, deadline=datetime.date(2025, 12, 31), resolved=datetime.date(2026, 2, 12))
    claims(Status.IN_PROGRESS, deadline=datetime.date(2027, 12, 31))
    record = track_record.compute(today=TODAY)
    assert record.months[0] == Month(2025, 5)  # the source's date, not when it was entered
    assert record.months[-1] == Month(2026, 11)
    by_month = {month: i for i, month in enumerate(record.months)}
    jan, feb = by_month[Month(2026, 1)], by_month[Month(2026, 2)]
    assert record.bands[OPEN_BAND][jan] == 2 and record.bands["fulfilled_late"][jan] == 0
    assert record.bands[OPEN_BAND][feb] == 1 and record.bands["fulfilled_late"][feb] == 1
    assert record.bands[OPEN_BAND][-1] == 1 and record.bands["fulfilled_late"][-1] == 1


def test_the_chart_keeps_the_last_two_years(claims, system):
    old = services.get_or_create_source(
        title="Old story", published_on=datetime.date(2019, 3, 1), by=system, reason="test"
    )[0]
    claims(Status.PENDING, deadline=datetime.date(2030, 1, 1), source=old)
    record = track_record.compute(today=TODAY)
    assert len(record.months) == 24 and record.months[-1] == Month(2026, 11)
    assert record.bands[OPEN_BAND] == [1] * 24  # made before the window: counted from its first month


def test_the_svg_has_a_bar_per_band_with_a_title_and_no_style_attributes(claims):
    claims(Status.FULFILLED_LATE, deadline=datetime.date(2025, 12, 31), resolved=datetime.date(2026, 2, 12))
    claims(Status.IN_PROGRESS, deadline=datetime.date(2027, 12, 31))
    record = track_record.compute(today=TODAY)
    svg = str(track_record.chart_svg(record, title_id="t", desc_id="d", title="Nissan <b>"))
    assert svg.startswith('<svg class="chart"') and 'role="img" aria-labelledby="t d"' in svg
    assert '<title id="t">Nissan &lt;b&gt;</title>' in svg
    assert "style=" not in svg
    assert "<title>Feb 2026: 1 Fulfilled late</title>" in svg
    assert svg.count('class="chart-band chart-band--open"') == len(record.months)
