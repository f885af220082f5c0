"""Service aggregate: a service with its channels, schedules, eligibility and coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, new_id, utcnow
from directory.models.location import ServiceAtLocation
from directory.models.organization import Organization
from directory.models.taxonomy import TaxonomyTerm

NATIONS = ("ENG", "SCT", "WLS", "NIR")
SERVICE_KINDS = (
    "helpline",
    "text_line",
    "web_chat",
    "online_community",
    "nhs_service",
    "charity_service",
    "peer_support_group",
    "counselling",
    "self_help",
    "emergency",
)
CHANNEL_TYPES = (
    "phone",
    "text",
    "web_chat",
    "email",
    "website",
    "app",
    "online_community",
    "in_person",
    "video",
)
REFERRAL_ROUTES = ("self", "gp", "professional", "commissioner")
# unknown: no source states a cost; such a service matches neither free=true nor free=false.
COSTS = ("free", "low", "paid", "unknown")
# verified (✔ in the reference): publish; secondary (◐): publish and queue for an editor;
# unverified (✘): store, never publish, because a wrong crisis number is worse than none.
VERIFICATION_STATUSES = ("verified", "secondary", "unverified")
COVERAGE_SCOPES = ("national", "areas", "radius", "commissioned")
SERVICE_STATUSES = ("active", "inactive", "defunct")

service_taxonomy_term = Table(
    "service_taxonomy_term",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("taxonomy_term_id", ForeignKey("taxonomy_term.id"), primary_key=True, index=True),
)


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    is_crisis_service: Mapped[bool] = mapped_column(default=False)
    referral: Mapped[list[str]] = mapped_column(JSON, default=list)
    self_referral: Mapped[bool] = mapped_column(default=True, index=True)
    cost: Mapped[str] = mapped_column(String(8), default="unknown", index=True)
    cost_text: Mapped[str | None] = mapped_column(String(300))
    wait_time: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_url: Mapped[str | None] = mapped_column(String(500))
    last_verified_at: Mapped[date | None]
    # The name of the API key that last verified the listing (None: seed data or import).
    verified_by: Mapped[str | None] = mapped_column(String(120))
    verification: Mapped[str] = mapped_column(String(12), default="unverified")
    verification_note: Mapped[str | None] = mapped_column(Text)
    # For editors only (the `restricted` scope): never in a public response.
    internal_notes: Mapped[str | None] = mapped_column(Text)
    demo: Mapped[bool] = mapped_column(default=False, index=True)
    # A digest of the seed entry this row came from: re-seeding skips unchanged entries.
    seed_digest: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization] = relationship(back_populates="services")
    channels: Mapped[list[Channel]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Channel.position"
    )
    schedule: Mapped[Schedule | None] = relationship(cascade="all, delete-orphan", uselist=False)
    eligibility: Mapped[Eligibility | None] = relationship(
        cascade="all, delete-orphan", uselist=False
    )
    coverage: Mapped[Coverage | None] = relationship(cascade="all, delete-orphan", uselist=False)
    nation_rows: Mapped[list[CoverageNation]] = relationship(cascade="all, delete-orphan")
    issues: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=service_taxonomy_term, order_by=TaxonomyTerm.position
    )
    location_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    @property
    def nations(self) -> list[str]:
        """The nations the service covers, in the standard order."""
        covered = {row.nation for row in self.nation_rows}
        return [nation for nation in NATIONS if nation in covered]

    def __repr__(self) -> str:
        return f"<Service {self.slug}>"


class Channel(Base):
    """One way to reach a service: a number, short code, chat, email, site or address."""

    __tablename__ = "channel"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))
    instructions: Mapped[str | None] = mapped_column(String(500))
    free_to_contact: Mapped[bool | None]
    textphone: Mapped[bool] = mapped_column(default=False)
    bsl: Mapped[bool] = mapped_column(default=False)
    # Empty: every nation the service covers (Beat has a separate line per nation).
    nations: Mapped[list[str]] = mapped_column(JSON, default=list)
    verification: Mapped[str] = mapped_column(String(12), default="verified")
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="channels")
    schedule: Mapped[Schedule | None] = relationship(
        back_populates="channel", cascade="all, delete-orphan", uselist=False
    )

    @property
    def published(self) -> bool:
        return self.verification != "unverified"

    def __repr__(self) -> str:
        return f"<Channel {self.type} {self.value}>"


class Schedule(Base):
    """Weekly opening hours of a service, or of one channel when they differ."""

    __tablename__ = "schedule"
    # A schedule belongs to exactly one owner: the service, or one of its channels.
    __table_args__ = (
        CheckConstraint("(service_id IS NULL) <> (channel_id IS NULL)", name="one_owner"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), unique=True
    )
    channel_id: Mapped[str | None] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), unique=True
    )
    open_24_7: Mapped[bool] = mapped_column(default=False)
    bank_holidays: Mapped[str] = mapped_column(String(10), default="normal")
    # [{"days": ["mon", ...], "opens": "HH:MM", "closes": "HH:MM"}], Europe/London wall time.
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    verification: Mapped[str] = mapped_column(String(12), default="verified")

    channel: Mapped[Channel | None] = relationship(back_populates="schedule")

    @property
    def published(self) -> bool:
        return self.verification != "unverified"

    def as_hours_dict(self) -> dict[str, Any]:
        """Return the schedule in the dict form that hours.parse_hours reads."""
        return hours_dict(self)

    def __repr__(self) -> str:
        return f"<Schedule {'24/7' if self.open_24_7 else self.rules}>"


class Eligibility(Base):
    """Who may use a service: age, gender, groups, GP registration."""

    __tablename__ = "eligibility"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    min_age: Mapped[int | None] = mapped_column(index=True)
    max_age: Mapped[int | None] = mapped_column(index=True)
    genders: Mapped[list[str]] = mapped_column(JSON, default=list)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_gp_registration: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Eligibility {self.min_age}-{self.max_age}>"


class Coverage(Base):
    """Where a service is available: national, listed areas, a radius, or where commissioned."""

    __tablename__ = "coverage"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(14), default="national")
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    radius_km: Mapped[float | None]
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Coverage {self.scope}>"


class CoverageNation(Base):
    """One nation a service covers; a row each so that the nation filter stays in SQL."""

    __tablename__ = "coverage_nation"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    nation: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<CoverageNation {self.nation}>"


HOURS_FIELDS = ("open_24_7", "bank_holidays", "rules", "valid_from", "valid_to")


def hours_dict(schedule: Any) -> dict[str, Any]:
    """A schedule (or a row with its columns) in the dict form that hours.parse_hours reads."""
    return {name: getattr(schedule, name) for name in HOURS_FIELDS}


def eligibility_dict(service: Service) -> dict[str, Any]:
    """Who a service is for, as the API and the Open Referral extension both show it."""
    rules = service.eligibility
    return {
        "min_age": rules.min_age if rules else None,
        "max_age": rules.max_age if rules else None,
        "genders": rules.genders if rules else [],
        "groups": rules.groups if rules else [],
        "requires_gp_registration": bool(rules and rules.requires_gp_registration),
        "notes": rules.notes if rules else None,
    }


def coverage_dict(service: Service) -> dict[str, Any]:
    """Where a service is for (no coverage recorded: national, in its nations)."""
    coverage = service.coverage
    return {
        "scope": coverage.scope if coverage else "national",
        "nations": service.nations,
        "areas": coverage.areas if coverage else [],
        "radius_km": coverage.radius_km if coverage else None,
        "notes": coverage.notes if coverage else None,
    }
