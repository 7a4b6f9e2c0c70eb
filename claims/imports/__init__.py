"""Bulk import and export of claims as spreadsheets (CSV, XLSX), in the admin (django-import-export).

- ``columns``: the file's columns, how each cell is read and written, and the errors in words;
- ``resource``: the import itself: rows keyed by slug, claimants and sources matched or
  created, deadline phrases and targets read by the intake's parsers, every write through
  claims.services with the importing user and the file's name, all or nothing;
- ``admin``: the claim list's Import and Export buttons, for those who may add and change claims.
"""
