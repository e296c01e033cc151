"""HTML documents printed to PDF by a real browser engine: headless Chromium's own print.

Chromium lays the page out as it shows it (the same CSS: `@page` for A4, margin boxes for page
numbers, `break-inside: avoid` for rows, repeated table headers), embeds the fonts it used (so
Vietnamese letters print on any machine) and writes PDF/A-like tagged output. It is a program on
the machine, not a Python package: `PARRULES_CHROMIUM`, else `chromium`, `chromium-browser`,
`google-chrome` on the PATH. Nothing is fetched: the page is self-contained and the browser runs
with networking off; the HTML is a file in a private temporary folder, removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from parrules.i18n import _

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 600  # seconds: a few hundred pages print in well under a minute on a 2-core machine


class PdfError(Exception):
    """No PDF could be made: what went wrong and what to do, in words."""


def browser() -> str | None:
    """The Chromium that prints, or None: `PARRULES_CHROMIUM`, else the first on the PATH."""
    chosen = os.environ.get("PARRULES_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else shutil.which(chosen)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def html_to_pdf(html: str) -> bytes:
    """The PDF of one self-contained HTML document, as Chromium prints it (`@page` sets the paper)."""
    program = browser()
    if program is None:
        raise PdfError(_("no browser to print the PDF with: a PDF is printed by Chromium, which is not installed; "
                         "install it (Debian: apt install chromium) or set PARRULES_CHROMIUM to its path, "
                         "or write .html and print it from a browser"))
    with tempfile.TemporaryDirectory(prefix="parrules-pdf-") as folder:
        page = Path(folder) / "document.html"
        page.write_text(html, encoding="utf-8")
        out = Path(folder) / "document.pdf"
        command = [program, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-extensions", "--no-first-run",
                   "--disable-component-update", "--no-pdf-header-footer", "--hide-scrollbars",
                   f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(_("Chromium did not finish printing the PDF within {seconds} seconds").format(
                seconds=TIMEOUT)) from None
        except OSError as exc:
            raise PdfError(_("Chromium could not be started ({problem})").format(problem=exc.strerror)) from None
        if not out.is_file() or out.stat().st_size == 0 or not out.read_bytes().startswith(b"%PDF"):
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(done.returncode)]
            raise PdfError(_("Chromium did not print the PDF ({problem})").format(problem=detail[0][:300]))
        return out.read_bytes()
