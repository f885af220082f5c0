"""SQLAlchemy 2 typed models, one module per aggregate."""

from directory.models.apikey import SCOPES, ApiKey
from directory.models.audit import AUDIT_ACTIONS, AuditEvent
from directory.models.base import Base, new_id, stable_id
from directory.models.location import ADDRESS_VISIBILITIES, Location, ServiceAtLocation
from directory.models.organization import Organization
from directory.models.report import REPORT_KINDS, REPORT_STATUSES, ProblemReport
from directory.models.search import (
    OpeningInterval,
    PostcodePoint,
    SearchCard,
    SearchDocument,
    SearchIssue,
    SearchPoint,
)
from directory.models.service import (
    CHANNEL_TYPES,
    COSTS,
    COVERAGE_SCOPES,
    NATIONS,
    REFERRAL_ROUTES,
    SERVICE_KINDS,
    SERVICE_STATUSES,
    VERIFICATION_STATUSES,
    Channel,
    Coverage,
    CoverageNation,
    Eligibility,
    Schedule,
    Service,
    service_taxonomy_term,
)
from directory.models.taxonomy import ISSUES_TAXONOMY, KINDS_TAXONOMY, Taxonomy, TaxonomyTerm

__all__ = [
    "ADDRESS_VISIBILITIES",
    "AUDIT_ACTIONS",
    "REPORT_KINDS",
    "REPORT_STATUSES",
    "SCOPES",
    "ApiKey",
    "AuditEvent",
    "ProblemReport",
    "CHANNEL_TYPES",
    "COSTS",
    "COVERAGE_SCOPES",
    "ISSUES_TAXONOMY",
    "KINDS_TAXONOMY",
    "NATIONS",
    "REFERRAL_ROUTES",
    "SERVICE_KINDS",
    "SERVICE_STATUSES",
    "VERIFICATION_STATUSES",
    "Base",
    "Channel",
    "Coverage",
    "CoverageNation",
    "Eligibility",
    "Location",
    "OpeningInterval",
    "Organization",
    "PostcodePoint",
    "Schedule",
    "SearchDocument",
    "SearchCard",
    "SearchIssue",
    "SearchPoint",
    "Service",
    "ServiceAtLocation",
    "Taxonomy",
    "TaxonomyTerm",
    "new_id",
    "service_taxonomy_term",
    "stable_id",
]
