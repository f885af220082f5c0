"""What counts as a UK phone number or short code."""

from __future__ import annotations

import pytest

from directory.phones import is_uk_phone_number, is_uk_short_code


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("116 123", True),
        ("999", True),
        ("111", True),
        ("0808 808 8000", True),
        ("03444 775 774", True),
        ("0800 4 70 80 90", True),
        ("18001 0808 808 8000", True),  # Relay UK textphone prefix
        ("18001 111", True),
        ("+44 808 808 8000", True),
        ("0800 12", False),
        ("12345678901234", False),
        ("+1 212 555 0100", False),  # not a UK number
        ("call us", False),
        ("", False),
    ],
)
def test_is_uk_phone_number(value, valid):
    assert is_uk_phone_number(value) is valid


@pytest.mark.parametrize(("value", "valid"), [("85258", True), ("116 123", True), ("0800", False)])
def test_is_uk_short_code(value, valid):
    assert is_uk_short_code(value) is valid
