"""Admin intake: paste or upload an article, review the candidates, keep the good ones.

Three steps, all behind the admin's login (urls.py wraps each view in
admin.site.admin_view) and the add-claim permission, checked here on the server:

1. ``start`` shows the article form; a valid POST extracts candidates and renders the
   review page straight away. Nothing is saved: the article rides along in hidden
   fields, so an error at any step shows the editor's text again.
2. ``confirm`` receives the review; the ticked candidates become draft claims of one
   Source (or further appearances of existing claims), all or nothing.
3. ``done`` shows what was saved, with links into the admin.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.intake.extract import extract
from claims.intake.forms import MAX_CANDIDATES, ArticleCarryForm, ArticleForm, CandidateFormSet, initial_from
from claims.intake.keep import keep_candidates
from claims.intake.matching import possible_duplicates
from claims.models import Claim, Source, newsroom_today

ADD_CLAIM = "claims.add_claim"
ADD_APPEARANCE = "claims.add_appearance"
ARTICLE_PREFIX = "article"
CANDIDATES_PREFIX = "candidates"


def _require(request, permission: str = ADD_CLAIM) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("Intake needs the permission to add claims.")


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), "title": "Intake", **extra}


def start(request):
    _require(request)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES, prefix=ARTICLE_PREFIX)
        if "edit" not in request.POST and form.is_valid():
            return _review_new(request, form.cleaned_data)
    else:
        form = ArticleForm(prefix=ARTICLE_PREFIX)
    return render(request, "admin/intake/start.html", _context(request, form=form))


def _review_new(request, article: dict):
    candidates = extract(article["text"], article["published_on"], today=newsroom_today())
    shown = sorted(sorted(candidates, key=lambda c: -c.score)[:MAX_CANDIDATES], key=lambda c: c.offset)
    carry = ArticleCarryForm(initial=article, prefix=ARTICLE_PREFIX)
    formset = CandidateFormSet(initial=[initial_from(candidate) for candidate in shown], prefix=CANDIDATES_PREFIX)
    return _render_review(request, carry, formset, found=len(candidates))


def _render_review(request, carry, formset, *, found: int, status: int = 200):
    duplicates = possible_duplicates([(form["claimant"].value(), form["sentence"].value() or "") for form in formset])
    rows = [
        {
            "form": form,
            "duplicates": [
                {"match": match, "url": reverse("admin:claims_claim_change", args=[match.claim_id])}
                for match in matches
            ],
        }
        for form, matches in zip(formset, duplicates, strict=True)
    ]
    context = _context(
        request,
        title="Intake: review candidates",
        carry=carry,
        formset=formset,
        rows=rows,
        found=found,
        max_candidates=MAX_CANDIDATES,
    )
    return render(request, "admin/intake/review.html", context, status=status)


@require_POST
def confirm(request):
    _require(request)
    carry = ArticleCarryForm(request.POST, prefix=ARTICLE_PREFIX)
    formset = CandidateFormSet(request.POST, prefix=CANDIDATES_PREFIX)
    if carry.is_valid() and formset.is_valid():
        kept = [form.cleaned_data for form in formset if form.cleaned_data.get("keep")]
        if any(row.get("appearance_of") for row in kept):
            _require(request, ADD_APPEARANCE)
        if kept:
            try:
                result = keep_candidates(carry.cleaned_data, kept, by=request.user)
            except ValidationError as error:
                # A rule checked only when saving (e.g. a URL already used differently): nothing was saved.
                messages.error(request, "Nothing was saved: " + " ".join(error.messages))
                return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
            kept_text = f"Kept {len(result.claims)} draft claim(s)"
            if result.appearances:
                kept_text += f" and {len(result.appearances)} further appearance(s) of existing claims"
            messages.success(request, f"{kept_text} from “{result.source.title}”.")
            return redirect("intake:done", source_id=result.source.pk)
        messages.error(request, "Tick at least one candidate to keep (nothing was saved).")
    return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)


def done(request, source_id: int):
    _require(request)
    source = get_object_or_404(Source, pk=source_id)
    claims = Claim.objects.filter(source=source).select_related("claimant").order_by("id")
    appearances = source.appearances.select_related("claim").order_by("id")
    return render(
        request,
        "admin/intake/done.html",
        _context(request, title="Intake: saved", source=source, claims=claims, appearances=appearances),
    )
