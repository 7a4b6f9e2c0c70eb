"""Where an uploaded sheet waits between its preview and its confirmation: the cache, under a random name.

django-import-export's default keeps it in the system's temporary folder and reads (then
deletes) whatever name the confirmation posts back; the cache holds only uploads, under
names nobody can guess, shared by every web process, and they expire by themselves. The
admin also accepts only a name this user previewed (claims.imports.admin).
"""

from import_export.tmp_storages import CacheStorage

# An upload is confirmed within minutes; after this it is gone and must be uploaded again.
UPLOAD_LIFETIME_SECONDS = 3600


class UploadCacheStorage(CacheStorage):
    CACHE_LIFETIME = UPLOAD_LIFETIME_SECONDS
    CACHE_PREFIX = "claims-import-upload-"

    def read(self):
        data = super().read()
        if data is None:
            # Expired, already imported, or never stored (Redis was away): as a missing file.
            raise FileNotFoundError(self.name)
        return data
