"""Bulk import in the admin: a preview with every row's errors in words, then a confirmation, all or nothing."""

import csv
import datetime
import io
import os
import re
import tempfile

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.imports.admin import PREVIEWED
from claims.imports.columns import COLUMNS
from claims.imports.resource import ClaimResource, export_dataset, row_slug
from claims.models import Claim, Claimant, Precision, Source, Status
from tests.conftest import make_user

IMPORT = reverse("admin:claims_claim_import")
PROCESS = reverse("admin:claims_claim_process_import")
EXPORT = reverse("admin:claims_claim_export")

ROWS = [
    {
        "statement": "The city will open 12 new libraries by 2027.",
        "claimant": "City of Example",
        "source_title": "Mayor's speech",
        "source_url": "https://news.example/mayor-speech",
        "source_publisher": "Daily Example",
        "source_published_on": "2025-03-01",
        "deadline_text": "by 2027",
        "target": "at least 12 new libraries",
    },
    {
        "statement": "Tram line 3 will run every 5 minutes.",
        "claimant": "City of Example",
        "source_title": "Transport plan",
        "source_url": "https://news.example/transport",
        "deadline_start": "2026-01-01",
        "deadline_end": "2026-06-30",
        "deadline_precision": "half",
        "target_quantity": "interval",
        "target_comparator": "<=",
        "target_value": "5",
        "target_unit": "min",
        "status": "in_progress",
    },
]


def csv_file(rows, name="tracker.csv", headers=None):
    headers = headers or sorted({key for row in rows for key in row}, key=lambda c: COLUMNS.index(c))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, name="tracker.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    headers = list(COLUMNS)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(column) for column in headers])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def format_index(page: str, label: str) -> str:
    return re.search(rf'<option value="(\d+)"[^>]*>{label}</option>', page).group(1)


def preview(client, upload, label="csv"):
    page = client.get(IMPORT).content.decode()
    return client.post(IMPORT, {"format": format_index(page, label), "import_file": upload, "resource": "0"})


def confirm(client, response):
    page = response.content.decode()
    form = page[page.index('action="' + PROCESS) :]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return client.post(PROCESS, data)


@pytest.fixture
def editor_client(client, elena):
    client.force_login(elena)
    return client


def test_a_preview_shows_every_rows_errors_in_words_and_writes_nothing(editor_client):
    bad = [
        ROWS[0],
        {**ROWS[1], "deadline_end": "Q5 2026"},
        {"statement": "A bridge by 2030.", "claimant": "", "source_title": "x", "target_value": "lots"},
        {"statement": "Something some day.", "claimant": "Someone", "source_title": "x", "deadline_text": "Q5 2026"},
    ]
    response = preview(editor_client, csv_file(bad))
    page = response.content.decode()
    assert response.status_code == 200
    assert "row 2: deadline_end &#x27;Q5 2026&#x27; is not a date (write YYYY-MM-DD)" in page
    assert "row 3: claimant is empty" in page
    assert "row 3: target_value &#x27;lots&#x27; is not a number" in page
    assert "row 4: deadline &#x27;Q5 2026&#x27; is not a date" in page
    assert 'action="' + PROCESS not in page  # no confirmation offered
    assert Claim.objects.count() == 0
    assert Claimant.objects.count() == 0 and Source.objects.count() == 0


def test_a_confirmed_import_writes_drafts_with_history_naming_the_user_and_the_file(editor_client, elena):
    response = preview(editor_client, csv_file(ROWS))
    page = response.content.decode()
    assert "New" in page and Claim.objects.count() == 0  # the preview was rolled back
    confirm(editor_client, response)

    libraries = Claim.objects.get(slug="the-city-will-open-12-new-libraries-by-2027")
    tram = Claim.objects.get(statement__startswith="Tram line 3")
    assert libraries.published_at is None and tram.published_at is None
    # The deadline phrase by the intake's parser, from the source's date; the target by its target parser.
    assert (libraries.deadline_start, libraries.deadline_end) == (
        datetime.date(2025, 3, 1),
        datetime.date(2027, 12, 31),
    )
    assert libraries.deadline_precision == Precision.YEAR
    assert (libraries.target_comparator, libraries.target_value, libraries.target_unit) == (">=", 12, "libraries")
    assert tram.target_display == "interval <= 5 min" and tram.status == Status.IN_PROGRESS
    # One claimant for both rows, one source each.
    assert Claimant.objects.filter(name="City of Example").count() == 1
    for model in (Claim, Claimant, Source):
        for row in model.history.all():
            assert row.history_user == elena
            assert row.history_change_reason.startswith("Imported from tracker.csv, row ")
    assert libraries.history.get().history_change_reason == "Imported from tracker.csv, row 1"


def test_reimporting_the_same_file_changes_nothing(editor_client):
    confirm(editor_client, preview(editor_client, csv_file(ROWS)))
    histories = [model.history.count() for model in (Claim, Claimant, Source)]
    response = preview(editor_client, csv_file(ROWS))
    assert "Skip" in response.content.decode()
    confirm(editor_client, response)
    assert [model.history.count() for model in (Claim, Claimant, Source)] == histories
    assert Claim.objects.count() == 2


def test_a_changed_row_changes_its_claim_only(editor_client):
    confirm(editor_client, preview(editor_client, csv_file(ROWS)))
    changed = [ROWS[0], {**ROWS[1], "status": "stalled"}]
    confirm(editor_client, preview(editor_client, csv_file(changed, name="second.csv")))
    tram = Claim.objects.get(statement__startswith="Tram line 3")
    assert tram.status == Status.STALLED
    assert tram.history.first().history_change_reason == "Imported from second.csv, row 2"
    assert Claim.objects.get(statement__startswith="The city").history.count() == 1


def test_the_export_imports_back_unchanged_and_edits_in_the_sheet_come_back(editor_client, make_claim, chiara):
    published = services.publish(make_claim(notes="internal", actual_value=None), by=chiara)
    confirm(editor_client, preview(editor_client, csv_file(ROWS)))
    response = editor_client.post(
        EXPORT, {"format": "0", "resource": "0", **{f"claimresource_{c}": "on" for c in COLUMNS}}
    )
    assert response.status_code == 200, response.content[:500]
    exported = response.content.decode("utf-8-sig")
    assert exported.splitlines()[0] == ",".join(COLUMNS)
    histories = Claim.history.count()
    again = preview(editor_client, SimpleUploadedFile("export.csv", exported.encode()))
    confirm(editor_client, again)
    assert Claim.history.count() == histories  # the round trip changes nothing
    published.refresh_from_db()
    assert published.published_at is not None

    rows = list(csv.DictReader(io.StringIO(exported)))
    next(row for row in rows if row["slug"] == published.slug)["verdict"] = "Edited in a spreadsheet."
    confirm(editor_client, preview(editor_client, csv_file(rows, name="edited.csv", headers=list(COLUMNS))))
    published.refresh_from_db()
    assert published.verdict == "Edited in a spreadsheet." and published.notes == "internal"
    assert Claim.history.count() == histories + 1


def test_xlsx_imports_as_csv_does(editor_client):
    response = preview(editor_client, xlsx_file(ROWS), label="xlsx")
    confirm(editor_client, response)
    assert Claim.objects.count() == 2
    tram = Claim.objects.get(statement__startswith="Tram line 3")
    assert tram.deadline_end == datetime.date(2026, 6, 30)
    # The desk's export as XLSX: the same columns, read back unchanged.
    page = editor_client.get(EXPORT).content.decode()
    response = editor_client.post(
        EXPORT, {"format": format_index(page, "xlsx"), "resource": "0", **{f"claimresource_{c}": "on" for c in COLUMNS}}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet.max_row == 3
    dataset = export_dataset()
    again = ClaimResource().import_data(dataset, dry_run=False, user=tram.history.first().history_user, file_name="x")
    assert not again.has_errors() and not again.has_validation_errors()
    assert {row.import_type for row in again.rows} == {"skip"}


def test_a_row_failing_at_the_confirmation_leaves_nothing_half_imported(editor_client, make_claim):
    rows = [
        {"statement": "A new pool by 2028.", "claimant": "City of Example", "source_title": "Plan", "status": ""},
        {"statement": "The old pool will reopen.", "claimant": "City of Example", "source_title": "Plan",
         "status": "fulfilled", "resolved_on": "2026-05-01"},
    ]  # fmt: skip
    response = preview(editor_client, csv_file(rows))
    assert 'action="' + PROCESS in response.content.decode()
    # Between the preview and the confirmation someone writes the second claim, due before it was fulfilled.
    make_claim(
        statement=rows[1]["statement"], slug=row_slug(rows[1]["statement"]), deadline_end=datetime.date(2026, 3, 31)
    )
    before = Claim.objects.count()
    redirect = confirm(editor_client, response)
    assert redirect.status_code == 302 and redirect.url == IMPORT
    assert Claim.objects.count() == before
    assert not Claim.objects.filter(statement=rows[0]["statement"]).exists()
    assert not Source.objects.filter(title="Plan").exists()


def test_only_those_who_may_add_and_change_claims_import(client, django_user_model):
    viewer = make_user(django_user_model, "vera")
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_claim"))
    client.force_login(viewer)
    assert client.get(IMPORT).status_code == 403
    assert client.post(PROCESS, {}).status_code == 403


def test_the_models_own_rules_are_errors_of_their_row(editor_client):
    rows = [
        {"statement": "A bridge by 2020.", "claimant": "City", "source_title": "Plan", "deadline_end": "2020-12-31",
         "deadline_precision": "year", "status": "fulfilled"},
    ]  # fmt: skip
    page = preview(editor_client, csv_file(rows)).content.decode()
    # Fulfilled without a date is fulfilled today, after the deadline: the desk's rule, in words.
    assert "row 1: status: Fulfilled on " in page and "use “Fulfilled late”" in page
    assert Claim.objects.count() == 0


def test_a_file_without_the_statement_column_is_refused_in_words(editor_client):
    upload = SimpleUploadedFile("wrong.csv", b"title,who\nA bridge,City\n", content_type="text/csv")
    response = preview(editor_client, upload)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has no &#x27;statement&#x27; column" in page and 'action="' + PROCESS not in page
    assert Claim.objects.count() == 0


def test_a_double_submitted_confirmation_imports_once(editor_client):
    response = preview(editor_client, csv_file(ROWS))
    first = confirm(editor_client, response)
    second = confirm(editor_client, response)
    assert first.status_code == 302 and second.status_code == 302
    assert Claim.objects.count() == 2 and Claim.history.count() == 2


def test_two_tabs_confirming_at_once_import_once(editor_client):
    """The second tab's request read the session before the first one's wrote it: both find the name unconfirmed."""
    response = preview(editor_client, csv_file(ROWS))
    session = editor_client.session
    as_read_by_both = {PREVIEWED: session[PREVIEWED]}
    assert confirm(editor_client, response).status_code == 302
    session = editor_client.session
    session.update(as_read_by_both)  # the other tab's request, with the session as it was read
    session.save()
    second = confirm(editor_client, response)
    assert second.status_code == 302 and second["Location"] == reverse("admin:claims_claim_changelist")
    assert Claim.objects.count() == 2 and Claim.history.count() == 2
    assert "already confirmed" in editor_client.get(second["Location"]).content.decode()


def test_a_sheet_never_writes_over_a_change_made_since_its_export(editor_client, make_claim, system):
    claim = make_claim(verdict="First words.")
    exported = export_dataset().export("csv")
    claim.verdict = "Changed in the desk meanwhile."
    services.save_claim(claim, by=system, reason="Desk edit")
    rows = list(csv.DictReader(io.StringIO(exported)))
    rows[0]["status"] = "stalled"
    page = preview(editor_client, csv_file(rows, headers=list(COLUMNS))).content.decode()
    assert "row 1: the claim was changed since this sheet was exported (version 1, now 2)" in page
    claim.refresh_from_db()
    assert claim.status == Status.PENDING and claim.verdict == "Changed in the desk meanwhile."
    # Unchanged rows of an old sheet are simply skipped; an emptied version cell writes over.
    rows[0]["version"] = ""
    confirm(editor_client, preview(editor_client, csv_file(rows, headers=list(COLUMNS))))
    claim.refresh_from_db()
    assert claim.status == Status.STALLED and claim.verdict == "First words."


@pytest.mark.review_rule
def test_an_import_cannot_give_a_published_claim_an_outcome_under_the_two_person_rule(editor_client, chiara, settings):
    """A sheet is one more way in: a published claim's outcome still waits for a second chief editor's review."""
    confirm(editor_client, preview(editor_client, csv_file(ROWS)))
    tram = Claim.objects.get(statement__startswith="Tram line 3")
    settings.REVIEW_REQUIRED = False
    services.publish(tram, by=chiara, reason="Checked")
    settings.REVIEW_REQUIRED = True
    outcome = [ROWS[0], {**ROWS[1], "status": "missed"}]
    page = preview(editor_client, csv_file(outcome, name="outcome.csv")).content.decode()
    assert "row 2:" in page and "review" in page.lower()
    assert 'action="' + PROCESS not in page  # no confirmation offered
    tram.refresh_from_db()
    assert tram.status == Status.IN_PROGRESS and tram.history.first().history_change_reason == "Checked"


def test_a_row_without_a_slug_never_writes_over_another_claim_whose_statement_slugifies_alike(editor_client):
    first = {**ROWS[0], "statement": "The city will open 12 new libraries by 2027."}
    second = {**ROWS[0], "statement": "The city will open 12 new libraries by 2027!"}
    confirm(editor_client, preview(editor_client, csv_file([first])))
    confirm(editor_client, preview(editor_client, csv_file([second], name="second.csv")))
    claims = list(Claim.objects.order_by("id"))
    assert [c.statement for c in claims] == [first["statement"], second["statement"]]
    assert [c.slug for c in claims] == [row_slug(first["statement"]), row_slug(first["statement"]) + "-2"]
    # Both files again, and both together: each row finds its own claim, nothing changes.
    histories = Claim.history.count()
    for upload in (csv_file([first]), csv_file([second]), csv_file([second, first])):
        response = preview(editor_client, upload)
        assert "New" not in response.content.decode()
        confirm(editor_client, response)
    assert Claim.objects.count() == 2 and Claim.history.count() == histories


def export_as(client, label):
    page = client.get(EXPORT).content.decode()
    return client.post(
        EXPORT, {"format": format_index(page, label), "resource": "0", **{f"claimresource_{c}": "on" for c in COLUMNS}}
    )


FORMULAS = ['=HYPERLINK("https://evil.example","click")', "-5% unemployment by 2027", "'=already quoted", "+1 @x"]


def test_the_export_writes_no_live_formula_and_imports_back_exactly(editor_client, make_claim):
    claims = [make_claim(statement=s, verdict=s, notes="@note") for s in FORMULAS]
    csv_text = export_as(editor_client, "csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows[0]["statement"] == "'" + FORMULAS[0] and rows[1]["statement"] == "'" + FORMULAS[1]
    assert rows[2]["statement"] == "''=already quoted" and rows[0]["notes"] == "'@note"
    sheet = openpyxl.load_workbook(io.BytesIO(export_as(editor_client, "xlsx").content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for claim in claims:  # changed in the desk, so that the import has something to restore
        claim.refresh_from_db()
        claim.statement, claim.verdict = "changed", "changed"
        services.save_claim(claim, by=claim.history.first().history_user, reason="x")
    for row in rows:
        row["version"] = ""
    confirm(editor_client, preview(editor_client, csv_file(rows, headers=list(COLUMNS))))
    assert [(c.statement, c.verdict, c.notes) for c in Claim.objects.order_by("id")] == [
        (s, s, "@note") for s in FORMULAS
    ]
    # And the XLSX export reads back unchanged.
    xlsx = SimpleUploadedFile("export.xlsx", export_as(editor_client, "xlsx").content)
    response = preview(editor_client, xlsx, label="xlsx")
    assert "New" not in response.content.decode() and "Update" not in response.content.decode()


def test_a_confirmation_names_only_an_upload_this_user_previewed(editor_client, client, django_user_model, elena):
    response = preview(editor_client, csv_file(ROWS))
    page = response.content.decode()
    form = page[page.index('action="' + PROCESS) :]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    # The upload waits in the cache, not in the temporary folder every process shares.
    assert not os.path.exists(os.path.join(tempfile.gettempdir(), data["import_file_name"]))
    # Another name (any file of the temporary folder, or another user's upload) is refused in words.
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as bystander:
        bystander.write("statement,claimant,source_title\nInjected,X,Y\n")
        bystander.flush()
        for name in (os.path.basename(bystander.name), "../../etc/passwd", "tmpabc123"):
            refused = editor_client.post(PROCESS, {**data, "import_file_name": name}, follow=True)
            assert refused.status_code == 200 and "not for a file you previewed" in refused.content.decode()
        assert os.path.exists(bystander.name)  # neither read nor deleted
    # A bad format index is refused too, never a 500.
    for file_format in ("abc", "99", "1", ""):
        refused = editor_client.post(PROCESS, {**data, "format": file_format}, follow=True)
        assert refused.status_code == 200 and "does not match its preview" in refused.content.decode()
    other = make_user(django_user_model, "otto")
    other.user_permissions.set(elena.user_permissions.all())
    for group in elena.groups.all():
        other.groups.add(group)
    other_client = type(editor_client)()
    other_client.force_login(other)
    refused = other_client.post(PROCESS, data, follow=True)
    assert "not for a file you previewed" in refused.content.decode()
    assert Claim.objects.count() == 0
    # The upload waited in the cache, and its own confirmation still works.
    assert editor_client.post(PROCESS, data).status_code == 302
    assert Claim.objects.count() == 2


def test_a_file_too_large_or_with_too_many_rows_is_refused_in_words(editor_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [{**ROWS[0], "statement": f"Claim number {n}."} for n in range(4)]
    page = preview(editor_client, csv_file(rows)).content.decode()
    assert "The file has more than 3 rows" in page and 'action="' + PROCESS not in page
    page = preview(editor_client, xlsx_file(rows), label="xlsx").content.decode()
    assert "The file has more than 3 rows" in page
    assert 'action="' + PROCESS in preview(editor_client, csv_file(rows[:3])).content.decode()
    settings.IMPORT_MAX_BYTES = 100
    page = preview(editor_client, csv_file(rows[:1])).content.decode()
    assert "an import takes at most 100" in page and 'action="' + PROCESS not in page
    assert Claim.objects.count() == 0


def test_an_expired_upload_is_refused_in_words(editor_client):
    response = preview(editor_client, csv_file(ROWS))
    cache.clear()  # an hour later, the upload has left the cache
    refused = confirm(editor_client, response)
    assert refused.status_code == 302 and refused.url == IMPORT
    page = editor_client.get(IMPORT).content.decode()
    assert "The upload expired before its confirmation" in page and Claim.objects.count() == 0
