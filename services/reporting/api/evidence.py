"""Evidence per CQC quality statement, and the frameworks it can be asked for."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.reporting.adapters.evidence_reader import (
    evidence_counts,
    latest_actions,
    latest_events,
    latest_lessons,
)
from services.reporting.api.deps import (
    FromMonth,
    RuntimeDep,
    ScopeDep,
    ToMonth,
    narrow,
    periods_for,
    refuse_nul_characters,
)
from services.reporting.api.errors import ERROR_RESPONSES, ApiError
from services.reporting.api.schemas import (
    EvidenceResponse,
    FrameworkInfo,
    FrameworkList,
    KeyQuestionInfo,
    ScopeInfo,
    StatementInfo,
)
from services.reporting.domain.evidence import Evidence, EvidenceError, statement_themes
from services.reporting.domain.periods import Granularity

router = APIRouter(
    tags=["evidence"], responses=ERROR_RESPONSES, dependencies=[Depends(refuse_nul_characters)]
)


@router.get(
    "/v1/evidence",
    response_model=EvidenceResponse,
    responses={404: {"description": "Unknown framework or statement"}},
)
async def evidence(
    runtime: RuntimeDep, scope: ScopeDep,
    framework: Annotated[str, Query(description="saf-2023 or draft-2026")],
    statement: Annotated[str, Query(description="e.g. safe.safeguarding")],
    first: FromMonth = None,
    last: ToMonth = None,
    site: str | None = None, region: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Latest items per list.")] = 10,
) -> EvidenceResponse:  # fmt: skip
    """Which themes map to the statement, how much evidence the range holds, the latest items."""
    read = narrow(scope, site=site, region=region)
    try:
        ref, themes = statement_themes(runtime.rulebook, framework, statement)
    except EvidenceError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    periods = periods_for(runtime, Granularity.MONTH, first, last)
    start, end = periods[0].start, periods[-1].end
    ids = [theme.theme_id for theme in themes]
    async with runtime.engine.connect() as connection:
        counts = await evidence_counts(connection, read, ids, start, end)
        events = await latest_events(connection, read, ids, start, end, audits=False, limit=limit)
        audits = await latest_events(connection, read, ids, start, end, audits=True, limit=limit)
        actions = await latest_actions(connection, read, ids, start, end, limit)
        lessons = await latest_lessons(connection, read, ids, start, end, limit)
    found = Evidence(
        ref, themes, periods[0].first.label, periods[-1].last.label, counts, events, audits,
        actions, lessons,
    )  # fmt: skip
    return EvidenceResponse(ScopeInfo.of(scope, read), runtime.clock(), found)


@router.get("/v1/frameworks", response_model=FrameworkList)
async def frameworks(runtime: RuntimeDep, _scope: ScopeDep) -> FrameworkList:
    """CQC framework versions, their statements and the themes mapped to each."""
    rulebook = runtime.rulebook
    result = []
    for framework in rulebook.frameworks.values():
        questions = [
            KeyQuestionInfo(
                question.id, question.title,
                [
                    StatementInfo(s.id, s.title, [
                        t.id for t in rulebook.themes.values()
                        if s.id in t.quality_statements.get(framework.id, ())
                    ])
                    for s in question.statements
                ],
            )
            for question in framework.key_questions
        ]  # fmt: skip
        result.append(
            FrameworkInfo(
                framework.id, framework.title, framework.status, framework.verified, questions
            )
        )
    return FrameworkList(result)
