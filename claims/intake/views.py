"""Admin intake: paste or upload an article, review the candidates, keep the good ones.

Three steps, all behind the admin's login (urls.py wraps each view in
admin.site.admin_view) and the add-claim permission, checked here on the server:

1. ``start`` shows the article form; a valid POST extracts candidates and renders the
   review page straight away, with a one-time token (confirmation.issue). Nothing is
   saved: the article rides along in hidden fields, so an error at any step shows the
   editor's text again.
2. ``confirm`` receives the review; the ticked candidates become draft claims of one
   Source (or further appearances of existing claims), all or nothing, once per review
   page: a repeated submission is sent to what the first one saved. Possible duplicates
   are looked up again here, so an edit made without JavaScript is checked too.
3. ``done`` shows what was saved, with links into the admin.

``duplicates`` answers the review page's script (static/intake/review.js) when the
editor changes a candidate's claimant or statement.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims.intake import confirmation
from claims.intake.extract import extract
from claims.intake.forms import MAX_CANDIDATES, ArticleCarryForm, ArticleForm, CandidateFormSet, initial_from
from claims.intake.keep import keep_candidates
from claims.intake.matching import MAX_TEXT_CHARS, Match, possible_duplicates
from claims.models import Claim, Source, newsroom_today
from claims.readers import tips

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
        # From the reader tips inbox: the tip's words as the article, its link as the source.
        form = ArticleForm(prefix=ARTICLE_PREFIX, initial=tips.intake_initial(request.GET.get("tip")))
    return render(request, "admin/intake/start.html", _context(request, form=form))


def _review_new(request, article: dict):
    candidates = extract(article["text"], article["published_on"], today=newsroom_today())
    shown = sorted(sorted(candidates, key=lambda c: -c.score)[:MAX_CANDIDATES], key=lambda c: c.offset)
    carry = ArticleCarryForm(initial={**article, "token": confirmation.issue(request.user)}, prefix=ARTICLE_PREFIX)
    formset = CandidateFormSet(initial=[initial_from(candidate) for candidate in shown], prefix=CANDIDATES_PREFIX)
    return _render_review(request, carry, formset, found=len(candidates))


def _duplicates_of(forms) -> list[list[Match]]:
    return possible_duplicates(
        [
            (form["claimant"].value(), [form["statement"].value() or "", form["sentence"].value() or ""])
            for form in forms
        ]
    )


def _duplicate_rows(matches: list[Match]) -> list[dict]:
    return [{"match": match, "url": reverse("admin:claims_claim_change", args=[match.claim_id])} for match in matches]


def _render_review(request, carry, formset, *, found: int, status: int = 200):
    rows = []
    for form, matches in zip(formset, _duplicates_of(formset), strict=True):
        chosen = form["appearance_of"].value()
        seen_before = {part for part in str(form["duplicates_seen"].value() or "").split(",") if part}
        if not chosen and matches and matches[0].likely_same and str(matches[0].claim_id) not in seen_before:
            # Newly found and almost word for word the same claim: propose an appearance.
            chosen = matches[0].claim_id
        rows.append(
            {
                "form": form,
                "duplicates": _duplicate_rows(matches),
                "chosen": str(chosen or ""),
                "seen": ",".join(str(match.claim_id) for match in matches),
            }
        )
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


def _unseen_repeats(formset) -> bool:
    """Check the kept new claims against the register again; add errors for repeats.

    A kept candidate whose statement is an existing claim's, word for word, cannot become a
    new claim; one that is very likely the same claim (LIKELY_SAME) and was never shown to
    the editor (the claimant was changed without the page's script) sends the review back
    with the duplicate shown and "add as a further appearance" proposed.
    """
    kept = [form for form in formset if form.cleaned_data.get("keep") and not form.cleaned_data.get("appearance_of")]
    found = False
    for form, matches in zip(kept, _duplicates_of(kept), strict=True):
        exact = next((match for match in matches if match.exact), None)
        unseen = [m for m in matches if m.likely_same and m.claim_id not in form.cleaned_data["duplicates_seen"]]
        if exact:
            form.add_error(
                None,
                f"This statement is already in the register, word for word (claim {exact.claim_id}): "
                "add this article as a further appearance of it instead.",
            )
            found = True
        elif unseen:
            form.add_error(
                None,
                f"This candidate very likely repeats a claim already in the register "
                f"({unseen[0].similarity}% similar): check it below, then keep it as a new claim "
                "or add the article as a further appearance.",
            )
            found = True
    return found


@require_POST
def confirm(request):
    _require(request)
    carry = ArticleCarryForm(request.POST, prefix=ARTICLE_PREFIX)
    formset = CandidateFormSet(request.POST, prefix=CANDIDATES_PREFIX)
    if not (carry.is_valid() and formset.is_valid()):
        return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
    kept = [form.cleaned_data for form in formset if form.cleaned_data.get("keep")]
    if not kept:
        messages.error(request, "Tick at least one candidate to keep (nothing was saved).")
        return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
    if any(row.get("appearance_of") for row in kept):
        _require(request, ADD_APPEARANCE)
    token = carry.cleaned_data["token"]
    try:
        # A page confirmed before is answered with what it saved, before its candidates are
        # checked against the register (which now holds them). spend() below decides races.
        confirmation.check(token, request.user)
        if _unseen_repeats(formset):
            return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
        with transaction.atomic():
            confirmation.spend(token, request.user)
            result = keep_candidates(carry.cleaned_data, kept, by=request.user)
            confirmation.record(token, request.user, result.source)
            if carry.cleaned_data.get("tip"):
                tips.link_claims(carry.cleaned_data["tip"], result.claims, by=request.user)
    except confirmation.Spent as spent:
        if spent.source_id is None:
            messages.warning(request, "This review was already confirmed; its source has since been deleted.")
            return redirect("intake:start")
        messages.info(request, "This review was already confirmed: here is what was saved. Nothing was saved twice.")
        return redirect("intake:done", source_id=spent.source_id)
    except confirmation.UnknownToken:
        messages.error(
            request,
            "This review page has expired or was not opened by you; nothing was saved. "
            "Keep the candidates again from this page.",
        )
        data = request.POST.copy()
        data[f"{ARTICLE_PREFIX}-token"] = confirmation.issue(request.user)
        carry = ArticleCarryForm(data, prefix=ARTICLE_PREFIX)
        carry.is_valid()
        return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
    except ValidationError as error:
        # A rule checked only when saving (e.g. a URL already used differently): nothing was saved.
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
        return _render_review(request, carry, formset, found=formset.total_form_count(), status=400)
    kept_text = f"Kept {len(result.claims)} draft claim(s)"
    if result.appearances:
        kept_text += f" and {len(result.appearances)} further appearance(s) of existing claims"
    messages.success(request, f"{kept_text} from “{result.source.title}”.")
    return redirect("intake:done", source_id=result.source.pk)


@require_POST
def duplicates(request):
    """The existing claims a candidate may repeat, for the review page's script (JSON).

    A POST (with the page's CSRF token) although it reads only: a statement and a sentence
    can be thousands of characters, more than a request line may carry behind a proxy.
    """
    _require(request)
    claimant = request.POST.get("claimant", "")
    texts = [request.POST.get("statement", ""), request.POST.get("sentence", "")]
    if len(claimant) > 200 or any(len(text) > MAX_TEXT_CHARS for text in texts):
        return JsonResponse({"error": f"Claimant up to 200 and texts up to {MAX_TEXT_CHARS} characters."}, status=400)
    (matches,) = possible_duplicates([(claimant, texts)])
    return JsonResponse(
        {
            "matches": [
                {
                    "claim_id": row["match"].claim_id,
                    "statement": row["match"].statement,
                    "similarity": row["match"].similarity,
                    "likely_same": row["match"].likely_same,
                    "exact": row["match"].exact,
                    "url": row["url"],
                }
                for row in _duplicate_rows(matches)
            ]
        }
    )


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
