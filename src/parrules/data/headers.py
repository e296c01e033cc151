"""What a column header can name: the index of a ruleset's names, titles and criterion ids.

Built once per ruleset and shared by the two places that read headers: the readers, which find the
header row of a sheet by how many of its cells this index knows (no fixed word list), and the
validator, which resolves each header to what the column fills and reports what it cannot.

A header names something by its declared name (`plan_done`), its title (`Tỷ lệ hoàn thành kế
hoạch`), or — for points given directly — the criterion's id or both (`2.2`, `2.2. Tuyên truyền…`,
`2.2 Tuyên truyền…`). Case, repeated spaces and NFC/NFD do not matter; accents do: `Ty le` is only
ever a did-you-mean (`folded`), never a match, since it could be another word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Literal, TypeAlias, TypeVar

from attrs import frozen

from parrules.data.records import (
    GROUP_HEADERS,
    IGNORED_HEADERS,
    MAX_HEADERS,
    NOTE_HEADERS,
    RESULT_HEADERS,
    UNIT_HEADERS,
)
from parrules.data.text import fold, nfc, text_key
from parrules.model import Given, Model, Points

T = TypeVar("T")

Role: TypeAlias = Literal["unit", "group", "max", "skip", "note", "result", "value"]


@frozen
class Target:
    """What a column fills: a reserved column, or a declaration (at a stage other than the official)."""

    role: Role
    name: str | None = None
    stage: str | None = None

    @property
    def key(self) -> str:
        if self.name is None:
            return self.role
        return self.name if self.stage is None else f"{self.name}@{self.stage}"


@frozen
class Lookup:
    """What a header names. `node` is set when it was read through a criterion's id; `other_title`
    when the id's criterion has another title than the header writes (read by the id, and said)."""

    targets: frozenset[Target]
    node: str | None = None  # the id the header was read by
    other_title: str | None = None


# `1.2.3 Title`, `1.2.3. Title`, `B1: Title`, `2.2 - Title`: an id, then the title.
_ID_THEN_TITLE = re.compile(r"([a-z]{0,3}[0-9]+(?:\.[0-9]+)*)\.?(?:\s*[:–—)-]\s*|\s+)(\S.*)")
# A unit of measure after a title, as sheets add it: `Tỷ lệ hoàn thành (%)`, `Số văn bản (văn bản)`.
_UNIT_SUFFIX = re.compile(r"(.+?)\s*\(([^()]{1,16})\)")

_NOTHING: frozenset[Target] = frozenset()


class HeaderIndex:
    """Every header text a ruleset answers to, by its comparison key (see `text_key`)."""

    def __init__(self, model: Model) -> None:
        # What validators worked out from this ruleset alone and may share (Validator.columns).
        self.known: dict[tuple[object, ...], object] = {}
        self.index: dict[str, set[Target]] = defaultdict(set)
        self.shown: dict[str, str] = {}  # key → how to show it in a "did you mean"
        reserved: tuple[tuple[Role, tuple[str, ...]], ...] = (
            ("unit", UNIT_HEADERS), ("group", GROUP_HEADERS), ("max", MAX_HEADERS), ("skip", IGNORED_HEADERS),
            ("note", NOTE_HEADERS), ("result", RESULT_HEADERS))
        for role, aliases in reserved:
            for alias in aliases:
                self._enter(alias, Target(role))
        declarations = (*model.attributes, *model.inputs)
        for decl in declarations:
            self._enter(decl.name, Target("value", decl.name))
            if decl.title:
                self._enter(decl.title, Target("value", decl.name))
        # Criteria (and bonuses, penalties) whose points are given directly: their id and title name
        # the input they read. Every id is known, so `1.3.1 Tỷ lệ…` can be read as id + input title.
        self.ids: dict[str, tuple[str, str, str | None]] = {}  # id key → id, title, the input it gives
        items = [(n.id, n.title, n.rule) for n in model.nodes()] + [(x.id, x.title, x.rule) for x in model.extras]
        for item_id, title, rule in items:
            given = rule.input if isinstance(rule, Given) else None
            self.ids[text_key(item_id)] = (item_id, title, given)
            if given is not None:
                target = Target("value", given)
                for text in (item_id, title, f"{item_id}. {title}", f"{item_id} {title}"):
                    self._enter(text, target)
        self.stages: dict[str, set[str]] = defaultdict(set)
        for stage in model.stages:
            self.stages[text_key(stage.name)].add(stage.name)
            if stage.title:
                self.stages[text_key(stage.title)].add(stage.name)
        for decl in declarations:
            if isinstance(decl.type, Points):
                for stage in model.stages:
                    self.shown[text_key(f"{decl.name}@{stage.name}")] = f"{decl.name}@{stage.name}"
        self._folded: dict[str, set[str]] | None = None

    def remembered(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """`make()`, once per key for this index's life: work that depends on the ruleset alone."""
        if key not in self.known:
            self.known[key] = make()
        return self.known[key]  # type: ignore[return-value]

    def _enter(self, text: str, target: Target) -> None:
        key = text_key(text)
        self.index[key].add(target)
        self.shown.setdefault(key, nfc(text))

    def lookup(self, header: str) -> Lookup:
        """What `header` names: by its whole text, else as `id title`, else as `title (unit)`."""
        key = text_key(header)
        found = self.index.get(key)
        if found:
            return Lookup(_values_first(found))
        split = _ID_THEN_TITLE.fullmatch(key)
        if split is not None:
            known = self.ids.get(split.group(1))
            title = self._title_targets(split.group(2))
            if known is not None and known[2] is not None:
                node, node_title, given = known
                by_id = frozenset({Target("value", given)})
                if title and title != by_id:
                    return Lookup(by_id | title, node)  # the id says one thing, the title another
                differs = None if title or _same_title(split.group(2), node_title) else node_title
                return Lookup(by_id, node, differs)
            if title:
                # `1.3.1 Tỷ lệ hoàn thành kế hoạch (%)`: a criterion's id before the input it reads.
                return Lookup(title)
        return Lookup(self._title_targets(key))

    def _title_targets(self, key: str) -> frozenset[Target]:
        found = self.index.get(key)
        if found:
            return _values_first(found)
        suffixed = _UNIT_SUFFIX.fullmatch(key)
        if suffixed is not None:
            found = self.index.get(suffixed.group(1))
            if found:
                return _values_first(found)
        return _NOTHING

    def stage(self, text: str) -> set[str]:
        return self.stages.get(text_key(text), set())

    def knows(self, header: str) -> bool:
        """Whether a header names something of the ruleset: how a header row is recognised."""
        return bool(self.lookup(header).targets)

    def folded(self, key: str) -> list[str]:
        """The known keys equal to `key` once accents are dropped: did-you-mean candidates only."""
        if self._folded is None:
            self._folded = defaultdict(set)
            for known in self.index:
                self._folded[fold(known)].add(known)
        return sorted(k for k in self._folded.get(fold(key), ()) if k != key)


def _values_first(found: set[Target]) -> frozenset[Target]:
    """A declared name or title wins over a reserved note or result word (an input titled `Tổng điểm`)."""
    values = {t for t in found if t.role not in ("note", "result")}
    return frozenset(values or found)


def _same_title(written: str, title: str) -> bool:
    unit = _UNIT_SUFFIX.fullmatch(written)
    return text_key(title) in (written, unit.group(1) if unit else written)
