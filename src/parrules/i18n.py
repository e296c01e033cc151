"""Every text a person reads, in their language: Vietnamese by default, English on request.

Texts are written in code as English message ids, `_("the children of {node} add up to {total}")`,
filled in with `.format(...)` after translation, so that a translation may put the parts in its own
order; a sentence is never built by joining translated fragments. The Vietnamese catalogue is
`locale/vi/LC_MESSAGES/parrules.po` (GNU gettext, kept with Babel: `make messages`), compiled to
`.mo` when the package is built.

The language is chosen, in order, by `use("en")` / `language("en")` in code, the `--lang` option of
the command, or the environment variable `PARRULES_LANG`; otherwise Vietnamese. It is held in a
context variable, so two threads (or two requests of a portal) may each have their own.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
DOMAIN = "parrules"


def _from_environment() -> str:
    wanted = os.environ.get("PARRULES_LANG", "").strip().lower().replace("_", "-").split("-")[0]
    return wanted if wanted in LANGUAGES else DEFAULT


_STARTING = _from_environment()
_current: ContextVar[str] = ContextVar("parrules_language", default=_STARTING)


def current() -> str:
    """The language texts are written in now: `vi` or `en`."""
    return _current.get()


def use(lang: str) -> None:
    """Write every text from now on in `lang` (`vi` or `en`), in this thread or task."""
    _current.set(_checked(lang))


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """`with language("en"): …` — texts in `lang` inside the block only."""
    token = _current.set(_checked(lang))
    try:
        yield
    finally:
        _current.reset(token)


def _checked(lang: str) -> str:
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"the language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return code


def locale_folder() -> Path | None:
    """Where the compiled catalogues are: inside the package, or beside the sources when running from them."""
    # Beside this file: the package is installed as files (a wheel is unpacked), and importlib.resources
    # would cost 9 ms of imports (tempfile, shutil, …) at every start of the command.
    packaged = Path(__file__).parent / "locale"
    return packaged if packaged.is_dir() else None


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; English is the message ids themselves."""
    if lang == "en":
        return gettext.NullTranslations()
    folder = locale_folder()
    if folder is not None:
        compiled = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if compiled.is_file():
            with compiled.open("rb") as stream:
                return gettext.GNUTranslations(stream)
        source = compiled.with_suffix(".po")
        if source.is_file():
            return _from_po(source)
    return gettext.NullTranslations()


def _from_po(source: Path) -> gettext.NullTranslations:
    """A catalogue read straight from its `.po` (a source checkout that was not built): needs Babel."""
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:  # pragma: no cover - the built package carries the compiled catalogue
        return gettext.NullTranslations()
    import io

    with source.open("rb") as stream:
        catalog = read_po(stream)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """`message` (an English message id) in the current language."""
    return translations(current()).gettext(message)


def n_(singular: str, plural: str, count: int) -> str:
    """The singular or plural English id, in the current language, for `count`."""
    return translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message id for the catalogue where it is written; it is translated where it is used."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - the gettext convention
    """Marks a singular and plural pair for the catalogue; `n_(*pair, count)` translates it."""
    return singular, plural


def number(value: int) -> str:
    """A whole number grouped by thousands as the language writes it: 1,000,000 (en), 1.000.000 (vi)."""
    text = f"{value:,}"
    return text.replace(",", ".") if current() == "vi" else text
