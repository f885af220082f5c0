"""An optional online geocoder (geopy), for places the offline gazetteer does not know.

Off unless an operator configures it: it sends what a person typed to a third party. geopy is
imported only when a geocoder is made, so the app runs without it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Geocode = Callable[[str], tuple[float, float] | None]
GeocoderFactory = Callable[..., Any]

CACHE_SIZE = 1024
# Extra keyword arguments per service for geocode(): keep answers inside the UK.
_GEOCODE_OPTIONS: dict[str, dict[str, Any]] = {
    "nominatim": {"country_codes": "gb", "exactly_one": True},
}


def make_geocoder(
    name: str,
    *,
    timeout: float,
    user_agent: str,
    geocoder_factory: GeocoderFactory | None = None,
    cache_size: int = CACHE_SIZE,
) -> Geocode:
    """Make a cached geocode(query) -> (lat, lon) | None for a geopy service such as 'nominatim'."""
    service = name.strip().lower()
    if service not in _GEOCODE_OPTIONS:
        raise ValueError(f"unsupported geocoder {name!r}; supported: {', '.join(_GEOCODE_OPTIONS)}")
    if geocoder_factory is None:
        geocoder_factory = _geopy_class(service)
    geocoder = geocoder_factory(user_agent=user_agent, timeout=timeout)
    options = _GEOCODE_OPTIONS[service]
    failures = _failure_types()
    cache: OrderedDict[str, tuple[float, float] | None] = OrderedDict()
    lock = threading.Lock()

    def geocode(query: str) -> tuple[float, float] | None:
        key = " ".join(query.casefold().split())
        if not key:
            return None
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        try:
            location = geocoder.geocode(query, **options)
        except failures:
            # Not cached: a timeout or an outage says nothing about the place, so try next time.
            return None
        result = None if location is None else (location.latitude, location.longitude)
        with lock:
            cache[key] = result
            cache.move_to_end(key)
            while len(cache) > cache_size:
                cache.popitem(last=False)
        return result

    return geocode


def _geopy_class(service: str) -> GeocoderFactory:
    try:
        from geopy.geocoders import get_geocoder_for_service
    except ImportError as exc:
        raise ImportError("The online geocoder needs geopy: pip install 'geopy>=2.4,<3'") from exc
    return get_geocoder_for_service(service)  # type: ignore[no-any-return]


def _failure_types() -> tuple[type[BaseException], ...]:
    # Network trouble surfaces as geopy's errors, but also as plain timeouts/OSErrors from an
    # adapter; either way the caller falls back to "not found" rather than a 500.
    failures: tuple[type[BaseException], ...] = (TimeoutError, OSError)
    try:
        from geopy.exc import GeopyError
    except ImportError:
        return failures
    return (GeopyError, *failures)
