"""Redraw the pictures of the documents that docs/ and the README show, as a person sees them.

    python tools/screenshots.py

The Lai Châu 2020 departments annex, with the header and signature the province's announcement
names (15 July 2021, Tống Thanh Hải): its first page as headless Chromium shows the HTML at A4
width (docs/images/annex-html.png), and as the PDF prints (docs/images/annex-pdf-page-1.png, by
poppler's pdftoppm). Needs chromium and poppler-utils (make test installs them where it can).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
ARGS = ["rulesets/lai-chau/2020/departments.par", "examples/lai-chau-2020/departments.csv", "--dated", "2021-07-15",
        "--place", "Lai Châu", "--signer", "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH THƯỜNG TRỰC|Tống Thanh Hải", "--lang", "vi"]


def main() -> int:
    from parrules.report.pdf import browser

    chromium = browser()
    if chromium is None:
        print("chromium is not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for suffix in ("html", "pdf"):
            subprocess.run([sys.executable, "-m", "parrules.cli", "report", *ARGS, "-o", str(work / f"annex.{suffix}")],
                           cwd=ROOT, check=True)
        # 794 CSS pixels is the width of an A4 page at 96 px per inch: the page as it prints.
        subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--no-first-run", f"--user-data-dir={work / 'profile'}", "--window-size=794,1123",
                        f"--screenshot={IMAGES / 'annex-html.png'}", (work / "annex.html").as_uri()],
                       check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-png", str(work / "annex.pdf"),
                        str(IMAGES / "annex-pdf-page-1")], check=True)
    print(f"wrote {IMAGES / 'annex-html.png'} and {IMAGES / 'annex-pdf-page-1.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
