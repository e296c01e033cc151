"""What a document says about the decision that issues it: the annex's header and signature block.

Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP) open with two columns: the issuing
authority and the document's number on the left; the national name (Quốc hiệu) and motto (tiêu
ngữ), then the place and date, on the right. They close with the signature block: the capacity
lines (TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH), room for the signature and seal, the
signer's name. The ruleset says these (`authority`, `decision`, `dated`, `place`, `signed … by …`);
options of `parrules report` override them for one printing. Nothing is made up: what neither
gives is left out of the document, never filled with a placeholder.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from attrs import frozen

from parrules.figures import long_date
from parrules.i18n import _
from parrules.model import Meta

if TYPE_CHECKING:
    from parrules.results import Results

@frozen
class Issuer:
    authority: str | None = None
    decision: str | None = None
    dated: date | None = None
    place: str | None = None
    signature: tuple[str, ...] = ()
    signer: str | None = None

    @classmethod
    def of(cls, meta: Meta | None) -> Issuer:
        if meta is None:
            return cls()
        return cls(meta.authority, meta.decision, meta.dated, meta.place, meta.signature, meta.signer)

    @classmethod
    def of_results(cls, results: Results) -> Issuer:
        """What the ruleset the results were scored with says (nothing, for results without one)."""
        return cls.of(results.model.meta if results.model is not None else None)

    def but(self, *, authority: str | None = None, decision: str | None = None, dated: date | None = None,
            place: str | None = None, signature: tuple[str, ...] | None = None, signer: str | None = None) -> Issuer:
        """This issuer with the options given (None: keep the ruleset's)."""
        return Issuer(authority or self.authority, decision or self.decision, dated or self.dated, place or self.place,
                      self.signature if signature is None else signature, signer or self.signer)

    @property
    def issued(self) -> bool:
        """Whether the document is the decision's annex: its number or date is known. Only then does a
        document print the header block of an issued document (Quốc hiệu, tiêu ngữ, number, date); a
        results table without them is a working draft and starts with its title."""
        return bool(self.decision or self.dated)

    # ---- the lines a document prints, in the reader's language ----

    @property
    def country(self) -> str:
        return _("SOCIALIST REPUBLIC OF VIET NAM")

    @property
    def motto(self) -> str:
        return _("Independence - Freedom - Happiness")

    @property
    def number_line(self) -> str | None:
        return _("No.: {decision}").format(decision=self.decision) if self.decision else None

    @property
    def date_line(self) -> str | None:
        """"Lai Châu, ngày 15 tháng 7 năm 2021"; without a place, "Ngày 15 tháng 7 năm 2021"."""
        if self.dated is None:
            return None
        day = long_date(self.dated)
        if self.place:
            return _("{place}, {date}").format(place=self.place, date=day)
        return day[:1].upper() + day[1:]

    @property
    def issued_with(self) -> str | None:
        """"(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15 tháng 7 năm 2021 của UBND tỉnh Lai Châu)"."""
        if not self.decision:
            return None
        parts = {"decision": self.decision, "date": long_date(self.dated) if self.dated else "",
                 "authority": self.authority or ""}
        if self.dated and self.authority:
            return _("(Issued with Decision No. {decision} dated {date} of {authority})").format(**parts)
        if self.dated:
            return _("(Issued with Decision No. {decision} dated {date})").format(**parts)
        if self.authority:
            return _("(Issued with Decision No. {decision} of {authority})").format(**parts)
        return _("(Issued with Decision No. {decision})").format(**parts)

    @property
    def authority_line(self) -> str | None:
        return self.authority.upper() if self.authority else None


def parse_signer(text: str) -> tuple[tuple[str, ...], str]:
    """`--signer "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Tống Thanh Hải"`: the capacity lines, then the name."""
    parts = [p.strip() for p in text.split("|") if p.strip()]
    if not parts:
        return (), ""
    return tuple(parts[:-1]), parts[-1]
