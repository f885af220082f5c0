"""ProblemReport: the public's "this information is wrong", queued for an editor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.models.base import Base, new_id, utcnow
from directory.models.service import Service

REPORT_KINDS = ("phone", "hours", "closed", "eligibility", "other")
REPORT_STATUSES = ("open", "resolved", "rejected")


class ProblemReport(Base):
    """What is wrong with a listing. Nothing about the person who reported it is kept."""

    __tablename__ = "problem_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The editor's side: what they did about it, and which key did it.
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(120))

    service: Mapped[Service] = relationship()

    def __repr__(self) -> str:
        return f"<ProblemReport {self.kind} {self.status}>"
