"""What each diagnostic code means, from the user documentation (`docs/diagnostics.md`, `.vi.md`).

The documentation is the one place a code is explained: `parrules explain-code PAR211` prints the
row of the code's table, in the reader's language, as a short page — what it means, an example, how
to fix it — and JSON diagnostics link to the same row (`docs/diagnostics.md#par211`). The pages are
packaged with parrules (the wheel carries them) and read from `docs/` in a source checkout.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from attrs import frozen

from parrules.i18n import _, current

CODE = re.compile(r"^(?:PAR|DAT)\d{3}$")
# A row of a code table: | <a id="par211"></a>`PAR211` | error | meaning | example | fix |
_ROW = re.compile(r"^\|\s*(?:<a id=\"[a-z0-9]+\"></a>)?`?((?:PAR|DAT)\d{3})`?\s*\|(.*)\|\s*$", re.MULTILINE)
_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)


def page_name(lang: str) -> str:
    return "diagnostics.md" if lang == "en" else f"diagnostics.{lang}.md"


def doc_link(code: str) -> str:
    """Where the code is explained, relative to the repository: `docs/diagnostics.md#par211`."""
    return f"docs/{page_name('en')}#{code.lower()}"


@frozen
class CodePage:
    code: str
    severity: str
    section: str
    meaning: str
    example: str | None
    fix: str

    def render(self) -> str:
        """The page as plain text, for a terminal."""
        lines = [f"{self.code} ({self.severity}) — {self.section}", "",
                 _("What it means: {text}").format(text=_plain(self.meaning)),
                 *([_("Example: {text}").format(text=_plain(self.example))] if self.example else []),
                 _("How to fix it: {text}").format(text=_plain(self.fix)),
                 "", _("More: {link}").format(link=f"docs/{page_name(current())}#{self.code.lower()}")]
        return "\n".join(lines) + "\n"


def _plain(cell: str) -> str:
    # Markdown links read as their words; the code spans keep their backticks (they are .par text).
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", cell.replace("\\|", "|")).strip()


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]


@functools.cache
def pages(lang: str) -> dict[str, CodePage]:
    """Every documented code's page in `lang` (English where the language has no page)."""
    text = _document(page_name(lang)) or _document(page_name("en")) or ""
    headings = [(m.start(), m.group(1)) for m in _HEADING.finditer(text)]
    found: dict[str, CodePage] = {}
    for match in _ROW.finditer(text):
        cells = _cells(match.group(2))
        if len(cells) not in (3, 4):
            continue
        section = next((h for start, h in reversed(headings) if start < match.start()), "")
        example = cells[2] if len(cells) == 4 else None
        found[match.group(1)] = CodePage(match.group(1), cells[0], section, cells[1], example, cells[-1])
    return found


def documented() -> frozenset[str]:
    return frozenset(pages("en"))


def _document(name: str) -> str | None:
    packaged = Path(__file__).parent / "docs" / name  # installed as files (i18n.locale_folder says why)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "docs" / name
    return checkout.read_text(encoding="utf-8") if checkout.is_file() else None
