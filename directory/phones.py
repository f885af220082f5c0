"""UK phone numbers and short codes: what a listing may publish as a number to call or text."""

from __future__ import annotations

import re

import phonenumbers

# Short codes are not in the numbering plan phonenumbers validates: 999/112 emergency,
# 111 NHS, 116 xxx harmonised European helplines, 5-digit SMS short codes (Shout's 85258),
# and 18001 in front of a number for a Relay UK textphone call.
_SHORT_CODE = re.compile(r"^(999|112|111|116\d{3}|[6-8]\d{4})$")
_TEXT_RELAY_PREFIX = "18001"


def _digits(value: str) -> str:
    return re.sub(r"[\s()-]", "", value)


def is_uk_short_code(value: str) -> bool:
    """Whether `value` is a UK short code such as 999, 111, 116 123 or 85258."""
    return bool(_SHORT_CODE.match(_digits(value)))


def is_uk_phone_number(value: str) -> bool:
    """Whether `value` is a valid UK number or short code, optionally after the 18001 prefix."""
    digits = _digits(value)
    if digits.startswith(_TEXT_RELAY_PREFIX) and len(digits) > len(_TEXT_RELAY_PREFIX):
        digits = digits[len(_TEXT_RELAY_PREFIX) :]
    if not digits.removeprefix("+").isdigit():
        return False
    if is_uk_short_code(digits):
        return True
    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        return False
    return number.country_code == 44 and phonenumbers.is_valid_number(number)
