"""Without text, the bounded pool of candidates holds the best-ranked services, so its size
never changes what the first pages show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import Service
from directory.search import service as search_service


def names(app, body):
    response = app.test_client().post("/api/v1/search", json={"per_page": 100, **body})
    assert response.status_code == 200, response.get_json()
    return [hit["name"] for hit in response.get_json()["contents"]]


@pytest.mark.parametrize("stale_days", [180, 10])
@pytest.mark.parametrize(
    "body",
    [
        {"at": "2026-11-26T10:00:00Z"},  # a weekday morning: most offices open
        {"at": "2026-11-29T03:00:00Z", "nation": "ENG"},  # a Sunday night: few lines open
        {"at": "2026-11-26T19:30:00Z", "issue": "anxiety"},
    ],
)
def test_without_text_the_pool_holds_the_best_ranked_whatever_its_size(
    app, seed, monkeypatch, body, stale_days
):
    # With 10 days, most listings are past twice the stale period, where freshness is 0 and
    # only the name orders them.
    monkeypatch.setitem(app.config, "STALE_DAYS", stale_days)
    seed()
    with app.app_context():
        # Checked on many different days, some long ago (stale): the newest are not the
        # best-ranked, which are the open, fresh ones by name.
        services = db.session.scalars(select(Service).order_by(Service.name)).all()
        for days, service in enumerate(reversed(services)):
            service.last_verified_at = date(2026, 11, 20) - timedelta(days=days * 9)
        db.session.commit()
    everything = names(app, body)
    assert len(everything) > 12
    for size in (3, 7, 12):
        monkeypatch.setattr(search_service, "MAX_CANDIDATES", size)
        assert names(app, body) == everything[:size], size
