"""A ranked-choice count that would elect every option is refused in words that agree with the
counts ('1 seat for 1 option')."""

from __future__ import annotations

import pytest

from cairn.governance.methods import check_config
from cairn.governance.models import Method


@pytest.mark.parametrize(
    ("seats", "keys", "message"),
    [
        (1, ["a"], "1 seat for 1 option: elect fewer than offered"),
        (2, ["a", "b"], "2 seats for 2 options: elect fewer than offered"),
    ],
)
def test_electing_every_option_is_refused_in_agreeing_words(seats, keys, message):
    # given a ranked-choice proposal with as many seats as options, when it is checked
    with pytest.raises(ValueError, match=message) as refused:
        check_config(Method.RANKED_CHOICE, {"seats": seats}, keys)
    # then the refusal counts seats and options in the right number
    assert str(refused.value) == message
