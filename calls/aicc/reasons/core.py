"""The types of the reasons catalogue: who can fix a problem, a decoded reason, a table row."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Fixer(StrEnum):
    """Who can fix the problem behind a reason."""

    CALLER = "caller"  # the customer manager who clicked (e.g. wrong number)
    ADMIN = (
        "admin"  # the tenant's console admin (credentials, softphone mapping, ranges, trustlist)
    )
    PROVIDER = "provider"  # the AICC provider / Huawei O&M (VDN, feature enablement, platform)
    NOBODY = "nobody"  # nothing to fix (normal outcomes)

    def label(self) -> str:
        """Translated label for the UI ("Who can fix this")."""
        return _FIXER_LABELS[self]


_FIXER_LABELS = {
    Fixer.CALLER: _("You"),
    Fixer.ADMIN: _("Your console admin"),
    Fixer.PROVIDER: _("The AICC provider"),
    Fixer.NOBODY: _("No one"),
}


@dataclass(frozen=True)
class Reason:
    """One decoded reason.  ``title``/``explanation``/``next_step`` are lazy translations."""

    source: str  # one of SOURCES (or whatever unknown source was passed to decode)
    code: str  # always a string: "5", "90100100", "401", "timeout"
    title: str
    explanation: str
    next_step: str
    fixer: Fixer
    retry: bool  # could an identical retry later succeed?
    vendor_msg: str = ""  # the vendor's own English text (retMsg / description), not translated
    known: bool = True  # False for the generic fallback of an unknown code

    @property
    def key(self) -> str:
        return f"{self.source}:{self.code}"

    # Equality and hashing use the identity of the reason, not its texts: comparing or hashing
    # lazy translations would translate them (in whatever language happens to be active).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.source, self.code, self.known) == (other.source, other.code, other.known)

    def __hash__(self) -> int:
        return hash((self.source, self.code, self.known))

    def __repr__(self) -> str:
        return (
            f"Reason({self.key!r}, fixer={self.fixer.value!r}, retry={self.retry!r}, "
            f"known={self.known!r})"
        )


@dataclass(frozen=True)
class Row:
    """One line of a source's table: a reason without its source.

    ``Row("5", title=..., explanation=..., next_step=..., fixer=..., retry=..., vendor_msg=...)``.
    A source's fallback for unknown codes is a row without a code; its title and explanation may
    hold ``{code}``, replaced lazily by the raw (normalised) code.
    """

    code: str = ""
    _: KW_ONLY
    title: str
    explanation: str
    next_step: str
    fixer: Fixer
    retry: bool  # could an identical retry later succeed?
    vendor_msg: str = ""  # the vendor's own English text (retMsg / description), not translated

    def reason(self, source: str) -> Reason:
        """This row as the known reason of ``source``."""
        return Reason(
            source=source,
            code=self.code,
            title=self.title,
            explanation=self.explanation,
            next_step=self.next_step,
            fixer=self.fixer,
            retry=self.retry,
            vendor_msg=self.vendor_msg,
        )
