"""Signed tracked-link tokens."""

import pytest

from analytics.exceptions import UnknownLink
from analytics.links import LinkSigner


def test_a_token_names_its_impression_and_any_change_breaks_it() -> None:
    signer = LinkSigner("a-secret-of-enough-length")
    token = signer.token("i_abc123")
    assert signer.impression_of(token) == "i_abc123"
    impression, _, signature = token.rpartition(".")
    for forged in (f"i_abc124.{signature}", f"{impression}.{signature[:-1]}A", impression, "", "."):
        with pytest.raises(UnknownLink):
            signer.impression_of(forged)
    with pytest.raises(UnknownLink):
        LinkSigner("another-secret-of-length").impression_of(token)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 characters"):
        LinkSigner("short")
