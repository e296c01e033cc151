"""The suite reads messages in English unless a test asks for Vietnamese.

Most tests assert on the wording of a message; they were written against the English catalogue
(the message ids). Vietnamese, the default a rule author sees, is checked by the golden corpus and
the tests that pop `PARRULES_LANG` or pass `--lang vi` on purpose. The variable is set before
parrules is first imported, so subprocesses started by a test inherit it too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ["PARRULES_LANG"] = "en"

import pytest

from parrules import i18n


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    with i18n.language("en"):
        yield
