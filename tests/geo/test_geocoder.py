"""The optional online geocoder, with a fake geopy class: these tests never touch the network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from directory.geo import make_geocoder


@dataclass
class FakeLocation:
    latitude: float
    longitude: float


class FakeGeocoder:
    """Stands in for geopy.geocoders.Nominatim; records how it was built and called."""

    instances: list[FakeGeocoder] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers: dict[str, Any] = {"Leeds": FakeLocation(53.7965, -1.5479)}
        FakeGeocoder.instances.append(self)

    def geocode(self, query: str, **kwargs: Any) -> Any:
        self.calls.append((query, kwargs))
        answer = self.answers.get(query)
        if isinstance(answer, BaseException):
            raise answer
        return answer


@pytest.fixture
def fake() -> type[FakeGeocoder]:
    FakeGeocoder.instances = []
    return FakeGeocoder


def test_geocoder_builds_nominatim_with_the_timeout_and_user_agent(
    fake: type[FakeGeocoder],
) -> None:
    geocode = make_geocoder(
        "Nominatim", timeout=2.5, user_agent="signpost-test", geocoder_factory=fake
    )

    assert geocode("Leeds") == (53.7965, -1.5479)
    (instance,) = fake.instances
    assert instance.kwargs == {"user_agent": "signpost-test", "timeout": 2.5}
    assert instance.calls == [("Leeds", {"country_codes": "gb", "exactly_one": True})]


def test_geocoder_answers_a_repeat_from_its_cache(fake: type[FakeGeocoder]) -> None:
    geocode = make_geocoder("nominatim", timeout=1, user_agent="t", geocoder_factory=fake)

    first = geocode("Leeds")
    again = geocode("  leeds ")  # same place, typed differently
    missing = [geocode("Nowhere-on-earth") for _ in range(2)]

    assert first == again == (53.7965, -1.5479)
    assert missing == [None, None]
    assert [query for query, _ in fake.instances[0].calls] == ["Leeds", "Nowhere-on-earth"]


def test_geocoder_cache_is_bounded(fake: type[FakeGeocoder]) -> None:
    geocode = make_geocoder(
        "nominatim", timeout=1, user_agent="t", geocoder_factory=fake, cache_size=2
    )

    for query in ("Leeds", "York", "Hull", "Leeds"):
        geocode(query)

    assert [query for query, _ in fake.instances[0].calls] == ["Leeds", "York", "Hull", "Leeds"]


@pytest.mark.parametrize("error", [TimeoutError("slow"), OSError("network down")])
def test_geocoder_failures_are_not_found_and_not_cached(
    fake: type[FakeGeocoder], error: BaseException
) -> None:
    geocode = make_geocoder("nominatim", timeout=1, user_agent="t", geocoder_factory=fake)
    fake.instances[0].answers["Leeds"] = error

    assert geocode("Leeds") is None
    fake.instances[0].answers["Leeds"] = FakeLocation(53.7965, -1.5479)
    assert geocode("Leeds") == (53.7965, -1.5479)  # the outage is not remembered


def test_geocoder_turns_geopy_errors_into_not_found(fake: type[FakeGeocoder]) -> None:
    exc = pytest.importorskip("geopy.exc")
    geocode = make_geocoder("nominatim", timeout=1, user_agent="t", geocoder_factory=fake)
    fake.instances[0].answers["Leeds"] = exc.GeocoderTimedOut("timed out")
    fake.instances[0].answers["York"] = exc.GeocoderServiceError("503")

    assert geocode("Leeds") is None
    assert geocode("York") is None


def test_geocoder_by_default_is_geopys_nominatim() -> None:
    geocoders = pytest.importorskip("geopy.geocoders")
    built: list[Any] = []

    class Recording(geocoders.Nominatim):  # type: ignore[misc, name-defined]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            built.append(self)

    # Building a Nominatim makes no request; only geocode() would.
    make_geocoder("nominatim", timeout=3, user_agent="signpost-test", geocoder_factory=Recording)
    assert built[0].timeout == 3

    from directory.geo.geocoder import _geopy_class

    assert _geopy_class("nominatim") is geocoders.Nominatim


def test_geocoder_rejects_a_service_it_does_not_support() -> None:
    with pytest.raises(ValueError, match="unsupported geocoder 'mapquest'"):
        make_geocoder("mapquest", timeout=1, user_agent="t")


def test_geocoder_ignores_a_blank_query(fake: type[FakeGeocoder]) -> None:
    geocode = make_geocoder("nominatim", timeout=1, user_agent="t", geocoder_factory=fake)

    assert geocode("   ") is None
    assert fake.instances[0].calls == []
