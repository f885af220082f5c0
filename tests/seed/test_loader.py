"""The seed files are valid, and a bad one fails naming the file, the entry and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from directory.config import Config
from directory.errors import SeedError
from directory.phones import is_uk_phone_number
from directory.seed import load_seed_bundle

REQUIRED_ISSUES = {
    "suicidal-thoughts",
    "self-harm",
    "depression",
    "anxiety",
    "panic",
    "ocd",
    "ptsd-trauma",
    "eating-disorders",
    "body-image",
    "bereavement",
    "psychosis",
    "bipolar",
    "stress",
    "loneliness",
    "relationships",
    "domestic-abuse",
    "drugs",
    "alcohol",
    "gambling",
    "sexuality-gender-identity",
    "money-worries",
    "caring-for-someone",
    "perinatal",
}
# Every row of the reference table of national services, as it names them.
REFERENCE_SERVICES = {
    "Emergency services",
    "NHS 111 mental health option",
    "NHS 24 Mental Health Hub",
    "NHS 111 Wales, press 2",
    "Lifeline",
    "Samaritans",
    "Shout",
    "Childline",
    "Papyrus HOPELINE247",
    "CALM",
    "Breathing Space",
    "CALL Mental Health Listening Line",
    "SANEline",
    "Mind Infoline",
    "Rethink Mental Illness advice service",
    "Beat",
    "Anxiety UK",
    "Cruse Bereavement Support",
    "Cruse Scotland",
    "Switchboard LGBT+",
    "The Mix",
    "Kooth",
    "Togetherall",
    "Side by Side (Mind)",
    "The Silver Line (Age UK)",
    "National Domestic Abuse Helpline (Refuge)",
    "Scotland's Domestic Abuse and Forced Marriage Helpline",
    "Live Fear Free",
    "Domestic and Sexual Abuse Helpline",
    "FRANK",
    "National Gambling Helpline (GamCare)",
    "NHS Talking Therapies",
    "Local Mind (about 125 local charities)",
    "Stay Alive (app, Grassroots Suicide Prevention)",
}


@pytest.fixture(scope="module")
def bundle():
    return load_seed_bundle(Config.SEED_DIR, demo=True)


def national(bundle):
    return [s for s in bundle.services if not s["demo"]]


def test_taxonomy_has_every_required_issue_and_kind(bundle):
    assert REQUIRED_ISSUES <= {term["code"] for term in bundle.issues}
    assert {k["code"] for k in bundle.kinds} >= {"helpline", "text_line", "emergency"}


def test_every_reference_row_is_a_national_service(bundle):
    assert {s["name"] for s in national(bundle)} == REFERENCE_SERVICES


def test_every_national_service_has_a_channel_a_source_and_a_verification_date(bundle):
    for service in national(bundle):
        assert any(c["verification"] != "unverified" for c in service["channels"]), service["id"]
        assert service["source_url"].startswith("https://"), service["id"]
        assert service["last_verified_at"].isoformat() == "2026-11-23", service["id"]
        assert service["verification_note"], service["id"]


def test_every_phone_number_is_a_uk_number_or_short_code(bundle):
    numbers = [
        c["value"] for s in bundle.services for c in s["channels"] if c["type"] in ("phone", "text")
    ]
    assert len(numbers) > 60
    assert [n for n in numbers if not is_uk_phone_number(n)] == []


def test_demo_set_spans_twelve_towns_in_all_four_nations(bundle):
    demo = [s for s in bundle.services if s["demo"]]
    assert len(demo) >= 60
    towns = {loc["town"] for s in demo for loc in s["locations"]}
    assert len(towns) >= 12
    assert {n for s in demo for n in s["coverage"]["nations"]} == {"ENG", "SCT", "WLS", "NIR"}
    assert all(s["locations"] for s in demo)
    visibilities = {loc["address_visibility"] for s in demo for loc in s["locations"]}
    assert {"public", "area_only"} <= visibilities


def test_without_demo_no_demo_listing_is_loaded():
    bundle = load_seed_bundle(Config.SEED_DIR, demo=False)
    assert bundle.services
    assert not any(s["demo"] for s in bundle.services)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed_data"
    shutil.copytree(Config.SEED_DIR, target)
    return target


def edit_services(seed_dir: Path, change) -> None:
    path = seed_dir / "services.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["services"][1]["channels"][0].update(type="phone", value="0800 12"),
            ["seed_data/services.yaml", "services[1]", "channels[0].value", "not a UK phone"],
        ),
        (
            lambda d: d["services"][2].update(issues=["sadness-of-the-moon"]),
            ["seed_data/services.yaml", "issues[0]", "unknown issue code 'sadness-of-the-moon'"],
        ),
        (
            lambda d: d["services"][3].pop("source_url"),
            ["seed_data/services.yaml", "services[3]", "source_url", "Missing data"],
        ),
        (
            lambda d: d["services"][0].update(
                hours={"rules": [{"days": ["funday"], "opens": "09:00", "closes": "17:00"}]}
            ),
            ["seed_data/services.yaml", "services[0]", "hours.rules", "funday"],
        ),
        (
            lambda d: d["services"][0].update(colour="blue"),
            ["services[0]", "colour", "Unknown field"],
        ),
        (
            lambda d: d["services"][0]["eligibility"].update(min_age=30, max_age=20),
            ["services[0]", "eligibility.max_age", "min_age is above max_age"],
        ),
    ],
)
def test_a_bad_file_names_the_file_the_entry_and_the_field(seed_copy, change, expected):
    edit_services(seed_copy, change)
    with pytest.raises(SeedError) as raised:
        load_seed_bundle(seed_copy, demo=False)
    for fragment in expected:
        assert fragment in str(raised.value)


def test_broken_yaml_names_the_file(seed_copy):
    (seed_copy / "demo" / "zz-broken.yaml").write_text("services: [unclosed\n")
    with pytest.raises(SeedError, match=r"seed_data/demo/zz-broken.yaml: cannot be read as YAML"):
        load_seed_bundle(seed_copy, demo=True)
