"""/data/ and its files, served as stored (claims.opendata.store): never built here.

A file is sent from the storage with its ETag (its content's hash) and Last-Modified
(when it was built); a client that has it gets 304. Before the first build (a fresh
deploy, the cache emptied) the answer is 503 with Retry-After, and a build is queued.
"""

import datetime

from django.conf import settings
from django.http import FileResponse, Http404

from claims import public_cache
from claims.opendata import build, refresh, store
from claims.views import frame

NOT_READY = "The open data files are being built. Please come back in a few minutes."
RETRY_AFTER_SECONDS = 120
TITLE = "Open data"


def _not_ready():
    # A fresh deploy or an emptied Redis: a worker builds it (queued here, at most once a while).
    refresh.ask_for_build()
    return public_cache.being_built(NOT_READY, RETRY_AFTER_SECONDS)


def _license_link() -> str:
    return f'<{settings.DATA_LICENSE_URL}>; rel="license"'


def download(request, format: str):
    if format not in build.FORMATS:
        raise Http404("No such file.")
    manifest = store.manifest()
    if manifest is None:
        return _not_ready()
    stored = manifest["files"][format]
    try:
        handle = store.storage().open(stored["name"], "rb")
    except FileNotFoundError:
        return _not_ready()  # removed by hand, or another host's storage: the next build puts it back
    response = FileResponse(handle, content_type=build.CONTENT_TYPES[format])
    response["Content-Length"] = str(stored["size"])
    response["Content-Disposition"] = f'inline; filename="claims.{format}"'
    response["Link"] = _license_link()
    response["X-License"] = settings.DATA_LICENSE
    answer = public_cache.conditional_response(
        request, response, etag=stored["etag"], last_modified=manifest["built_at"]
    )
    if answer is not response:
        handle.close()
        answer["Link"] = _license_link()
    return answer


def index(request):
    manifest = store.manifest()
    files = []
    if manifest is not None:
        for format in build.FORMATS:
            files.append({"format": format, "path": f"claims.{format}", **manifest["files"][format]})
    context = {
        "files": files,
        "built_at": manifest and datetime.datetime.fromtimestamp(manifest["built_at"], datetime.UTC),
        "license": build.license_info(),
        "columns": build.CSV_COLUMNS,
        "schema_version": build.SCHEMA_VERSION,
    }
    return frame.render(request, "public/data.html", context, title=TITLE)
