"""Text from a ruleset or a data file, made safe to print on a terminal.

A unit name or a header may hold an escape sequence (ESC [ 2 J clears the screen, ESC ] 0 ; … sets
the window title) or another control character. Printed as is, it would act on the user's terminal
instead of being read. Every control character except the line break and the tab is shown as a
visible `\\xNN` / `\\uNNNN` escape instead, and so are the bidirectional overrides that reorder text
on screen.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every character that would act on a terminal replaced by a visible escape."""
    if text.isprintable():
        return text
    return _CONTROL.sub(_escape, text)


def has_control(text: str) -> bool:
    """Whether `text` holds a character `printable` would escape (line breaks and tabs excepted)."""
    return not text.isprintable() and _CONTROL.search(text) is not None
