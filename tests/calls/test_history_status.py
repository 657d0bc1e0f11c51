"""A history row's status (calls.call_status.history_status) is the call's own status_of, however
the page's rows share the decoding (its memo), for every reader and language."""

from datetime import UTC, datetime, timedelta

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.aicc.reasons import Reader
from calls.call_status import history_status, status_of
from calls.models import Call

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

calls = st.builds(
    lambda status, state, outcome, reason, talk, talking, released, call_type, age, unfollowed: (
        Call(
            status=status,
            state=state,
            outcome_code=outcome,
            reason_source=reason[0],
            reason_code=reason[1],
            talk_seconds=talk,
            talking_at=NOW - timedelta(minutes=9) if talking else None,
            released_at=NOW - timedelta(minutes=released) if released is not None else None,
            call_type=call_type,
            created_at=NOW - timedelta(minutes=age),
            unfollowed_at=NOW if unfollowed else None,
        )
    ),
    status=st.sampled_from(list(Call.Status.values)),
    state=st.sampled_from([None, 0, 1, 2, 3]),
    outcome=st.sampled_from(["", "0", "1", "3", "17", "999"]),
    reason=st.sampled_from([("", ""), ("createCall", "8"), ("http", "500"), ("nope", "1")]),
    talk=st.sampled_from([None, 0, 42, 3700]),
    talking=st.booleans(),
    released=st.sampled_from([None, 1, 12]),
    call_type=st.sampled_from(["AICC", "ITA"]),
    age=st.integers(0, 240),
    unfollowed=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(calls, max_size=30),
    st.sampled_from([None, *Reader]),
    st.sampled_from(["en", "zh-hans"]),
)
def test_each_row_reads_as_its_own_status(rows, reader, language):
    with translation.override(language):
        memo = {}
        for call in rows:
            assert history_status(call, memo, NOW, reader) == status_of(call, NOW, reader)
