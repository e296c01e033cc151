"""The message catalogues: every text of the code is in the Vietnamese catalogue, translated whole.

A translation may reorder a sentence but never lose or invent a placeholder, and never change the
`.par` code it quotes in backticks. The template (`parrules.pot`) must be what the code holds
today: `make messages` after changing a text.
"""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from parrules import i18n

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "parrules" / "locale"
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None, "Np_": (1, 2)}  # as `make messages` extracts them
BACKTICKED = re.compile(r"`[^`]+`")


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def in_code() -> set[str]:
    # As `make messages` reads babel.cfg: the code and the document templates.
    found = extract_from_dir(str(ROOT / "src" / "parrules"), keywords=KEYWORDS, comment_tags=(),
                             method_map=[("**.py", "python"), ("**/templates/**.j2", "jinja2")],
                             options_map={"**/templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}})
    return {_key(message) for _, _, message, _, _ in found}


def catalogue(path: Path) -> dict[str, object]:
    with path.open("rb") as stream:
        return {_key(m.id): m for m in read_po(stream) if m.id}


VI = catalogue(LOCALE / "vi" / "LC_MESSAGES" / "parrules.po")


def test_the_template_is_what_the_code_holds() -> None:
    template = set(catalogue(LOCALE / "parrules.pot"))
    code = in_code()
    assert code - template == set(), "texts missing from parrules.pot: run `make messages`"
    assert template - code == set(), "texts no longer in the code: run `make messages`"


def test_every_text_has_a_vietnamese_translation() -> None:
    untranslated = sorted(k for k in in_code() if not _strings(VI.get(k)))
    assert untranslated == [], "translate these in locale/vi/LC_MESSAGES/parrules.po"


def _strings(message: object) -> list[str]:
    if message is None:
        return []
    text = message.string  # type: ignore[attr-defined]
    texts = [text] if isinstance(text, str) else list(text)
    return [t for t in texts if t]


def _ids(message: object) -> list[str]:
    ident = message.id  # type: ignore[attr-defined]
    return [ident] if isinstance(ident, str) else list(ident)


def _fields(text: str) -> list[str]:
    try:
        return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name is not None})
    except ValueError:  # a text never filled in: braces are only characters
        return sorted(re.findall(r"[{}]", text))


def _percent_fields(text: str) -> list[str]:
    return sorted(re.findall(r"%(?:\(\w+\))?[sdr%]", text))


@pytest.mark.parametrize("key", sorted(VI), ids=lambda k: k[:60])
def test_a_translation_keeps_the_placeholders_and_the_code(key: str) -> None:
    message = VI[key]
    for ident in _ids(message):
        for text in _strings(message):
            assert _fields(text) == _fields(ident)
            if "python-format" in message.flags:  # type: ignore[attr-defined]
                assert _percent_fields(text) == _percent_fields(ident)
            assert set(BACKTICKED.findall(ident)) <= set(BACKTICKED.findall(text))
            assert unicodedata.is_normalized("NFC", text)


def test_the_installed_package_reads_the_vietnamese_catalogue() -> None:
    vietnamese = i18n.translations("vi")
    with i18n.language("vi"):
        assert i18n._("error") == "lỗi"
        assert i18n.n_("{count} error", "{count} errors", 2).format(count=2) == "2 lỗi"
    assert vietnamese.gettext("warning") == "cảnh báo"
    assert i18n.translations("en").gettext("warning") == "warning"
