"""Response shapes of the API (documented in the OpenAPI schema at /docs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.reporting.api.items import ActionItem, ObligationItem
from services.reporting.domain.access import ReadFilter, Scope
from services.reporting.domain.actions import Accountability
from services.reporting.domain.evidence import Evidence
from services.reporting.domain.sites import SiteSize
from services.reporting.domain.summary_model import PeriodSummary
from services.reporting.domain.themes import ThemeMovement
from services.reporting.domain.trends import ThemeTrend


@dataclass(frozen=True)
class ScopeInfo:
    """Whose data the answer covers: the key's provider and sites, and the filters applied."""

    provider_id: str
    key_sites: list[str] | None  # None: the key sees every site of its provider
    sites: list[str] | None  # the sites counted (None: all the key may see)
    region: str | None

    @classmethod
    def of(cls, scope: Scope, read: ReadFilter) -> ScopeInfo:
        """Describe a request's scope."""
        key_sites = sorted(scope.sites) if scope.sites is not None else None
        sites = sorted(read.sites) if read.sites is not None else None
        return cls(scope.provider_id, key_sites, sites, read.region)


@dataclass(frozen=True)
class GovernanceSummary:
    """Per period governance metrics, and accountability over the whole range."""

    scope: ScopeInfo
    granularity: str
    first_month: str
    last_month: str
    generated_at: datetime
    notes: list[str]
    periods: list[PeriodSummary]
    accountability: list[Accountability]


@dataclass(frozen=True)
class SiteInfo:
    """A site, with its size when the sites file gives it."""

    site_id: str
    region: str
    kind: str | None = None
    beds: int | None = None
    occupied_beds: float | None = None
    care_hours_per_month: float | None = None

    @classmethod
    def of(cls, site_id: str, region: str, size: SiteSize | None) -> SiteInfo:
        """From what the data and the sites file say."""
        if size is None:
            return cls(site_id, region)
        return cls(site_id, size.region, size.kind, size.beds, size.occupied_beds,
                   size.care_hours_per_month)  # fmt: skip


@dataclass(frozen=True)
class SiteList:
    """The sites a key may see."""

    items: list[SiteInfo]


@dataclass(frozen=True)
class SiteScorecard:
    """One site: its periods, accountability, and what is overdue now."""

    site: SiteInfo
    scope: ScopeInfo
    granularity: str
    first_month: str
    last_month: str
    generated_at: datetime
    periods: list[PeriodSummary]
    accountability: list[Accountability]
    overdue_actions: list[ActionItem]
    overdue_obligations: list[ObligationItem]
    open_obligations: list[ObligationItem]


@dataclass(frozen=True)
class ThemeTrendsResponse:
    """Theme counts per period (by kind of fact), and the last period's movement."""

    scope: ScopeInfo
    granularity: str
    generated_at: datetime
    periods: list[str]
    themes: list[ThemeTrend]
    latest: ThemeMovement


@dataclass(frozen=True)
class EvidenceResponse:
    """What evidences a quality statement in the range."""

    scope: ScopeInfo
    generated_at: datetime
    evidence: Evidence


@dataclass(frozen=True)
class StatementInfo:
    """A statement and the themes mapped to it."""

    id: str
    title: str
    themes: list[str]


@dataclass(frozen=True)
class KeyQuestionInfo:
    """A key question and its statements."""

    id: str
    title: str
    statements: list[StatementInfo]


@dataclass(frozen=True)
class FrameworkInfo:
    """A CQC framework version."""

    id: str
    title: str
    status: str
    verified: bool
    key_questions: list[KeyQuestionInfo]


@dataclass(frozen=True)
class FrameworkList:
    """Every framework version the evidence view can use."""

    frameworks: list[FrameworkInfo]
