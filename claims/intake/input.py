"""Reading an article's text from an upload, a paste or a file, with clear refusals.

Shared by the admin intake and `extract_claims`, so both refuse the same things with
the same words: nothing at all, binary data, text that is not UTF-8, and articles over
the size limit (a megabyte of text is several hundred pages; larger pastes are almost
always the wrong file).
"""

import datetime

from claims.models import EARLIEST_DATE

MAX_ARTICLE_BYTES = 1_048_576  # 1 MiB of UTF-8: the benchmark's "1 MB article" fits

# Control characters never found in an article's text (tab, newlines and form feed are fine).
_BINARY_CONTROLS = frozenset(chr(code) for code in range(32)) - {"\t", "\n", "\r", "\f"}


class ArticleError(ValueError):
    """The input is not an article we can read; the message says why and what to do."""


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def check_size(size: int) -> None:
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"The article is {_megabytes(size)}; intake reads up to {_megabytes(MAX_ARTICLE_BYTES)} at a time. "
            "Split it and submit the parts one after the other."
        )


def decode_article(data: bytes) -> str:
    """UTF-8 bytes (a byte-order mark is allowed) to checked text."""
    check_size(len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError("The file is UTF-16 text (Windows “Unicode”). Save it as UTF-8 and try again.")
    if b"\x00" in data:
        raise ArticleError("This looks like a binary file (it contains NUL bytes). Give the article as plain text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start}). "
            "Save it as UTF-8 (plain text) and try again."
        ) from None
    return check_article_text(text)


def check_article_text(text: str) -> str:
    """The text itself must be non-empty, small enough and free of binary control characters."""
    if not text or not text.strip():
        raise ArticleError("The article is empty. Paste its text or upload a UTF-8 text file.")
    check_size(len(text.encode("utf-8", errors="surrogatepass")))
    controls = sum(1 for char in text[:10_000] if char in _BINARY_CONTROLS)
    if controls > 8:
        raise ArticleError(
            f"The text contains {controls} control characters in its first 10,000 characters: it looks binary. "
            "Paste the article as plain text."
        )
    return text


# Publication dates outside this range are typing mistakes (2062 for 2026), and every
# relative deadline ("next year", "within three years") would be read from them.
EARLIEST_PUBLICATION = EARLIEST_DATE


def check_publication_date(published: datetime.date | None, today: datetime.date) -> datetime.date | None:
    """The publication date, or ArticleError when it cannot be one (before 1900, after tomorrow)."""
    if published is None:
        return None
    if published < EARLIEST_PUBLICATION:
        raise ArticleError(f"A publication date before {EARLIEST_PUBLICATION.year} is surely a typing mistake.")
    if published > today + datetime.timedelta(days=1):
        raise ArticleError(f"The publication date {published:%Y-%m-%d} is in the future; check the year.")
    return published
