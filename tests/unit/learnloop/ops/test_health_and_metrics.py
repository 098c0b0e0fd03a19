"""Service probes are classified correctly, and a status snapshot becomes the right metrics."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from learnloop.ops.dead_letters import DeadLetterCount
from learnloop.ops.exporter import status_metrics
from learnloop.ops.health import ServiceHealth, check_services
from learnloop.ops.lag import GroupLag, PartitionLag
from learnloop.ops.status import PipelineStatus


def probe(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == "gone":
        raise httpx.ConnectError("refused", request=request)
    if host == "joining" and path == "/readyz":
        return httpx.Response(503, json={"status": "joining", "partitions": 0})
    if host == "sick" and path == "/healthz":
        return httpx.Response(500, text="boom")
    if host == "rebuilt" and path == "/readyz":
        return httpx.Response(200, json={"status": "ready", "group_id": "reporting-rebuild-1"})
    return httpx.Response(200, json={"status": "ok"})


async def test_services_are_ok_not_ready_failing_or_down() -> None:
    services = {
        "intake": "http://fine",
        "learning": "http://joining/",
        "reporting": "http://gone",
        "extra": "http://sick",
        "rebuilt": "http://rebuilt:8083",
    }
    found = await check_services(services, transport=httpx.MockTransport(probe))
    by_name = {s.service: s for s in found}
    assert (by_name["intake"].health, by_name["intake"].readiness) == ("ok", "ready")
    assert (by_name["learning"].health, by_name["learning"].readiness) == ("ok", "not_ready")
    assert by_name["learning"].detail == "readyz 503: joining"
    assert (by_name["reporting"].health, by_name["reporting"].readiness) == ("down", "down")
    assert not by_name["reporting"].up
    assert by_name["extra"].health == "failing"
    assert by_name["rebuilt"].group_id == "reporting-rebuild-1"  # joins the groups in status
    assert by_name["intake"].group_id is None


class Fixed(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> list[Metric]:
        return self.metrics


def test_status_becomes_prometheus_gauges() -> None:
    lag = PartitionLag("learnloop-learning", "learnloop.incidents.v1", 0, 4, 10, 6, 120.5)
    unknown_age = PartitionLag("learnloop-learning", "learnloop.incidents.v1", 1, None, 3, 3, None)
    status = PipelineStatus(
        groups=[GroupLag("learnloop-learning", "Stable", 1, (lag, unknown_age))],
        dead_letters=[DeadLetterCount("learnloop.incidents.v1.dlq", stored=2, written=5)],
        services=[
            ServiceHealth("intake", "http://i", "ok", "ready"),
            ServiceHealth("learning", "http://l", "down", "down"),
        ],
    )
    registry = CollectorRegistry()
    registry.register(Fixed(status_metrics(status)))
    text = generate_latest(registry).decode()
    labels = 'group="learnloop-learning",partition="0",topic="learnloop.incidents.v1"'
    assert f"learnloop_consumer_lag_messages{{{labels}}} 6.0" in text
    assert f"learnloop_consumer_lag_seconds{{{labels}}} 120.5" in text
    assert 'learnloop_consumer_lag_seconds{group="learnloop-learning",partition="1"' not in text
    assert 'learnloop_dead_letters_total{topic="learnloop.incidents.v1.dlq"} 5.0' in text
    assert 'learnloop_dead_letters_stored{topic="learnloop.incidents.v1.dlq"} 2.0' in text
    assert 'learnloop_service_up{service="intake"} 1.0' in text
    assert 'learnloop_service_up{service="learning"} 0.0' in text
    assert "learnloop_ops_kafka_up 1.0" in text


def test_a_broker_outage_is_a_metric_not_a_failed_scrape() -> None:
    status = PipelineStatus(groups=[], dead_letters=[], services=[], kafka_error="down")
    registry = CollectorRegistry()
    registry.register(Fixed(status_metrics(status)))
    assert "learnloop_ops_kafka_up 0.0" in generate_latest(registry).decode()
