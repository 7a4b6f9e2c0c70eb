"""The claim list's Import and Export (django-import-export's pages), limited to who may write claims.

Import: upload a CSV or XLSX file, read the preview (per row: new, changed, unchanged, or
its errors in words), confirm. Nothing is written before the confirmation, and nothing
at all if any row fails then (claims.imports.resource). Export writes the same columns,
so a desk can edit in a spreadsheet and import the file back.

The upload form refuses files above IMPORT_MAX_BYTES or IMPORT_MAX_ROWS before reading
them in full. The confirmation names the stored upload; only a name this session
previewed, in the format it was previewed in, is accepted, and only once (the stored
upload waits in the cache: claims.imports.storage).
"""

import csv
import io

import openpyxl
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from claims.imports.resource import ClaimResource
from claims.imports.storage import UPLOAD_LIFETIME_SECONDS

# Importing adds claims and changes existing ones: both permissions, checked on every step.
IMPORT_PERMISSIONS = ("claims.add_claim", "claims.change_claim")


# The uploads this session previewed and may confirm ({name: format}).
PREVIEWED = "claims_import_previewed"
KEPT = 20  # names remembered per session; older previews must be uploaded again
# An upload's confirmation, taken by the first request that confirms it (for as long as the upload lives).
CONFIRMING = "claims-import-confirming-"


class SizedImportForm(ImportForm):
    """The upload form, refusing a file too large for one request before it is read in full."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or index is None:
            return cleaned
        if upload.size > settings.IMPORT_MAX_BYTES:
            self.add_error(
                "import_file",
                f"The file is {filesizeformat(upload.size)}; an import takes at most "
                f"{filesizeformat(settings.IMPORT_MAX_BYTES)} (IMPORT_MAX_BYTES). Split it into smaller files.",
            )
            return cleaned
        rows = _count_rows(upload, self.formats[int(index)], settings.IMPORT_MAX_ROWS + 1)
        if rows > settings.IMPORT_MAX_ROWS:
            self.add_error(
                "import_file",
                f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows, the most one import takes "
                "(IMPORT_MAX_ROWS). Split it into smaller files.",
            )
        return cleaned


def _count_rows(upload, file_format, limit: int) -> int:
    """The rows under the header, counted up to ``limit`` only; 0 for an unreadable file (the import says why)."""
    data = upload.read()
    upload.seek(0)
    try:
        if file_format is XLSX:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
            lines = sheet.iter_rows(values_only=True)
        else:
            lines = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        count = -1  # the header
        for _line in lines:
            count += 1
            if count >= limit:
                break
        return max(count, 0)
    except Exception:  # noqa: BLE001 - any unreadable file: the import's own reader reports it in words
        return 0


class ClaimImportExportMixin(ImportExportMixin):
    resource_classes = [ClaimResource]
    import_form_class = SizedImportForm
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    # The history says who imported what; one admin log entry per row would double it.
    skip_admin_log = True

    def has_import_permission(self, request):
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def has_export_permission(self, request):
        return request.user.has_perm("claims.view_claim")

    def get_confirm_form_initial(self, request, import_form):
        """The preview: the stored upload's name is remembered for this session, the only one it may confirm."""
        initial = super().get_confirm_form_initial(request, import_form)
        if initial.get("import_file_name"):
            previewed = request.session.get(PREVIEWED, {})
            previewed[initial["import_file_name"]] = str(initial["format"])
            request.session[PREVIEWED] = dict(list(previewed.items())[-KEPT:])
        return initial

    def process_import(self, request, **kwargs):
        """The confirmation; once per upload, of an upload this user previewed, in the format it was read in."""
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # 405 / 403 as import-export answers them
        name, file_format = request.POST.get("import_file_name", ""), request.POST.get("format", "")
        previewed = request.session.get(PREVIEWED, {})
        if previewed.get(name) is None:
            messages.error(request, "This confirmation is not for a file you previewed: upload the file again.")
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))
        if file_format != previewed[name] or request.POST.get("resource", "") not in ("", "0"):
            messages.error(request, "This confirmation does not match its preview: upload the file again.")
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))
        # Once per upload, however it is sent again (a double click, back and resubmit, two
        # tabs at once): the cache's add is atomic across every web process, and only the first
        # confirmation gets it. The session could not say it: two requests read it before
        # either writes it back.
        if not cache.add(CONFIRMING + name, request.user.pk, UPLOAD_LIFETIME_SECONDS):
            messages.info(request, "This file was already confirmed: nothing more was written.")
            return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The upload is no longer in the cache: it expired (claims.imports.storage), or the
            # cache was away when it was stored. Nothing was read, so nothing was written.
            messages.error(request, "The upload expired before its confirmation: nothing was written. Upload it again.")
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Another write between the preview and the confirmation: nothing was imported.
            rows = [row.number for row in result.invalid_rows] + [number for number, _ in result.row_errors()]
            messages.error(
                request,
                "Nothing was imported: rows "
                + ", ".join(map(str, sorted(rows)))
                + " could not be written any more. Upload the file again to see why.",
            )
            return HttpResponseRedirect(reverse("admin:claims_claim_import"))
        return super().process_result(result, request)
