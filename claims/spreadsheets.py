"""Cells of free text made safe for spreadsheets, and read back exactly: one rule for every export.

A statement copied from an article may begin with "=", "+", "-" or "@"; a spreadsheet
opening the file would run it as a formula (=HYPERLINK(...) to anywhere). Such a cell is
written with a leading "'", which spreadsheets read as "this is text". The import takes
that one "'" off again, so a sheet exported and imported back is unchanged; a cell that
really begins with "'" and a formula character is written with a second "'" for the same
reason. Used by the claim list's CSV action (claims.admin.csv_export), the bulk import
and export (claims.imports) and the open data CSV (claims.opendata.build).
"""

# Characters that make a spreadsheet read a cell as a formula, full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _needs_quote(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:].startswith(FORMULA_STARTS))


def text_cell(value: str) -> str:
    """Free text typed by people or copied from articles: a leading formula character is quoted."""
    return "'" + value if _needs_quote(value) else value


def read_text_cell(value: str) -> str:
    """The text a ``text_cell`` was written from: its quoting "'" removed, anything else as it is."""
    if value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value
