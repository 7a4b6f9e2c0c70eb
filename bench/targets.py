"""What the web benchmark requests: the issue's endpoints, resolved against this checkout.

Prints one JSON object: each endpoint with its path, its kind (which target applies) and
whether this checkout routes it yet, plus a session cookie for the editor the admin list
is measured as. An endpoint whose URL does not exist yet is reported "not available yet"
instead of failing the run, so the harness works while the public pages are being built.

    python -m bench.targets     (DATABASE_URL names the benchmark database)
"""

import json
from dataclasses import asdict, dataclass

# Kinds decide the target (docs/benchmarks.md, "Targets"): lists 0.2 of the ceiling
# uncached, detail pages 0.3, every public page 0.8 cached; admin p99 under 300 ms.
LIST, DETAIL, ADMIN = "list", "detail", "admin"
ADMIN_USERNAME = "bench-editor-01"


@dataclass
class Endpoint:
    name: str
    path: str | None
    kind: str
    available: bool = True
    note: str = ""


def _resolvable(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def _reversed(name: str, **kwargs) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _sample_claim():
    """A published claim with a full page: rated, with timeline entries and a further appearance."""
    from claims.models import Claim

    claims = Claim.objects.published().order_by("id")
    return (
        claims.filter(status="fulfilled_late", appearances__isnull=False).first()
        or claims.filter(updates__isnull=False).first()
        or claims.first()
    )


def _busiest_claimant():
    """The claimant with the most claims: the heaviest claimant page, and the one most read."""
    from django.db.models import Count

    from claims.models import Claimant

    return Claimant.objects.annotate(n=Count("claims")).order_by("-n", "id").first()


def endpoints() -> list[Endpoint]:
    claim, claimant = _sample_claim(), _busiest_claimant()
    fixed = [
        Endpoint("overview /", "/", LIST),
        Endpoint("claim list /claims/", "/claims/", LIST),
        Endpoint("filtered list, page 50", "/claims/?status=missed&page=50", LIST),
    ]
    detail = [
        Endpoint("claim page", claim and _reversed("claim-detail", slug=claim.slug), DETAIL),
        Endpoint("claimant page", claimant and _reversed("claimant-detail", slug=claimant.slug), DETAIL),
    ]
    feeds = [
        Endpoint("feed /claims/feed/", "/claims/feed/", LIST),
        Endpoint("calendar /claims/deadlines.ics", "/claims/deadlines.ics", LIST),
        Endpoint("API list /api/claims/", "/api/claims/", LIST),
    ]
    admin = [
        # The desk's heaviest common filter: "Not yet rated" is about a third of all claims,
        # and a filtered admin list counts its rows exactly.
        Endpoint("admin list, status=pending", "/admin/claims/claim/?status__exact=pending", ADMIN),
        # The desk's daily view: my claims due in the next 30 days.
        Endpoint("admin list, mine + next 30 days", "/admin/claims/claim/?assignee=mine&deadline=30", ADMIN),
    ]
    found = fixed + detail + feeds + admin
    for endpoint in found:
        if endpoint.path is None:
            endpoint.available, endpoint.note = False, "not available yet (no URL named for it)"
        elif not _resolvable(endpoint.path):
            endpoint.available, endpoint.note = False, "not available yet (no such URL)"
    return found


def admin_session_cookie() -> str:
    """A logged-in session for the benchmark editor, made as django.contrib.auth.login would."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=ADMIN_USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def main() -> None:
    from bench.config import setup_django

    setup_django()
    print(json.dumps({"endpoints": [asdict(e) for e in endpoints()], "cookie": admin_session_cookie()}))


if __name__ == "__main__":
    main()
