"""Open data: every published claim as /data/claims.csv and /data/claims.json, built by a worker.

- ``build`` writes the two documents, public fields only (the API's representation,
  claims.api.serializers), in a stable schema (docs/data.md), with the licence
  (settings.DATA_LICENSE) in the JSON's metadata; the same bytes for the same register,
  whoever writes them (the worker, or ``python manage.py export_claims``).
- ``store`` keeps them as files in the "opendata" storage (OPEN_DATA_DIR), named by their
  content, and a manifest of the current ones in the cache.
- ``refresh``: after a public change a build is queued (``claims.tasks.build_open_data``),
  at most once per OPEN_DATA_SECONDS; beat runs the same task as often and builds what
  is missing or older than the last change. Two builds never run at once (a lock).
- ``views`` serve the stored files with ETag and Last-Modified (304 on If-None-Match),
  and /data/, the page that lists them with the licence. Nothing is built in a request:
  before the first build the answer is 503 with Retry-After, and a build is queued.
"""
