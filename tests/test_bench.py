"""The benchmark's own machinery: generated data keeps the register's rules, the reminder
baseline is the one the reminder code would build, and the report keeps its contract.

The measurements themselves are not tested here (no timed tests): `make bench` runs them.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from bench import cpu, generate, report, sweep
from bench.abuse import AbuseResult
from bench.web import Load, Result, combine
from claims.feeds import recent_events
from claims.models import Appearance, Claim, Claimant, FeedEntry, Reminder, Source, Status, Update
from claims.reminders.schedule import backfill
from claims.services import system_user

CLAIMS = 1200


@pytest.fixture
def generated(db):
    if connection.vendor != "postgresql":
        pytest.skip("The generator writes with PostgreSQL's SQL (generate_series), as the benchmark runs on it.")
    generate.generate(CLAIMS, log=lambda line: None)


def test_it_writes_history_for_every_generated_row_with_the_system_user_and_a_reason(generated):
    system = system_user()
    for model in (Claimant, Source, Claim, Update, Appearance):
        rows = model.objects.count()
        created = model.history.filter(history_type="+")
        assert rows > 0
        assert created.count() == rows, model.__name__
        assert created.exclude(history_user=system).count() == 0
        assert model.history.exclude(history_change_reason__contains=generate.REASON).count() == 0


def test_it_records_a_second_version_for_rated_or_published_claims(generated):
    changed = Claim.objects.exclude(status="pending", published_at__isnull=True)
    assert Claim.history.filter(history_type="~").count() == changed.count() > 0
    claim = changed.exclude(status="pending").first()
    first, latest = claim.history.order_by("history_date", "history_id")
    assert first.status == "pending"
    assert latest.status == claim.status


def test_its_published_claims_are_in_the_feed_as_a_write_would_mark_them(generated):
    """Each published claim's second version is a feed entry, "new" or a rating, as mark_feed_entry decides."""
    published = Claim.objects.published()
    entries = Claim.history.exclude(feed_entry=FeedEntry.NONE)
    assert entries.count() == published.count() > 0
    assert set(entries.values_list("id", flat=True)) == set(published.values_list("id", flat=True))
    assert not entries.filter(published_at__isnull=True).exists()
    assert entries.filter(feed_entry=FeedEntry.PUBLISHED).count() == published.count()  # drafts until published
    event = recent_events(limit=1)[0]
    assert event.is_new and event.claim_id in set(published.values_list("id", flat=True))


def test_it_spreads_statuses_and_deadlines_that_pass_the_models_validation(generated):
    assert set(Claim.objects.values_list("status", flat=True)) == set(Status.values)
    today = datetime.date.today()
    assert Claim.objects.filter(deadline_end__lt=today).exists()
    assert Claim.objects.filter(deadline_end__gt=today).exists()
    assert Claim.objects.overdue().exists()
    for claim in Claim.objects.order_by("id")[:300]:
        claim.full_clean()  # e.g. "fulfilled" never resolved after its deadline


def test_it_refuses_a_database_that_already_has_claims(generated):
    with pytest.raises(SystemExit, match="already has claims"):
        generate.generate(CLAIMS, log=lambda line: None)


def test_the_reminder_baseline_is_what_the_reminder_code_schedules(generated):
    today = timezone.localdate()
    fields = ("claim_id", "kind", "offset_days", "deadline_end", "recipient_id", "due_at", "sent_at", "cancelled_at")

    claims, rows = sweep.schedule_everything(today)
    ours = set(Reminder.objects.values_list(*fields))
    Reminder.objects.all().delete()
    assert backfill(today) == claims > 0
    theirs = set(Reminder.objects.values_list(*fields))

    assert len(ours) == rows
    assert ours == theirs


def test_the_sweep_setup_makes_exactly_the_requested_rows_due_and_puts_them_back(generated):
    sweep.prepare_baseline(log=lambda line: None)
    now = timezone.now()
    assert sweep.reset_and_make_due(25) == 25
    due = Reminder.objects.due(now)
    assert due.count() == 25
    assert due.values("claim").distinct().count() == 25
    assert set(due.values_list("recipient", flat=True)) <= set(
        get_user_model().objects.filter(username__startswith="bench-editor-").values_list("pk", flat=True)
    )
    assert sweep.reset_and_make_due(0) == 0
    assert not Reminder.objects.due(timezone.now()).exists()


def _result(mode, kind, rps, ceiling, p99=10.0):
    return Result("page", "/", kind, mode, load=Load(rps, 5.0, p99, 100, 0), ceiling=Load(ceiling, 1.0, 2.0, 100, 0))


def test_the_summary_line_reports_the_worst_public_ratios_and_the_sweep_ratio():
    run = report.Run(claims=1_000_000, command="x", started=timezone.now(), machine={}, setup="")
    run.web = [
        _result("uncached", "list", 250, 1000),
        _result("uncached", "detail", 400, 1000),
        _result("cached", "list", 900, 1000),
        _result("logged in", "admin", 10, 1000),  # the admin list has a latency target, not a ratio
    ]
    run.sweep = {"available": True, "seconds": 0.6, "sent": 1000, "made_due": 1000}
    run.sweep_baseline = {"available": True, "seconds": 0.5}
    assert report.summary_line(run) == "worst uncached ratio=0.25 worst cached ratio=0.9 sweep ratio=1.2 abuse p99=n/a"
    run.abuse = AbuseResult(
        readers={"overview": Load(900, 8.0, 41.6, 7000, 0), "/healthz": Load(1200, 3.0, 61.2, 9000, 0)}
    )
    assert report.summary_line(run).endswith(" sweep ratio=1.2 abuse p99=61 ms")  # the worst reader's p99
    assert dict(report.abuse_checks(run)) == {"reader p50 < 50 ms": True, "reader p99 < 200 ms": True}


def test_the_sweep_ratio_is_one_at_ten_thousand_and_na_when_unmeasured():
    run = report.Run(claims=10_000, command="x", started=timezone.now(), machine={}, setup="")
    assert report.summary_line(run) == "worst uncached ratio=n/a worst cached ratio=n/a sweep ratio=n/a abuse p99=n/a"
    run.sweep = {"available": True, "seconds": 0.4, "sent": 1000, "made_due": 1000}
    assert report.summary_line(run).endswith("sweep ratio=1.0 abuse p99=n/a")


def test_targets_are_checked_per_kind_and_mode():
    assert dict(report.web_checks(_result("uncached", "list", 190, 1000))) == {
        "ratio ≥ 0.2": False,
        "p99 < 100 ms": True,
    }
    assert dict(report.web_checks(_result("uncached", "detail", 310, 1000, p99=120))) == {
        "ratio ≥ 0.3": True,
        "p99 < 100 ms": False,
    }
    assert dict(report.web_checks(_result("logged in", "admin", 5, 1000, p99=299))) == {"p99 < 300 ms": True}


def test_rounds_combine_into_one_measurement():
    combined = combine([Load(100, 4.0, 9.0, 200, 0), Load(300, 2.0, 20.0, 600, 1)])
    assert combined.rps == pytest.approx(800 / 4)
    assert combined.p50_ms == pytest.approx(2.5)
    assert combined.p99_ms == 20.0
    assert combined.bad_responses == 1


def test_docs_keep_one_block_per_size_and_the_text_around_it(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\nMethod.\n\n{report.RESULTS_MARKER}\n\n## Findings\n\nKept.\n")
    for claims in (10_000, 1_000_000, 10_000):
        run = report.Run(
            claims=claims, command="x", started=timezone.now(), machine={"cores": 2, "python": "3"}, setup=""
        )
        report.write_docs(run, docs)
    text = docs.read_text()
    assert text.count("<!-- bench:10000 -->") == 1
    assert text.count("<!-- bench:1000000 -->") == 1
    assert text.startswith("# Benchmarks\n\nMethod.") and text.rstrip().endswith("Kept.")


def test_an_endpoints_ratio_is_the_median_of_its_rounds():
    result = _result("uncached", "list", 100, 1000)
    result.round_ratios = [0.5, 0.1, 0.2, 0.9, 0.15]  # one round spoiled by background load
    assert result.ratio == 0.2


def test_the_cpu_tool_prints_each_address_with_its_parts(transactional_db, capsys):
    """bench.cpu: what this process, PostgreSQL's backend and Redis spent per request (the docs' CPU tables).

    Autocommit, as in a server: the requests end as requests do, which closes a connection left in a transaction.
    """
    cpu.main(["/healthz", "/claims/", "--requests", "20", "--rounds", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["/healthz", "/claims/"]
    for line in lines:
        parts = dict(zip(line.split()[1::2], line.split()[2::2], strict=False))
        assert {"python", "postgres", "redis", "total"} <= parts.keys()
        assert float(parts["total"]) >= float(parts["python"]) > 0
