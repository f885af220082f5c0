"""The app sets the collector's thresholds for a process that caches thousands of records."""

from __future__ import annotations

import gc

from directory import GC_THRESHOLDS, create_app


def test_creating_the_app_sets_the_collector_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults
    try:
        create_app({"SQLALCHEMY_DATABASE_URL": "sqlite://", "TESTING": True})
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)
