"""Workbooks that are the same bytes for the same content: a fixed date, zip entries dated alike.

Shared by the report and the template writers, so a province can check a published file by its hash.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile


def stamp() -> datetime.datetime:
    """The workbook's created/modified date: `SOURCE_DATE_EPOCH` (the reproducible-builds
    convention), otherwise 2000-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() and len(epoch) <= 12 else 946_684_800
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).replace(tzinfo=None)


def reproducible(data: bytes, replaced: dict[str, bytes]) -> bytes:
    """The same workbook with every entry dated 1980-01-01 (the zip format's own start), some replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, replaced.get(info.filename) or source.read(info.filename))
    return out.getvalue()
