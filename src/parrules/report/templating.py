"""The Jinja2 environment of the HTML documents: parrules' templates, or a province's own.

A province that lays its annex out otherwise gives `--template DIR`: a file there named like one
of ours (`annex.html.j2`, `unit.html.j2`, `document.css`, …) is used instead of ours, the others
still come from the package, so a template can `{% extends %}` or `{% include %}` ours.
Autoescaping is on for every template: a name in the data is text, never markup. The templates
get numbers already formatted for the reader's language (filters below) and `_` for messages.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from parrules.figures import long_date, shown, shown_max, shown_signed
from parrules.i18n import _, n_, number
from parrules.report.method import band_words

TEMPLATES = Path(__file__).with_name("templates")


class TemplateError(Exception):
    """A province's template that cannot be used: its file, line and what is wrong, in words."""


def environment(folder: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(TEMPLATES))]
    if folder is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(folder)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # every template, whatever its name: the documents are all HTML
        undefined=jinja2.StrictUndefined,  # a misspelt variable in a province's template is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(figure=shown, maximum=shown_max, change=shown_signed, long_date=long_date)
    env.globals.update(_=_, n_=n_, number=number, band_words=band_words)
    return env


def render(name: str, folder: Path | None = None, **context: object) -> str:
    """Render one template; a broken template from `folder` is a `TemplateError` saying where."""
    env = environment(folder)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise TemplateError(_("{file}: the template cannot be read: {problem}").format(
            file=where, problem=exc.message)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(_("the template `{name}` was not found").format(name=exc.name)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(_("template `{name}`: {problem}").format(name=name, problem=exc.message)) from None


def stylesheet(folder: Path | None = None) -> str:
    """The documents' CSS (`document.css`), a province's own when its folder has one."""
    for base in (folder, TEMPLATES):
        if base is not None and (base / "document.css").is_file():
            return (base / "document.css").read_text(encoding="utf-8")
    return ""
