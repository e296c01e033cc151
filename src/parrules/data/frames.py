"""DataFrames (pandas, polars) as rows of column → value, read exactly like a data file's cells.

Duck-typed: neither library is imported here, nor needed to use parrules. A frame is recognised by
its attributes, and its columns are read through the methods both libraries have had for years
(`iloc` and `Series.tolist` in pandas, `get_column` and `Series.to_list` in polars), which give
Python scalars. What a frame writes for a missing value (NaN, None, `pd.NA`, `pd.NaT`, a polars
null) is a blank cell. Numbers stay exact: integers as they are, `Decimal`s as they are, and a
float as the shortest text that reads back as the same float (62.3 → 62.3, never
62.2999999999999971578…), which is what the person typed before the frame stored it in binary.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol, TypeGuard, cast

from parrules.data.records import GROUP_HEADERS, UNIT_HEADERS
from parrules.data.text import text_key
from parrules.limits import MAX_ROWS


class DataFrameLike(Protocol):
    """What the type checker asks of a frame: pandas' and polars' `DataFrame` both have these."""

    @property
    def columns(self) -> object: ...

    @property
    def shape(self) -> tuple[int, int]: ...


class FrameRow(dict[str, object]):
    """One frame row. `repeated`: headers written twice (pandas allows it), said once, on the first row."""

    repeated: tuple[str, ...] = ()


def is_frame(value: object) -> TypeGuard[DataFrameLike]:
    """Whether `value` is a pandas or a polars DataFrame (by its attributes, not by importing either)."""
    return hasattr(value, "columns") and hasattr(value, "shape") and (_is_pandas(value) or _is_polars(value))


def as_rows(given: Iterable[object] | DataFrameLike) -> Iterable[object]:
    """A frame's rows (`rows_of`), or the rows as they were given.

    A DataFrame iterates over its column names, not its rows: it must be recognised before that.
    """
    if is_frame(given):
        return rows_of(given)
    return cast("Iterable[object]", given)  # a TypeGuard narrows only where it holds


def _is_pandas(value: object) -> bool:
    return hasattr(value, "iloc") and hasattr(value, "index")


def _is_polars(value: object) -> bool:
    return hasattr(value, "get_column") and hasattr(value, "schema")


def rows_of(frame: DataFrameLike) -> Iterator[FrameRow]:
    """The frame's rows, in order, each a mapping of the frame's columns (as headers) to Python values.

    A pandas index that is not a plain row count (`RangeIndex`) and is named like the unit column
    (`df.set_index("unit")`), or a level of it named like the unit or group column, comes first, as
    that column.
    """
    headers, columns = (_pandas_columns if _is_pandas(frame) else _polars_columns)(frame)
    counts = Counter(headers)
    repeated = tuple(h for h, n in counts.items() if n > 1)
    for number, values in enumerate(zip(*columns, strict=True)):
        row = FrameRow(zip(headers, values, strict=True))
        if number == 0 and repeated:
            row.repeated = repeated
        yield row


# Columns are read whole, so only as many rows as are allowed are read: one more, for the message.
_READ_ROWS = MAX_ROWS + 1

# ---- pandas --------------------------------------------------------------------------------------

_INDEX_HEADERS = frozenset(text_key(h) for h in (*UNIT_HEADERS, *GROUP_HEADERS))


def _pandas_columns(frame: Any) -> tuple[list[str], list[list[object]]]:
    """A pandas DataFrame's headers and columns (`Any`: pandas is neither imported nor typed here)."""
    headers: list[str] = []
    columns: list[list[object]] = []
    frame = frame.iloc[:_READ_ROWS]
    index = frame.index
    if type(index).__name__ != "RangeIndex":  # a RangeIndex only numbers the rows: never a column
        for level, name in enumerate(index.names):
            if isinstance(name, str) and text_key(name) in _INDEX_HEADERS:
                values = index.get_level_values(level)
                headers.append(name)
                columns.append(_column(values.tolist(), _float_width(values.dtype)))
    for position, label in enumerate(frame.columns):
        series = frame.iloc[:, position]  # by position: pandas allows two columns of one name
        headers.append(_header(label))
        columns.append(_column(series.tolist(), _float_width(series.dtype)))
    return headers, columns


def _float_width(dtype: object) -> str | None:
    """The `struct` format of a float narrower than Python's (float32, float16), else None."""
    if getattr(dtype, "kind", None) != "f":
        return None
    return {4: "f", 2: "e"}.get(getattr(dtype, "itemsize", 8))


# ---- polars --------------------------------------------------------------------------------------


def _polars_columns(frame: Any) -> tuple[list[str], list[list[object]]]:
    """A polars DataFrame's headers and columns (its names are unique strings)."""
    headers: list[str] = []
    columns: list[list[object]] = []
    frame = frame.head(_READ_ROWS)
    for name in frame.columns:
        series = frame.get_column(name)
        headers.append(name)
        columns.append(_column(series.to_list(), {"Float32": "f", "Float16": "e"}.get(str(series.dtype))))
    return headers, columns


# ---- values --------------------------------------------------------------------------------------


def _header(label: object) -> str:
    return label if isinstance(label, str) else str(label)


def _column(values: list[object], narrow: str | None) -> list[object]:
    """A column's values as cells; `narrow` is the `struct` format of a float32 / float16 column."""
    if narrow is not None:
        # The library widens a float32 to a Python float (62.3 → 62.29999923706055): read it back at
        # its own width.
        return [_narrow_float(v, narrow) if isinstance(v, float) and math.isfinite(v) else frame_value(v)
                for v in values]
    return [frame_value(v) for v in values]


def _narrow_float(number: float, layout: str) -> Decimal:
    """The shortest decimal that a float32 (`f`) or float16 (`e`) reads back from: numpy's own repr."""
    for digits in range(1, 18):
        text = f"{number:.{digits}g}"
        if struct.unpack(layout, struct.pack(layout, float(text)))[0] == number:
            return Decimal(text)
    return Decimal(repr(number))  # pragma: no cover - 17 digits always read back


_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas' pd.NA and pd.NaT, by name: pandas is not imported


def frame_value(item: object) -> object:
    """One frame value as a Python value `cell_value` reads: None for every kind of missing value.

    numpy scalars (in an `object` column) become the Python value they hold; anything that is not a
    cell (a date, a list) is left as it is, for `cell_value` to report.
    """
    if item is None or isinstance(item, str | bool | int):
        return item
    if isinstance(item, float):
        # float(): numpy's float64 is a float whose repr is `np.float64(62.3)`, not `62.3`.
        return None if math.isnan(item) else float(item)
    if isinstance(item, Decimal):
        return None if item.is_nan() else item
    kind = type(item)
    if kind.__name__ in _MISSING_TYPES:
        return None
    if kind.__module__ == "numpy":
        return _numpy(item)
    return item


def _numpy(item: object) -> object:
    """A numpy scalar's Python value (`item()`: NaT's is None), a float32 read at its own width."""
    plain = getattr(item, "item", None)
    if not callable(plain):
        return item
    python = plain()
    if type(python).__module__ == "numpy":  # pragma: no cover - numpy always gives a Python value
        return python
    width = _float_width(getattr(item, "dtype", None))
    if width is not None and isinstance(python, float) and math.isfinite(python):
        return _narrow_float(python, width)
    return frame_value(python)
