"""Where the limits apply: wrappers for public views, and a middleware for sign-in.

In claims/urls.py a view is wrapped as ``rate_limited(cache_public(bounded(view, when=...), params=...))``:

- ``rate_limited`` counts every request it is asked to (all of the API, a search on the
  list page), cached or not, before anything else;
- ``cache_public`` answers hits from the page cache; only a miss calls the view inside;
- ``bounded`` takes one of the deployment's slots for expensive work (claims.throttle.slots)
  when ``when(request)`` says the request is expensive, decided from the request alone, and
  gives it back once the response is rendered. Cached hits never get this far.

Sign-in POSTs (a password hash is a fifth of a second of CPU on purpose) count against
their address's sign-in limit and take a slot from the same cap, through ``SignInGuard``: a
crowd guessing passwords then holds at most the cap's workers, not all of them.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.html import escape

from claims.throttle import rate, slots

# A page number from which a list counts as expensive (the deferred join starts at row 100;
# far pages cost more as the rows to skip grow).
EXPENSIVE_FROM_PAGE = 10
# The list filters of the claim list and the API (claims.api.filters.ClaimFilter), search aside.
FILTERS = ("status", "claimant", "year", "overdue", "sort")
# Views whose POST checks a password (resolver view names).
SIGN_IN_VIEWS = frozenset({"admin:login"})
BUSY = "The site is busy right now and could not answer this request. Please try again in a few seconds."
TOO_MANY = "Too many requests from your address. Please wait a little before asking again."


# --- which requests are expensive ----------------------------------------------------


def searching(request, *args, **kwargs) -> bool:
    return bool(request.GET.get("q", "").strip())


def deep(request, *args, **kwargs) -> bool:
    try:
        return int(request.GET.get("page", "")) > EXPENSIVE_FROM_PAGE
    except ValueError:
        return False  # answered 400 before any query


def searched_filtered_or_deep(request, *args, **kwargs) -> bool:
    """A list request that is not one of the few addresses everyone reads (and the cache keeps)."""
    return searching(request) or deep(request) or any(request.GET.get(name) for name in FILTERS)


def always(request, *args, **kwargs) -> bool:
    return True


# --- refusals -------------------------------------------------------------------------


def refusal(status: int, message: str, retry_after: int, *, json: bool = False):
    """A short answer of our own: a page in the site's frame, or JSON for the API; never cached."""
    if json:
        response = JsonResponse({"detail": message}, status=status)
    else:
        from claims.views import frame  # the public site's frame; imported late, as views import this module

        title = "Busy, try again shortly" if status == 503 else "Too many requests"
        content = f'<h1>{escape(title)}</h1>\n<p class="lede">{escape(message)}</p>'
        response = frame.page({"title": title, "content": content}, status=status)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx as an error and every 4xx as a warning (django.request); under an
    # attack that is thousands of lines a second, each costing the worker time. These are
    # expected answers, so they are marked as logged, as Django marks what it has logged.
    response._has_been_logged = True
    return response


def busy(*, json: bool = False):
    return refusal(503, BUSY, settings.PUBLIC_BUSY_RETRY_AFTER, json=json)


# --- wrappers ---------------------------------------------------------------------------


def _rendered(response):
    # TemplateResponse and DRF's Response render lazily: the work is to be done while the slot is held.
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def bounded(view, *, when=always, json: bool = False):
    """Run ``view`` holding a slot of the expensive-work cap when ``when(request, ...)``; 503 if none is free."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not when(request, *args, **kwargs):
            return view(request, *args, **kwargs)
        holder = slots.take()
        if holder is None:
            return busy(json=json)
        try:
            return _rendered(view(request, *args, **kwargs))
        finally:
            slots.give_back(holder)

    return wrapper


def rate_limited(view, *, when=always, json: bool = False, kind: str = rate.REQUESTS):
    """Count requests for which ``when(request, ...)`` against their address's limit of ``kind``; 429 past it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if when(request, *args, **kwargs):
            wait = rate.retry_after(request, scope=kind)
            if wait is not None:
                return refusal(429, TOO_MANY, wait, json=json)
        return view(request, *args, **kwargs)

    return wrapper


_HOLDER = "_throttle_sign_in_slot"


class SignInGuard:
    """A sign-in POST takes a slot of its own pool (slots.SIGN_IN) for as long as it runs; 503 when none is free."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            holder = request.__dict__.pop(_HOLDER, None)
            if holder:
                slots.give_back(holder, slots.SIGN_IN)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        if request.resolver_match.view_name not in SIGN_IN_VIEWS:
            return None
        wait = rate.retry_after(request, scope=rate.SIGN_IN)  # guesses count against a limit of their own
        if wait is not None:
            return refusal(429, TOO_MANY, wait)
        holder = slots.take(slots.SIGN_IN)
        if holder is None:
            return busy()
        request.__dict__[_HOLDER] = holder
        return None
