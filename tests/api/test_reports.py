"""Problem reports: anyone posts exactly what the widget sends; admins work the queue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import ProblemReport


def test_the_widget_body_is_accepted_and_queued(world):
    url = f"/api/v1/services/{world.service_id}/reports"
    response = world.client.post(url, json={"kind": "hours", "message": "Shut on Sundays now"})
    assert response.status_code == 201, response.get_json()
    report_id = response.get_json()["id"]
    assert response.get_json()["status"] == "open"
    queue = world.client.get("/api/v1/reports?status=open", headers=world.auth("admin")).get_json()
    assert report_id in [r["id"] for r in queue["contents"]]
    report = next(r for r in queue["contents"] if r["id"] == report_id)
    assert report["kind"] == "hours"
    assert report["message"] == "Shut on Sundays now"
    assert report["service"]["id"] == world.service_id


def test_a_report_needs_no_message(world):
    url = f"/api/v1/services/{world.service_id}/reports"
    assert world.client.post(url, json={"kind": "closed"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "phone", "email": "me@example.org"}, "email"),  # nothing about the person
        ({"kind": "rude"}, "kind"),
        ({"message": "no kind"}, "kind"),
        ({"kind": "other", "message": "x" * 1001}, "message"),
    ],
)
def test_bad_reports_are_422_and_not_stored(world, body, field):
    response = world.client.post(f"/api/v1/services/{world.service_id}/reports", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    with world.app.app_context():
        assert len(db.session.scalars(select(ProblemReport)).all()) == 1  # the world's own


def test_a_report_on_an_unknown_service_is_404(world):
    response = world.client.post("/api/v1/services/nope/reports", json={"kind": "phone"})
    assert response.status_code == 404


def test_resolve_and_filter_the_queue(world):
    other = world.client.post(
        f"/api/v1/services/{world.service_id}/reports", json={"kind": "other"}
    ).get_json()["id"]
    resolved = world.client.patch(
        f"/api/v1/reports/{world.report_id}",
        json={"status": "resolved", "resolution_note": "Number corrected"},
        headers=world.auth("admin"),
    )
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["resolved_by"] == "admin"
    statuses = {
        status: [
            r["id"]
            for r in world.client.get(
                f"/api/v1/reports?status={status}", headers=world.auth("admin")
            ).get_json()["contents"]
        ]
        for status in ("open", "resolved")
    }
    assert statuses == {"open": [other], "resolved": [world.report_id]}
    by_service = world.client.get(
        f"/api/v1/reports?service_id={world.service_id}", headers=world.auth("admin")
    ).get_json()
    assert by_service["total_items"] == 2
    nothing = world.client.get("/api/v1/reports?service_id=nope", headers=world.auth("admin"))
    assert nothing.get_json()["empty"] is True


def test_a_bad_status_is_422(world):
    response = world.client.patch(
        f"/api/v1/reports/{world.report_id}", json={"status": "done"}, headers=world.auth("admin")
    )
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_report_times_carry_their_offset(world):
    # Found by contract fuzzing: naive datetimes from SQLite went out without an offset.
    queue = world.client.get("/api/v1/reports", headers=world.auth("admin")).get_json()
    report = queue["contents"][0]
    for name in ("created_at", "updated_at"):
        assert datetime.fromisoformat(report[name]).utcoffset() == timedelta(0), report[name]
