"""The types of the reasons catalogue: who reads a reason, who can fix it, what it means, the
decoded reason and a table row.

Words for the reader.  A reason is read by different people, and its words change with them:

- ``Reader.CALLER``: the customer manager who placed the call ("You did not answer your
  phone"; "Ask your console admin ...").
- ``Reader.OTHERS``: anyone else reading about a call: a supervisor, another member, the CSV
  export, the command line ("The customer manager did not answer their phone"; "A console
  admin should ...").  No "you" addressed to the manager, no "your console admin".
- ``Reader.ADMIN``: a console admin, whether reading a manager's call or testing the
  connection: the manager in the third person, and "you" for what an admin fixes ("Check the
  AICC base URL in the settings"), never "ask your console admin".

A text that reads the same for everyone is one lazy string; a text that depends on the reader
is a ``Words(caller=..., others=..., admin=...)`` (``admin`` defaults to ``others``).
``Reason.for_reader(reader)`` (or ``decode(source, code, reader=...)``) gives the reason in that
reader's words; without a reader a reason speaks to the caller, as it always did.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field, replace
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Reader(StrEnum):
    """Who reads a reason (see the module docstring)."""

    CALLER = "caller"  # the customer manager who placed the call: "you"
    OTHERS = "others"  # a supervisor, another member, the export: "the customer manager"
    ADMIN = "admin"  # a console admin: "the customer manager", and "you" for an admin's fixes


@dataclass(frozen=True)
class Words:
    """One text in each reader's words (lazy strings).  ``admin`` defaults to ``others``."""

    caller: str
    others: str
    admin: str | None = None

    def to(self, reader: Reader | str | None) -> str:
        reader = as_reader(reader)
        if reader is Reader.CALLER:
            return self.caller
        if reader is Reader.ADMIN and self.admin is not None:
            return self.admin
        return self.others


def as_reader(reader: Reader | str | None) -> Reader:
    """``reader`` as a Reader; None (or anything unknown) is the caller, the catalogue's default."""
    if isinstance(reader, Reader):
        return reader
    try:
        return Reader(reader)
    except ValueError:
        return Reader.CALLER


def words_to(text: str | Words, reader: Reader | str | None) -> str:
    """The version of ``text`` for ``reader`` (a plain string reads the same for everyone)."""
    return text.to(reader) if isinstance(text, Words) else text


class Fixer(StrEnum):
    """Who can fix the problem behind a reason."""

    CALLER = "caller"  # the customer manager who clicked (e.g. wrong number)
    ADMIN = (
        "admin"  # the tenant's console admin (credentials, softphone mapping, ranges, trustlist)
    )
    PROVIDER = "provider"  # the AICC provider / Huawei O&M (VDN, feature enablement, platform)
    NOBODY = "nobody"  # nothing to fix (normal outcomes)

    def label(self, reader: Reader | str | None = None) -> str:
        """Translated label for the UI ("Who can fix it"), naming the role in ``reader``'s
        words (without a reader: the caller's)."""
        return words_to(_FIXER_LABELS[self], reader)


_FIXER_LABELS = {
    Fixer.CALLER: Words(caller=_("You"), others=_("The customer manager")),
    Fixer.ADMIN: Words(
        caller=_("Your console admin"),
        others=_("A console admin"),
        admin=_("A console admin (you)"),
    ),
    Fixer.PROVIDER: _("The AICC provider"),
    Fixer.NOBODY: _("No one"),
}


class Group(StrEnum):
    """What a reason means to the people reading the history: each reason belongs to one group
    (the history's reason filter offers the groups, with the codes inside each)."""

    NO_ANSWER = "no_answer"  # the customer did not answer or could not be reached
    CALLER_PHONE = "caller_phone"  # the customer manager's own phone was not reached/answered
    NUMBER = "number"  # a number is invalid or cannot be called
    BUSY = "busy"  # a call still in progress, or too many calls at once: wait
    SETTINGS = "settings"  # settings a console admin fixes (credentials, addresses, account)
    PROVIDER = "provider"  # a problem at the AICC provider
    NETWORK = "network"  # the connection to AICC, or the phone network
    CONSOLE = "console"  # a fault in the console itself
    GUARDRAIL = "guardrail"  # the tenant's guardrails: do-not-call, calling hours, attempt caps
    ENDED = "ended"  # the call ended normally: someone hung up
    OK = "ok"  # nothing went wrong (a success, a call state, an empty answer)

    def label(self, reader: Reader | str | None = None) -> str:
        return words_to(_GROUP_LABELS[self], reader)


_GROUP_LABELS = {
    Group.NO_ANSWER: _("The customer did not answer or could not be reached"),
    Group.CALLER_PHONE: Words(
        caller=_("Your phone was not reached or not answered"),
        others=_("The customer manager's phone was not reached or not answered"),
    ),
    Group.NUMBER: _("A number is invalid or cannot be called"),
    Group.BUSY: _("A call still in progress, or too many calls"),
    Group.SETTINGS: _("Settings to fix"),
    Group.PROVIDER: _("A problem at the AICC provider"),
    Group.NETWORK: _("Network or connection problem"),
    Group.CONSOLE: _("A fault in the console"),
    Group.GUARDRAIL: _("Not allowed now: do-not-call, calling hours or attempts"),
    Group.ENDED: _("Someone hung up"),
    Group.OK: _("No problem"),
}

# What the detail page says under "Could a retry succeed".
_RETRY_YES = _("Yes, later")
_RETRY_NO = _("No, not as it is")
_RETRY_CHECK = _("Perhaps, but first check whether the call was placed")


@dataclass(frozen=True, eq=False)
class Reason:
    """One decoded reason, in one reader's words.

    ``title``/``explanation``/``next_step`` are lazy translations for ``reader`` (the caller
    unless asked otherwise); ``for_reader`` gives the same reason in another reader's words.
    """

    source: str  # one of SOURCES (or whatever unknown source was passed to decode)
    code: str  # always a string: "5", "90100100", "401", "timeout"
    title: str
    explanation: str
    next_step: str
    fixer: Fixer
    retry: bool  # could an identical retry, as it is, later succeed? (False if maybe_placed)
    vendor_msg: str = ""  # the vendor's own English text (retMsg / description), not translated
    known: bool = True  # False for the generic fallback of an unknown code
    group: Group = Group.PROVIDER  # what it means (the history filter's groups)
    # The request may have reached AICC: a call may exist. Check before calling again.
    maybe_placed: bool = False
    reader: Reader = Reader.CALLER
    # The texts in every reader's words: (title, explanation, next_step), each str or Words.
    texts: tuple = field(default=(), repr=False)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.code}"

    def for_reader(self, reader: Reader | str | None) -> Reason:
        """This reason in ``reader``'s words."""
        reader = as_reader(reader)
        if reader is self.reader or not self.texts:
            return self if reader is self.reader else replace(self, reader=reader)
        title, explanation, next_step = (words_to(t, reader) for t in self.texts)
        return replace(
            self, title=title, explanation=explanation, next_step=next_step, reader=reader
        )

    @property
    def who(self) -> str:
        """Who can fix it, named in the reader's words ("The customer manager", ...)."""
        return self.fixer.label(self.reader)

    @property
    def retry_advice(self) -> str:
        """Could a retry succeed: yes later, no as it is, or only after checking whether the
        call was placed (the request may have reached AICC)."""
        if self.maybe_placed:
            return _RETRY_CHECK
        return _RETRY_YES if self.retry else _RETRY_NO

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

    ``Row("5", title=..., explanation=..., next_step=..., fixer=..., retry=..., group=...)``.
    Each text is a lazy string, or ``Words`` when it depends on the reader.  A source's fallback
    for unknown codes is a row without a code; its title and explanation may hold ``{code}``,
    replaced lazily by the raw (normalised) code.
    """

    code: str = ""
    _: KW_ONLY
    title: str | Words
    explanation: str | Words
    next_step: str | Words
    fixer: Fixer
    retry: bool  # could an identical retry, as it is, later succeed?
    group: Group
    maybe_placed: bool = False  # the request may have reached AICC: a call may exist
    vendor_msg: str = ""  # the vendor's own English text (retMsg / description), not translated

    @property
    def texts(self) -> tuple:
        return (self.title, self.explanation, self.next_step)

    def reason(self, source: str, reader: Reader = Reader.CALLER) -> Reason:
        """This row as the known reason of ``source``, in ``reader``'s words."""
        return Reason(
            source=source,
            code=self.code,
            title=words_to(self.title, reader),
            explanation=words_to(self.explanation, reader),
            next_step=words_to(self.next_step, reader),
            fixer=self.fixer,
            retry=self.retry,
            vendor_msg=self.vendor_msg,
            group=self.group,
            maybe_placed=self.maybe_placed,
            reader=reader,
            texts=self.texts,
        )
