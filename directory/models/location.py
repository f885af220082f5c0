"""Location and ServiceAtLocation: where a service can be met in person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, new_id

if TYPE_CHECKING:
    from directory.models.service import Service

# public: full address; area_only: town and postcode district; hidden: nothing but the town
# (refuges and some groups must never have their address published).
ADDRESS_VISIBILITIES = ("public", "area_only", "hidden")


class Location(Base):
    __tablename__ = "location"
    # Search finds nearby services with a bounding box on these two columns.
    __table_args__ = (Index("ix_location_latitude_longitude", "latitude", "longitude"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    town: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    address_visibility: Mapped[str] = mapped_column(String(12), default="public")
    # Bumped on every change: the ETag that If-Match must name.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    service_links: Mapped[list[ServiceAtLocation]] = relationship(back_populates="location")

    def __repr__(self) -> str:
        return f"<Location {self.name or self.town}>"


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )

    service: Mapped[Service] = relationship(back_populates="location_links")
    location: Mapped[Location] = relationship(back_populates="service_links")

    def __repr__(self) -> str:
        return f"<ServiceAtLocation {self.service_id}@{self.location_id}>"
