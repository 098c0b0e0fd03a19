"""`ops exporter`: the pipeline status as Prometheus metrics, collected afresh on every scrape.

Collecting on scrape (rather than on a timer) means a value is never older than the scrape, and
an exporter nobody scrapes puts no load on the brokers. Scrapes are serialised by Prometheus'
interval; keep ``scrape_timeout`` above ``LEARNLOOP_OPS__FETCH_TIMEOUT_S``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from learnloop.ops.settings import OpsSettings
from learnloop.ops.status import PipelineStatus, collect_status

PARTITION_LABELS = ["group", "topic", "partition"]


def status_metrics(status: PipelineStatus) -> list[Metric]:
    """The metric families for one status snapshot."""
    lag_messages = GaugeMetricFamily(
        "learnloop_consumer_lag_messages",
        "Records a consumer group has not consumed yet, per partition.",
        labels=PARTITION_LABELS,
    )
    lag_seconds = GaugeMetricFamily(
        "learnloop_consumer_lag_seconds",
        "Age of the oldest record a consumer group has not consumed yet (0 when caught up).",
        labels=PARTITION_LABELS,
    )
    members = GaugeMetricFamily(
        "learnloop_consumer_group_members", "Members joined to a consumer group.", labels=["group"]
    )
    for group in status.groups:
        members.add_metric([group.group], group.members)
        for p in group.partitions:
            labels = [p.group, p.topic, str(p.partition)]
            lag_messages.add_metric(labels, p.lag_messages)
            if p.lag_seconds is not None:
                lag_seconds.add_metric(labels, p.lag_seconds)
    stored = GaugeMetricFamily(
        "learnloop_dead_letters_stored",
        "Records on a dead-letter topic now (drops after a purge).",
        labels=["topic"],
    )
    written = CounterMetricFamily(
        "learnloop_dead_letters",
        "Records ever written to a dead-letter topic (sum of end offsets).",
        labels=["topic"],
    )
    for count in status.dead_letters:
        stored.add_metric([count.topic], count.stored)
        written.add_metric([count.topic], count.written)
    up = GaugeMetricFamily(
        "learnloop_service_up", "1 when the service answers /healthz.", labels=["service"]
    )
    ready = GaugeMetricFamily(
        "learnloop_service_ready",
        "1 when the service answers /readyz with 200.",
        labels=["service"],
    )
    for service in status.services:
        up.add_metric([service.service], 1 if service.up else 0)
        ready.add_metric([service.service], 1 if service.readiness == "ready" else 0)
    kafka = GaugeMetricFamily(
        "learnloop_ops_kafka_up", "1 when the exporter could read offsets from the brokers."
    )
    kafka.add_metric([], 0 if status.kafka_error else 1)
    return [lag_messages, lag_seconds, members, stored, written, up, ready, kafka]


class StatusCollector(Collector):
    """A collector that asks the brokers and services on every scrape."""

    def __init__(self, settings: OpsSettings, groups: list[str] | None = None) -> None:
        self._settings = settings
        self._groups = groups

    def collect(self) -> Iterable[Metric]:
        """Run one status collection (in the scrape's own thread, with its own event loop)."""
        status = asyncio.run(collect_status(self._settings, groups=self._groups))
        return status_metrics(status)

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: registering must not contact the brokers."""
        return []


def exporter_registry(settings: OpsSettings, groups: list[str] | None = None) -> CollectorRegistry:
    """A registry holding only the status collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StatusCollector(settings, groups))
    return registry


def start_exporter(
    settings: OpsSettings, *, port: int, host: str = "0.0.0.0", groups: list[str] | None = None
) -> WSGIServer:
    """Serve /metrics in a daemon thread; call ``shutdown()`` on the result to stop."""
    server, _ = start_http_server(port, addr=host, registry=exporter_registry(settings, groups))
    return server
