"""The claim list's Import and Export (django-import-export's pages), limited to who may write claims.

Import: upload a CSV or XLSX file, read the preview (per row: new, changed, unchanged, or
its errors in words), confirm. Nothing is written before the confirmation, and nothing
at all if any row fails then (claims.imports.resource). Export writes the same columns,
so a desk can edit in a spreadsheet and import the file back.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from claims.imports.resource import ClaimResource

# Importing adds claims and changes existing ones: both permissions, checked on every step.
IMPORT_PERMISSIONS = ("claims.add_claim", "claims.change_claim")


class ClaimImportExportMixin(ImportExportMixin):
    resource_classes = [ClaimResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    # The history says who imported what; one admin log entry per row would double it.
    skip_admin_log = True

    def has_import_permission(self, request):
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def has_export_permission(self, request):
        return request.user.has_perm("claims.view_claim")

    def process_import(self, request, **kwargs):
        """The confirmation; once per upload: the uploaded file is removed when it is imported."""
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # A second submission of the same confirmation (a double click, back and resubmit):
            # the first imported the file, and the same rows again would change nothing anyway.
            messages.info(request, "This file was already imported (or its upload expired): nothing more was written.")
            return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))

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
