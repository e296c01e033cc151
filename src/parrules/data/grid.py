"""Finding the header of a sheet as people lay it out: title rows, one or two header levels, merges.

Councils' workbooks open with the national motto and a title merged across, then a header that is
often two rows: field names merged across their criteria, the criteria's titles below, and `STT`,
`Tên đơn vị` merged down over both. The header is found by *scoring* each candidate row (alone, or
as the lower level under the row above it) by how many of its cells name something of the ruleset
(`HeaderIndex.knows`), not by a fixed word list; the best wins, the later on a tie (a row of titles
above a row of names is a title row).

Every format's reader (xlsx, xls/ods, CSV) hands its first rows here as text, with the merged
ranges it knows of, and gets back the column headers, the rows they were read from, and where the
data starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from attrs import frozen

from parrules import i18n
from parrules.data.headers import HeaderIndex
from parrules.data.messages import M, Sink
from parrules.data.records import UNIT_HEADERS
from parrules.data.text import text_key
from parrules.limits import MAX_COLUMNS

HEADER_SEARCH_ROWS = 30
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)%?")
_UNIT_KEYS = frozenset(text_key(h) for h in UNIT_HEADERS)


@frozen
class Merge:
    """A merged range, in 1-based rows and columns, inclusive."""

    top: int
    left: int
    bottom: int
    right: int
    ref: str = ""

    @property
    def across(self) -> bool:
        return self.right > self.left


@frozen
class Header:
    """The header found: one text per column, the row each was read from, the first data row."""

    names: tuple[str, ...]
    rows: tuple[int, ...]
    body_start: int
    row: int  # the header's own (lower) row
    merged_across: tuple[tuple[Merge, str], ...] = ()  # merges in the header's own level that name a column
    levels: int = 1
    # Rows above the header that look like data (several cells, numbers among them): never skipped
    # unsaid, since a unit's row above the header would be lost.
    stray: tuple[int, ...] = ()


def find_header(rows: Sequence[tuple[int, Sequence[str]]], merges: Sequence[Merge],
                headers: HeaderIndex | None) -> Header | None:
    """The best header among `rows` (number, cell texts), or None if no row names the unit's column."""
    texts = {number: list(cells) for number, cells in rows}
    width = max((len(c) for c in texts.values()), default=0)
    down = _fill(texts, merges, width, across=False)  # a cell merged down is its column's header
    full = _fill(texts, merges, width, across=True)  # an upper level names every column under it
    knows = headers.knows if headers is not None else _knows_unit
    is_stage = (lambda text: bool(headers.stage(text))) if headers is not None else (lambda _text: False)
    best: tuple[tuple[int, int, int], Header] | None = None  # (score, row, preference), header
    numbers = [n for n, _cells in rows][:HEADER_SEARCH_ROWS]
    for position, number in enumerate(numbers):
        lower = down[number]
        candidates = [(1, list(lower), [False] * width)]
        if position > 0 and numbers[position - 1] == number - 1:
            candidates.append((2, *_combine(full[number - 1], lower, knows, is_stage)))
        for levels, names, from_upper in candidates:
            if not any(_names_unit(n, headers) for n in names):
                continue
            rank = (sum(1 for n in names if n and knows(n)), number, 1 if levels == 1 else 0)  # a tie: simpler
            if best is None or rank > best[0]:
                header_rows = tuple(_origin(texts, merges, number - 1 if up else number, column)
                                    for column, up in enumerate(from_upper, start=1))
                best = (rank, Header(tuple(names), header_rows, _body_start(number, merges), number, levels=levels))
    if best is None:
        return None
    found = best[1]
    # A merge across the header's own (lower) level that names a column cannot say which column it is.
    own = [m for m in merges if m.across and (m.top == found.row if found.levels == 2 else
                                              m.top <= found.row <= m.bottom)]
    named = tuple((m, found.names[m.left - 1]) for m in own
                  if m.left <= len(found.names) and found.names[m.left - 1] and knows(found.names[m.left - 1])
                  and not _reserved_text(found.names[m.left - 1], headers))
    top = found.row - (found.levels - 1)
    stray = tuple(n for n, cells in rows if n < top and _looks_like_data(cells))
    return Header(found.names, found.rows, found.body_start, found.row, named, found.levels, stray)


def _looks_like_data(cells: Sequence[str]) -> bool:
    """A row of values rather than a title: more than three cells written, two of them numbers."""
    written = [c.strip() for c in cells if c.strip()]
    return len(written) > 3 and sum(1 for c in written if _NUMBER.fullmatch(c)) >= 2


def _origin(texts: dict[int, list[str]], merges: Sequence[Merge], row: int, column: int) -> int:
    """The row a header cell's text was written in: the top of the merge it was copied down from."""
    written = texts.get(row, [])
    if column <= len(written) and written[column - 1]:
        return row
    for merge in merges:
        if merge.left <= column <= merge.right and merge.top <= row <= merge.bottom:
            return merge.top
    return row


def _reserved_text(text: str, headers: HeaderIndex | None) -> bool:
    """A notes, results or row-number heading may span columns: it names no column that is read."""
    return headers is not None and all(t.role in ("note", "result", "skip") for t in headers.lookup(text).targets)


def _knows_unit(text: str) -> bool:
    return text_key(text) in _UNIT_KEYS


def _names_unit(text: str, headers: HeaderIndex | None) -> bool:
    if not text:
        return False
    if headers is None:
        return text_key(text) in _UNIT_KEYS
    return any(t.role == "unit" for t in headers.lookup(text).targets)


def _fill(texts: dict[int, list[str]], merges: Sequence[Merge], width: int, *, across: bool) -> dict[int, list[str]]:
    """Each row's texts with a merged range's text copied down its column (and across it, if asked)."""
    filled = {number: [*cells, *([""] * (width - len(cells)))] for number, cells in texts.items()}
    for merge in merges:
        source = filled.get(merge.top)
        if source is None or merge.left > width:
            continue
        value = source[merge.left - 1]
        for row in range(merge.top, merge.bottom + 1):
            target = filled.get(row)
            if target is None:
                continue
            for column in range(merge.left, (min(merge.right, width) if across else merge.left) + 1):
                if not target[column - 1]:
                    target[column - 1] = value
    return filled


def _combine(upper: list[str], lower: list[str], knows: Callable[[str], bool],
             is_stage: Callable[[str], bool]) -> tuple[list[str], list[bool]]:
    """The two-level reading: a column's own header where it has one the ruleset knows; the upper
    level's where the lower cell is blank (`STT`, `Tên đơn vị` merged down); `title@stage` where the
    lower cell is a stage under an input's title (`Điểm tuyên truyền` over `Tự chấm`, `Thẩm định`)."""
    names: list[str] = []
    from_upper: list[bool] = []
    for up, low in zip(upper, lower, strict=True):
        if low and knows(low):
            names.append(low)
            from_upper.append(False)
        elif low and up and up != low and is_stage(low) and knows(up):
            names.append(f"{up}@{low}")
            from_upper.append(False)
        elif not low and up:
            names.append(up)
            from_upper.append(True)
        else:
            names.append(low)
            from_upper.append(False)
    return names, from_upper


def _body_start(header_row: int, merges: Sequence[Merge]) -> int:
    """The first data row: below the header, and below any header cell merged down past it."""
    start = header_row + 1
    for merge in merges:
        if merge.top <= header_row <= merge.bottom:
            start = max(start, merge.bottom + 1)
    return start


def settle_header(found: Header | None, sink: Sink) -> tuple[list[str], list[int]] | None:
    """A workbook's header as its reader uses it (trailing blank columns dropped), or None after saying
    why it cannot be read: no unit column, too many columns, or a column header merged across cells.
    A data row above the header is said too (the file is then refused, but its header is still read)."""
    if found is None:
        sink.add(M.NO_UNIT_COLUMN, row=None)
        return None
    header, header_rows = list(found.names), list(found.rows)
    while header and not header[-1]:
        header.pop()
        header_rows.pop()
    if len(header) > MAX_COLUMNS:
        sink.add(M.TOO_MANY_COLUMNS, row=found.row, count=i18n.number(len(header)), limit=i18n.number(MAX_COLUMNS))
        return None
    for stray in found.stray:
        sink.add(M.ROW_ABOVE_HEADER, row=stray, header=found.row)
    for merge, name in found.merged_across:
        sink.add(M.MERGED_HEADER, row=merge.top, column=name, cells=merge.ref, header=name)
    return None if found.merged_across else (header, header_rows)
