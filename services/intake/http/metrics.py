"""Prometheus metrics of the intake service (one registry per app, so tests stay independent)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass(frozen=True)
class IntakeMetrics:
    """The counters and histograms exported at /metrics."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    events: Counter
    publish_failures: Counter
    redactions: Counter
    kafka_connected: Gauge


def create_metrics() -> IntakeMetrics:
    """A fresh registry with every intake metric."""
    registry = CollectorRegistry()
    return IntakeMetrics(
        registry=registry,
        requests=Counter(
            "learnloop_intake_requests_total",
            "HTTP requests by route and status code.",
            ["route", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "learnloop_intake_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        ),
        events=Counter(
            "learnloop_intake_events_total",
            "Submitted events by type and outcome (accepted, duplicate, rejected, unavailable).",
            ["type", "outcome"],
            registry=registry,
        ),
        publish_failures=Counter(
            "learnloop_intake_publish_failures_total",
            "Events Kafka did not acknowledge.",
            registry=registry,
        ),
        redactions=Counter(
            "learnloop_intake_redactions_total",
            "Direct identifiers masked in free text, by kind.",
            ["kind"],
            registry=registry,
        ),
        kafka_connected=Gauge(
            "learnloop_intake_kafka_connected",
            "1 when the producer is connected to Kafka.",
            registry=registry,
        ),
    )
