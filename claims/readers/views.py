"""The readers' own pages: suggest a claim, follow by email, confirm, unsubscribe, manage.

None of these is cached (they carry CSRF tokens, or act on a reader's link), and the
cached public pages only link to them: a cached page never holds a token. Each form POST
counts against its address's hourly limit (claims.throttle.rate, ``TIP_RATE_LIMIT`` and
``FOLLOW_RATE_LIMIT``) and is refused before Django reads more than MAX_BODY bytes of it.

Links from emails (confirm, unsubscribe, manage) are signed (claims.readers.tokens).
Opening a confirmation link shows a button rather than confirming: mail scanners follow
links, and a follow confirmed by a scanner would not be the reader's consent. The
unsubscribe address takes a POST with no CSRF token, as RFC 8058's one-click
unsubscribe requires (mail clients post ``List-Unsubscribe=One-Click`` to it): the
signed link is the authentication.
"""

from functools import wraps

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from claims.context_processors import newsroom
from claims.models import Claim, Claimant, Reader, ReaderTip, Subscription
from claims.readers import emails, subscriptions, tips, tokens
from claims.readers.forms import FollowForm, TipForm
from claims.throttle import rate
from claims.views import frame

# A tip is under 2 KB; no form of these pages needs more than this.
MAX_BODY = 16 * 1024
HOUR = 3600
LIMITED = "Too many {what} from your address in the last hour. Please try again in {minutes} minute{s}."


def _page(request, template: str, context: dict, *, title: str, status: int = 200, nav: str = ""):
    # With the request: the context processors give {% csrf_token %} its token.
    content = render_to_string(f"public/readers/{template}", {**newsroom(request), **context}, request=request)
    response = frame.page({"title": title, "content": content}, status=status, nav=nav)
    add_never_cache_headers(response)
    return response


def _notice(request, title: str, text: str, *, status: int = 200, links: tuple = ()):
    return _page(request, "notice.html", {"heading": title, "text": text, "links": links}, title=title, status=status)


def reader_form(view):
    """A page with a form: GET and POST only, a body of at most MAX_BODY bytes, CSRF checked after that."""
    checked = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = MAX_BODY + 1
            if length > MAX_BODY:
                return _notice(
                    request, "Too long", "This form sent far more than it asks for; nothing was kept.", status=413
                )
        return checked(request, *args, **kwargs)

    # The size is checked before CsrfViewMiddleware would read the body; csrf_protect checks the token after.
    return require_http_methods(["GET", "HEAD", "POST"])(csrf_exempt(wrapper))


def _limited(request, form, *, scope: str, allowed: int, what: str):
    """Count a POST against its address's hourly limit; the seconds to wait (with an error on the form), or None."""
    wait = rate.retry_after(request, allowed=allowed, window=HOUR, scope=scope)
    if wait is None:
        return None
    form.is_valid()
    minutes = max(1, -(-wait // 60))
    form.add_error(None, LIMITED.format(what=what, minutes=minutes, s="" if minutes == 1 else "s"))
    return wait


# --- tips ----------------------------------------------------------------------------------------


@reader_form
def suggest(request):
    form = TipForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        wait = _limited(request, form, scope="tip", allowed=settings.TIP_RATE_LIMIT, what="tips")
        if wait is None and form.is_valid():
            data = form.cleaned_data
            tips.submit(statement=data["statement"], claimant=data["claimant"], url=data["url"], email=data["email"])
            return redirect("suggest-thanks")
        status = 429 if wait else 400
    response = _page(request, "suggest.html", {"form": form}, title="Suggest a claim", status=status, nav="suggest")
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


def suggest_thanks(request):
    return _notice(
        request,
        "Thank you for your tip",
        "An editor will read it. If you left your email address, we sent a link to confirm it: "
        "once you confirm, we tell you (once) if we publish a claim from your tip.",
        links=(("Suggest another claim", "suggest"), ("Back to the tracker", "overview")),
    )


@reader_form
def suggest_confirm(request, token: str):
    try:
        pk = tokens.read_confirmation(tokens.TIP, token)
    except tokens.ExpiredLink:
        return _expired(request)
    except tokens.BadLink:
        return _bad_link(request)
    tip = ReaderTip.objects.filter(pk=pk, reader__isnull=False).first()
    if tip is None:
        return _notice(request, "Nothing to confirm", "This tip's address was erased or withdrawn.", status=404)
    if request.method == "POST":
        tips.confirm_email(pk)
        return _notice(
            request,
            "Address confirmed",
            "Thank you. We will tell you once if we publish a claim from your tip.",
            links=(("Back to the tracker", "overview"),),
        )
    if tip.email_confirmed_at is not None:
        return _notice(request, "Already confirmed", "This address was confirmed before; nothing more to do.")
    return _page(request, "confirm.html", {"tip": tip}, title="Confirm your address")


# --- following -------------------------------------------------------------------------------------


def _target(request) -> dict:
    """What the follow page is for, from ?claim= or ?claimant= (published only); neither: everything."""
    claim_slug, claimant_slug = request.GET.get("claim"), request.GET.get("claimant")
    if claim_slug and claimant_slug:
        raise Http404("Follow a claim or a claimant, not both at once.")
    if claim_slug:
        claim = Claim.objects.published().select_related("claimant").filter(slug=claim_slug[:200]).first()
        if claim is None:
            raise Http404("No published claim has this address.")
        return {"claim": claim}
    if claimant_slug:
        # As the claimant's page finds it: only a claimant with a published claim exists publicly.
        published = Exists(Claim.objects.published().filter(claimant=OuterRef("pk")))
        claimant = Claimant.objects.filter(published, slug=claimant_slug[:200]).order_by().first()
        if claimant is None:
            raise Http404("No claimant has this address.")
        return {"claimant": claimant}
    return {}


@reader_form
def follow(request):
    target = _target(request)
    form = FollowForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        wait = _limited(request, form, scope="follow", allowed=settings.FOLLOW_RATE_LIMIT, what="requests to follow")
        if wait is None and form.is_valid():
            subscriptions.follow(form.cleaned_data["email"], **target)
            return redirect("follow-sent")
        status = 429 if wait else 400
    described = emails.describe(Subscription(**subscriptions.target_of(**target)))
    context = {"form": form, "following": described, **target}
    response = _page(request, "follow.html", context, title="Follow by email", status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


def follow_sent(request):
    return _notice(
        request,
        "Check your inbox",
        "If this address does not follow it yet, we have sent it a link to confirm. Nothing else is sent "
        f"until you confirm, and the link works for {settings.FOLLOW_LINK_MAX_AGE_DAYS} days.",
        links=(("Back to the tracker", "overview"),),
    )


@reader_form
def follow_confirm(request, token: str):
    try:
        pk = tokens.read_confirmation(tokens.FOLLOW, token)
    except tokens.ExpiredLink:
        return _expired(request)
    except tokens.BadLink:
        return _bad_link(request)
    subscription = Subscription.objects.select_related("reader", "claim__claimant", "claimant").filter(pk=pk).first()
    if subscription is None:
        return _notice(request, "Nothing to confirm", "This request was withdrawn, or its address erased.", status=404)
    if subscription.claim_id is not None and subscription.claim.published_at is None:
        return _notice(request, "No longer published", "This claim is no longer on our tracker.", status=404)
    described = emails.describe(subscription)
    context = {"following": described, "following_url": emails.target_url(subscription)}
    if request.method == "POST":
        subscriptions.confirm(pk)
        context["manage_url"] = emails.reader_links(subscription.reader)["manage_url"]
        return _page(request, "confirmed.html", context, title="You follow it now")
    if subscription.confirmed_at is not None:
        context["manage_url"] = emails.reader_links(subscription.reader)["manage_url"]
        return _page(request, "confirmed.html", {**context, "before": True}, title="Already confirmed")
    return _page(request, "confirm.html", context, title="Confirm: follow by email")


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt
def unsubscribe(request, token: str):
    """RFC 8058 one-click: a POST to this address unsubscribes, whatever its body; a GET shows the button."""
    try:
        reader = Reader.objects.filter(pk=tokens.read_reader(token)).first()
    except tokens.BadLink:
        return _bad_link(request)
    if request.method == "POST":
        if reader is not None:
            subscriptions.stop_all(reader)
        return _notice(
            request,
            "Unsubscribed",
            "You will get no more email from us at this address, unless you follow something again.",
            links=(("Back to the tracker", "overview"),),
        )
    return _page(request, "unsubscribe.html", {"known": reader is not None}, title="Unsubscribe")


@reader_form
def manage(request, token: str):
    try:
        reader = Reader.objects.filter(pk=tokens.read_reader(token)).first()
    except tokens.BadLink:
        return _bad_link(request)
    if reader is None:
        return _notice(request, "Nothing here", "This address is not on our lists (any more).", status=404)
    notice = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "erase":
            subscriptions.erase(reader, reason="the reader's own request")
            return _notice(
                request,
                "Your address is erased",
                "We no longer keep your address, nor anything you followed. Tips you sent stay, without it.",
                links=(("Back to the tracker", "overview"),),
            )
        if action == "stop_all":
            subscriptions.stop_all(reader)
            notice = "You follow nothing any more."
        elif action.startswith("stop:") and action[5:].isdigit() and len(action) < 25:
            stopped = subscriptions.stop(reader, int(action[5:]))
            notice = "Stopped." if stopped else "That was stopped already."
        else:
            notice = "Nothing was changed: choose one of the buttons."
    rows = [
        {"id": s.pk, "following": emails.describe(s), "url": emails.target_url(s), "confirmed": s.confirmed_at}
        for s in reader.subscriptions.select_related("claim__claimant", "claimant")
    ]
    context = {"rows": rows, "address": _masked(reader.email), "notice": notice}
    return _page(request, "manage.html", context, title="Your subscriptions")


def _masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:2]}{'•' * max(1, len(local) - 2)}@{domain}"


def _expired(request):
    return _notice(
        request,
        "This link has expired",
        f"Confirmation links work for {settings.FOLLOW_LINK_MAX_AGE_DAYS} days. Ask again from the page "
        "you started on and we will send a new one.",
        status=410,
        links=(("Back to the tracker", "overview"),),
    )


def _bad_link(request):
    return _notice(
        request,
        "This link does not work",
        "It may have been cut short or changed on its way. Copy the whole link from the email.",
        status=400,
        links=(("Back to the tracker", "overview"),),
    )
