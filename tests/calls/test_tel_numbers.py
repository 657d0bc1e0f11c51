"""A tel: URI (what a browser opens the console with for tel: links) is read as its number."""

import pytest

from calls.forms import CallForm
from calls.numbers import from_tel_uri, normalise


@pytest.mark.parametrize(
    "raw, number",
    [
        ("tel:+8613800000000", "13800000000"),
        ("TEL:+86%20138%200000%200000", "13800000000"),
        ("tel:+86-138-0000-0000;ext=12", "13800000000"),
        ("tel:+44 20 7946 0000", "00442079460000"),
        ("tel:13800000000", "13800000000"),
        ("+86 138 0000 0000", "13800000000"),
        ("telephone 138", "telephone138"),  # not a tel: URI: left to the rules to refuse
    ],
)
def test_tel_uris_normalise_to_their_number(raw, number):
    assert normalise(raw) == number


def test_from_tel_uri_leaves_other_values():
    assert from_tel_uri("138 0000 0000") == "138 0000 0000"
    assert from_tel_uri("tel:") == ""


@pytest.mark.django_db
def test_the_deep_links_prefill_reads_a_tel_uri(tenant):
    form = CallForm.prefilled({"called": "tel:+86%20138%200000%200000"}, tenant=tenant)
    assert not form.is_bound and form.initial["called"] == "+86 138 0000 0000"
