"""Vietnamese text helpers: NFC for storage and display, folding for search, dates as
officials write them."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from motcua.domain.calendar import VN_TZ
from motcua.domain.errors import ValidationError


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


# Latin letters with diacritics (Vietnamese uses U+00C0-U+024F and U+1E00-U+1EFF) mapped to
# their folded form once, so folding millions of names is a str.translate.
_FOLD = {cp: _slow_fold(chr(cp)) or None
         for block in (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
         for cp in block if unicodedata.category(chr(cp)).startswith("L")}


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ -> d), collapse spaces: ``ĐĂNG KÝ`` -> ``dang ky``.

    Works for NFC and NFD input alike, so search is diacritic-insensitive.
    """
    folded = unicodedata.normalize("NFC", text).translate(_FOLD)
    if not folded.isascii():
        return _slow_fold(folded)
    return " ".join(folded.lower().split())


def vn_number(value: float, decimals: int = 0) -> str:
    """A number as Vietnamese officials write it: 1.019 and 97,14."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_date_time(value: str | datetime | None, empty: str = "") -> str:
    """An instant (or its ISO 8601 text) as officials write it, in Vietnam time:
    ``14:00 25/11/2026``; ``empty`` when there is none."""
    if not value:
        return empty
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{instant.astimezone(VN_TZ):%H:%M %d/%m/%Y}"


FIRST_YEAR, LAST_YEAR = 1900, 2100  # the years a record can speak of
SEARCH_WORDS = 10  # words of a search beyond these are ignored (a pasted page is no query)


def search_words(q: str) -> list[str]:
    """The first ``SEARCH_WORDS`` distinct words of a search, folded (no diacritics, no
    case), each at most 40 characters."""
    words = []
    for word in fold(q or "").split():
        if word[:40] not in words:
            words.append(word[:40])
        if len(words) == SEARCH_WORDS:
            break
    return words


def parse_date(text: str) -> date:
    """A day written dd/mm/yyyy (as officials write it) or yyyy-mm-dd, in 1900-2100;
    ``ValueError`` otherwise."""
    value = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, not an instant
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise ValueError(value)


def parse_instant(text: str, label: str = "Thời điểm") -> datetime:
    """An instant as an official types it: "dd/mm/yyyy HH:MM", "dd/mm/yyyy" or ISO 8601.

    A time without an offset is Vietnam time, as officials write it. A wrong
    value raises ``ValidationError`` naming ``label``.
    """
    value = (text or "").strip()
    parsed = None
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=VN_TZ)
            break
        except ValueError:
            pass
    try:
        parsed = parsed or datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"“{label}” không phải thời điểm hợp lệ; hãy nhập theo dạng "
                              f"16/01/2025 17:00 (hoặc ISO 8601).") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValidationError(f"“{label}”: năm {parsed.year} nằm ngoài khoảng cho phép.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)
