"""Words for the reader (issue 16, section 4): every decoded reason, in every reader's words.

The customer manager who placed the call reads "you"; a supervisor, an admin and the export read
"the customer manager"; who can fix it names the role; an admin is never told to ask their
console admin. Both languages. These tests walk EVERY reason of the catalogue (and every
source's fallback for unknown codes) for each reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from calls.aicc.reasons import (
    SOURCES,
    Fixer,
    Group,
    Reader,
    all_reasons,
    decode,
    fallback_reasons,
    reasons_for,
    reasons_in,
)
from calls.aicc.reasons.core import Words

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# The sources whose reader is whoever asked or looks (the outcome refresh, a recording, the
# softphone list, a call's live state): their next steps may speak to the reader ("Refresh
# again in a moment").
QUERY_SOURCES = {
    "queryCallState", "queryCallDetailRecord", "queryPhone", "getRecordingAddress", "state",
}  # fmt: skip

# Second person. "Your organisation" is addressed to any member of the tenant, not to the
# customer manager, so it may stay in everyone's words.
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
ANY_MEMBER = re.compile(r"\byour organisation('s)?\b", re.IGNORECASE)
# An order to the reader: a sentence starting with one of these verbs.
IMPERATIVE = {
    "add", "answer", "ask", "call", "check", "contact", "enter", "find", "get", "look",
    "refresh", "report", "see", "tell", "top", "try", "upgrade", "wait",
}  # fmt: skip
ROLES = re.compile(r"customer manager|console admin|AICC provider", re.IGNORECASE)
HAN = re.compile(r"[\u4e00-\u9fff]")
ZH_SECOND_PERSON = re.compile(r"[您你]")

ROLE_LABELS = {
    Reader.CALLER: {"You", "Your console admin", "The AICC provider", "No one"},
    Reader.OTHERS: {"The customer manager", "A console admin", "The AICC provider", "No one"},
    Reader.ADMIN: {"The customer manager", "A console admin (you)", "The AICC provider", "No one"},
}


@pytest.fixture(scope="module")
def compiled_messages():
    """A current locale/zh_Hans django.mo (normally built by `make messages`), as in
    tests/test_translations.py."""
    from django.utils.translation import trans_real

    from scripts.compile_messages import compile_catalogue

    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        compile_catalogue(PO, MO)
        trans_real._translations = {}
        trans_real._active = trans_real.Local()
        trans_real._default = None


def every_reason(reader):
    return [*all_reasons(reader), *fallback_reasons(reader)]


def texts(reason):
    return {
        "title": str(reason.title),
        "explanation": str(reason.explanation),
        "next_step": str(reason.next_step),
    }


def sentences(text):
    return [s for s in re.split(r"(?<=[.;:])\s+", text) if s]


def english_problems(reason, reader):
    problems = []
    for name, text in texts(reason).items():
        where = f"{reader}: {reason.key} {name}: {text!r}"
        if reader is Reader.CALLER:
            if "customer manager" in text.lower():  # the caller is the customer manager
                problems.append(f"{where} speaks of the customer manager to the caller")
            continue
        if SECOND_PERSON.search(ANY_MEMBER.sub("", text)):
            problems.append(f"{where} says 'you'")
        if reader is Reader.ADMIN and re.search(r"\badmin\b", text, re.IGNORECASE):
            problems.append(f"{where} sends an admin to a console admin")
        if reader is Reader.OTHERS and reason.source not in QUERY_SOURCES and name != "title":
            for sentence in sentences(text):
                first = re.sub(r"[^a-z]", "", sentence.split()[0].lower())
                if first in IMPERATIVE:
                    problems.append(f"{where} orders the reader: {sentence!r}")
            if name == "next_step" and reason.fixer is not Fixer.NOBODY and not ROLES.search(text):
                problems.append(f"{where} does not say who acts")
    label = str(reason.who)
    if label not in ROLE_LABELS[reader]:
        problems.append(f"{reader}: {reason.key} who can fix it: {label!r}")
    return problems


@pytest.mark.parametrize("reader", list(Reader))
def test_every_reason_has_the_words_for_its_reader(reader):
    with translation.override("en"):
        problems = [p for r in every_reason(reader) for p in english_problems(r, reader)]
    assert not problems, "\n".join(problems)


def test_the_walk_covers_the_whole_catalogue():
    keys = {r.key for r in all_reasons()}
    for reader in Reader:
        assert {r.key for r in all_reasons(reader)} == keys
        assert all(r.reader is reader for r in every_reason(reader))
    assert len(keys) > 130
    assert len(fallback_reasons()) == len(SOURCES) + 3  # + the two 5xx fallbacks, unknown source


@pytest.mark.parametrize("reader", [Reader.OTHERS, Reader.ADMIN])
def test_others_and_admins_read_in_the_third_person_in_chinese(reader, compiled_messages):
    problems = []
    with translation.override("zh-hans"):
        for reason in every_reason(reader):
            for name, text in texts(reason).items():
                where = f"{reader}: {reason.key} {name}: {text!r}"
                if ZH_SECOND_PERSON.search(text):
                    problems.append(f"{where} says 您")
                if reader is Reader.ADMIN and "管理员" in text:
                    problems.append(f"{where} sends an admin to a console admin")
                if reader is Reader.OTHERS and reason.source not in QUERY_SOURCES:
                    # 请 "please" starts an order (请求 "request" is a noun).
                    if any(re.match(r"请(?!求)", s) for s in re.split(r"(?<=[。；：])", text)):
                        problems.append(f"{where} orders the reader")
            if ZH_SECOND_PERSON.search(str(reason.who).replace("（您）", "")):
                problems.append(f"{reader}: {reason.key} who: {reason.who}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("reader", list(Reader))
def test_every_version_is_translated(reader, compiled_messages):
    with translation.override("en"):
        english = {r.key: texts(r) for r in every_reason(reader)}
        english_labels = {g: str(g.label(reader)) for g in Group}
    problems = []
    with translation.override("zh-hans"):
        for reason in every_reason(reader):
            for name, zh in texts(reason).items():
                if zh == english[reason.key][name] or not HAN.search(zh):
                    problems.append(f"{reader}: {reason.key} {name}: {zh!r}")
            if not HAN.search(str(reason.who)):
                problems.append(f"{reader}: {reason.key} who: {reason.who!r}")
        for group in Group:
            if str(group.label(reader)) == english_labels[group]:
                problems.append(f"{reader}: group {group}")
    assert not problems, "not in Chinese:\n" + "\n".join(problems)


def test_the_same_call_in_the_words_of_the_caller_and_of_everyone_else():
    with translation.override("en"):
        mine = decode("outcome", 4)
        theirs = decode("outcome", 4, reader=Reader.OTHERS)
        admins = decode("outcome", 4, reader="admin")
        assert str(mine.title) == "You did not answer your phone"
        assert str(theirs.title) == "The customer manager did not answer their phone"
        assert str(admins.title) == str(theirs.title)
        assert mine == theirs  # the same reason, in other words
        assert mine.for_reader("others").title == theirs.title
        assert theirs.for_reader(None) is not None and str(theirs.for_reader(None).title) == str(
            mine.title
        )
        assert [mine.who, theirs.who] == ["You", "The customer manager"]
        # A settings problem: the caller asks the admin, others read who should act, an admin
        # reads what to do.
        tls = {reader: decode("transport", "tls", reader) for reader in Reader}
        assert str(tls[Reader.CALLER].next_step).startswith("Ask your console admin")
        assert str(tls[Reader.OTHERS].next_step).startswith("A console admin should check")
        assert str(tls[Reader.ADMIN].next_step).startswith("Check the AICC base URL")
        assert [str(tls[r].who) for r in Reader] == [
            "Your console admin",
            "A console admin",
            "A console admin (you)",
        ]
    with translation.override("zh-hans"):
        assert "您" in str(mine.title) and "客户经理" in str(theirs.title)


def test_without_a_reader_a_reason_speaks_to_the_caller_as_before():
    """decode(source, code) and the Reason attributes still work as they did (other code
    relies on them)."""
    with translation.override("en"):
        reason = decode("createCall", 8)
        assert reason.reader is Reader.CALLER
        assert str(reason.title) == "Your phone number is not allowed"
        assert str(reason.fixer.label()) == "Your console admin"
        assert reason is decode("createCall", "8")  # still one object per code
        assert reason is decode("createCall", 8, reader=None)
        assert decode("createCall", 8, reader="nonsense") is reason
        unknown = decode("createCall", 777, reader=Reader.ADMIN)
        assert not unknown.known and "777" in str(unknown.title)
        assert str(unknown.next_step) == "Check the code with the AICC provider."


def test_words_default_the_admin_to_everyone_else():
    words = Words(caller="a", others="b")
    assert [words.to(r) for r in Reader] == ["a", "b", "b"]
    assert Words(caller="a", others="b", admin="c").to("admin") == "c"
    assert words.to(None) == "a"


# --- meaning groups ---------------------------------------------------------------------------


def test_every_reason_belongs_to_one_meaning_group():
    for reason in every_reason(Reader.CALLER):
        assert isinstance(reason.group, Group), reason.key
    by_group = {g: reasons_in(g) for g in Group}
    keys = [r.key for rs in by_group.values() for r in rs]
    assert sorted(keys) == sorted(r.key for r in all_reasons())  # each in exactly one
    assert {r.key for r in by_group[Group.NO_ANSWER]} >= {"outcome:5", "outcome_ita:19"}
    assert {r.key for r in by_group[Group.CALLER_PHONE]} == {"outcome:2", "outcome:4"}
    assert "createCall:5" in {r.key for r in by_group[Group.NUMBER]}
    assert "createCall:8" in {r.key for r in by_group[Group.SETTINGS]}
    assert "transport:timeout" in {r.key for r in by_group[Group.NETWORK]}
    assert "createCall:6" in {r.key for r in by_group[Group.PROVIDER]}
    # "No problem" and "someone hung up" need nobody to fix anything.
    for reason in by_group[Group.OK] + by_group[Group.ENDED]:
        assert reason.fixer is Fixer.NOBODY, reason.key


def test_group_labels_are_in_the_readers_words():
    with translation.override("en"):
        assert str(Group.CALLER_PHONE.label()) == "Your phone was not reached or not answered"
        assert str(Group.CALLER_PHONE.label(Reader.OTHERS)).startswith("The customer manager")
        for reader in (Reader.OTHERS, Reader.ADMIN):
            for group in Group:
                assert not SECOND_PERSON.search(str(group.label(reader))), group


# --- a call that may have been placed ----------------------------------------------------------


def test_the_retry_advice_of_a_call_that_may_have_been_placed_is_to_check_first():
    """A read timeout after sending (and the other faults after which AICC may have the request)
    means the call may exist: the advice is to check before calling again, not "retry"."""
    with translation.override("en"):
        timeout = decode("transport", "timeout")
        assert timeout.maybe_placed and not timeout.retry
        assert str(timeout.retry_advice) == "Perhaps, but first check whether the call was placed"
        assert str(decode("http", 503).retry_advice) == "Yes, later"
        assert str(decode("createCall", 5).retry_advice) == "No, not as it is"
        for reader in Reader:
            for reason in all_reasons(reader):
                if reason.maybe_placed:
                    assert not reason.retry, reason.key
                    assert "may have been placed" in str(reason.explanation), reason.key
                    assert "before calling again" in str(reason.next_step), reason.key
                else:
                    assert "may have been placed" not in str(reason.explanation), reason.key


def test_maybe_placed_is_what_placing_a_call_treats_as_outcome_unknown():
    """The catalogue and calls.services.placing agree on which answers leave a call "outcome
    unknown", so that the words never contradict the call's status."""
    from calls.services.placing import MAYBE_SENT_FAULTS, MAYBE_SENT_HTTP

    maybe = {r.key for r in all_reasons() if r.maybe_placed}
    assert maybe == {f"transport:{f}" for f in MAYBE_SENT_FAULTS} | {
        f"http:{s}" for s in MAYBE_SENT_HTTP
    } | {"transport:interrupted"}  # the sweep's: calls stuck in "placing"


def test_reasons_for_takes_a_reader():
    with translation.override("en"):
        titles = {str(r.title) for r in reasons_for("outcome", Reader.OTHERS)}
    assert "The customer manager hung up" in titles and "You hung up" not in titles
