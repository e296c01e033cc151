"""How data text is compared and shown: NFC, caseless, spaces collapsed."""

from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=4096)  # the same few words (yes, có, on_time…) fill most cells
def text_key(text: str) -> str:
    """How headers, choices and unit names are compared: case-folded, NFC, runs of spaces collapsed.

    Casefolding the decomposed text is Unicode's canonical caseless match (D145): composed or not,
    Đúng hạn and ĐÚNG HẠN give the same key.
    """
    if text.isascii():  # most cells are digits or ASCII names: nothing to compose
        return " ".join(text.casefold().split())
    return " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold()).split())


def nfc(text: str) -> str:
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """`text` without accents (đ as d): how `So Noi vu` and `Sở Nội vụ` are found to be near.

    Only ever for a did-you-mean: two Vietnamese words can differ by their accents alone.
    """
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")
