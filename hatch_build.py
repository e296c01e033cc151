"""Build hook: compile the message catalogues (`.po` → `.mo`) into the wheel, with Babel.

The `.po` files are the sources (kept in git, edited by translators); the compiled `.mo` files are
made here at every build, never committed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src") / "parrules" / "locale"


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="parrules-mo-"))
        for source in sorted((Path(self.root) / LOCALE).glob("*/LC_MESSAGES/*.po")):
            with source.open("rb") as stream:
                catalog = read_po(stream)
            target = out / source.relative_to(Path(self.root) / LOCALE).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as stream:
                write_mo(stream, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = f"parrules/locale/{target.relative_to(out).as_posix()}"
