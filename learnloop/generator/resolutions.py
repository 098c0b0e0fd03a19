"""Complaint outcomes: each generated complaint is answered 10-35 days later
(``complaint.resolved``), upheld or not as the ground truth decided when it was drafted."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from shared.events import ComplaintReceived, ComplaintResolved


def _fraction(text: str) -> float:
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def resolution_for(complaint: ComplaintReceived, upheld: bool) -> ComplaintResolved:
    """The provider's response to ``complaint`` (deterministic from its id)."""
    spread = _fraction(complaint.id)
    if upheld:
        outcome = "partly_upheld" if spread < 0.3 else "upheld"
    else:
        outcome = "withdrawn" if spread < 0.1 else "not_upheld"
    responded = complaint.time + timedelta(days=10 + int(_fraction(complaint.id + "/d") * 26))
    return ComplaintResolved.model_validate(
        {
            "id": f"{complaint.id}-resolved",
            "source": complaint.source,
            "time": responded,
            "subject": f"{complaint.subject}/outcome" if complaint.subject else None,
            "providerid": complaint.providerid,
            "siteid": complaint.siteid,
            "region": complaint.region,
            "data": {
                "complaint_event_id": complaint.id,
                "outcome": outcome,
                "responded_at": responded,
            },
        }
    )
