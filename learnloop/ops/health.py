"""Liveness and readiness of the three services, from their /healthz and /readyz endpoints."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import httpx

Health = Literal["ok", "failing", "down"]
Readiness = Literal["ready", "not_ready", "down"]


@dataclass(frozen=True)
class ServiceHealth:
    """One service's answer (``down``: it did not answer at all within the timeout)."""

    service: str
    url: str
    health: Health
    readiness: Readiness
    detail: str = ""
    group_id: str | None = None  # the consumer group /readyz names (reporting after a rebuild)

    @property
    def up(self) -> bool:
        """True when the process answers /healthz with 200."""
        return self.health == "ok"


async def check_services(
    services: dict[str, str],
    *,
    timeout_s: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[ServiceHealth]:
    """Call /healthz and /readyz of every service concurrently."""
    async with httpx.AsyncClient(timeout=timeout_s, transport=transport) as client:
        checks = [check_service(client, name, url) for name, url in services.items()]
        return list(await asyncio.gather(*checks))


async def check_service(client: httpx.AsyncClient, service: str, url: str) -> ServiceHealth:
    """Classify one service: ``down`` when unreachable, else the status codes of both probes."""
    base = url.rstrip("/")
    try:
        health = await client.get(f"{base}/healthz")
    except httpx.HTTPError as exc:
        return ServiceHealth(service, url, "down", "down", detail=type(exc).__name__)
    try:
        ready = await client.get(f"{base}/readyz")
    except httpx.HTTPError as exc:
        return ServiceHealth(
            service, url, _health(health), "down", detail=f"readyz: {type(exc).__name__}"
        )
    body = _json_object(ready)
    readiness: Readiness = "ready" if ready.status_code == 200 else "not_ready"
    detail = "" if readiness == "ready" else f"readyz {ready.status_code}: {body.get('status', '')}"
    group = body.get("group_id")
    return ServiceHealth(
        service, url, _health(health), readiness, detail=detail,
        group_id=group if isinstance(group, str) else None,
    )  # fmt: skip


def _health(response: httpx.Response) -> Health:
    return "ok" if response.status_code == 200 else "failing"


def _json_object(response: httpx.Response) -> dict[str, object]:
    """A probe's JSON body, or {} when it is not a JSON object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
