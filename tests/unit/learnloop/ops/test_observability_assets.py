"""deploy/observability parses, and every metric it uses is one the code exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]  # stubs may be absent

ROOT = Path(__file__).resolve().parents[4]
ASSETS = ROOT / "deploy" / "observability"
SOURCES = [ROOT / "services", ROOT / "shared", ROOT / "learnloop"]
RUNBOOK = ROOT / "docs" / "runbook.md"

# Metrics the dashboards and rules rely on whose code is being written elsewhere: reported as
# an expected failure until the named component exports them, then checked like the rest.

# Metric constructors (Gauge, CounterMetricFamily...) and helpers named after them (``gauge(``).
_DEFINITION = re.compile(
    r"\b\w*?(counter|gauge|histogram|summary|info|enum)\w*\(\s*\"(learnloop_\w+)\"",
    re.IGNORECASE,
)
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_LEARNLOOP_NAME = re.compile(r"\blearnloop_[a-z0-9_]+\b")


def exported_names() -> set[str]:
    """Sample names the code exposes, from its metric definitions (suffixes as Prometheus sees)."""
    names: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            for kind, name in _DEFINITION.findall(path.read_text(encoding="utf-8")):
                kind = kind.lower()
                if kind == "counter":
                    base = name.removesuffix("_total")
                    names |= {f"{base}_total", f"{base}_created"}
                elif kind in ("histogram", "summary"):
                    names |= {name, *(f"{name}_{s}" for s in ("bucket", "sum", "count", "created"))}
                else:
                    names.add(name)
    return names


def _expressions(node: Any) -> Iterator[str]:
    """Every ``expr`` string anywhere in a parsed YAML/JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from _expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _expressions(item)


def referenced_names() -> dict[str, set[str]]:
    """learnloop_* metric names used in each asset (label values in quotes are ignored)."""
    rules = yaml.safe_load((ASSETS / "alert-rules.yml").read_text(encoding="utf-8"))
    dashboard = json.loads((ASSETS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for asset, document in (("alert-rules.yml", rules), ("grafana-dashboard.json", dashboard)):
        for expr in _expressions(document):
            for name in _LEARNLOOP_NAME.findall(_QUOTED.sub('""', expr)):
                found.setdefault(name, set()).add(asset)
    return found


def test_assets_parse_and_have_the_expected_shape() -> None:
    rules = yaml.safe_load((ASSETS / "alert-rules.yml").read_text(encoding="utf-8"))
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {
        "LearnLoopConsumerLagGrowing",
        "LearnLoopDeadLettersArriving",
        "LearnLoopObligationsOverdue",
        "LearnLoopPublishFailures",
        "LearnLoopServiceDown",
    } <= alerts
    scrape = yaml.safe_load((ASSETS / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target
        for job in scrape["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert targets == {"127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083", "127.0.0.1:9108"}
    assert scrape["rule_files"] == ["alert-rules.yml"]
    dashboard = json.loads((ASSETS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


def test_the_grep_finds_the_services_and_exporter_metrics() -> None:
    names = exported_names()
    assert {
        "learnloop_intake_requests_total",
        "learnloop_intake_request_seconds_bucket",
        "learnloop_learning_outbox_pending",
        "learnloop_consumer_lag_messages",
        "learnloop_dead_letters_total",
        "learnloop_reporting_consumer_lag",  # defined through a local gauge() helper
    } <= names


def test_every_referenced_metric_is_exported() -> None:
    exported = exported_names()
    unknown = {
        name: sorted(assets) for name, assets in referenced_names().items() if name not in exported
    }
    assert not unknown, f"metrics used in deploy/observability but exported nowhere: {unknown}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def test_alert_runbook_links_point_at_runbook_sections() -> None:
    headings = re.findall(r"^#{2,3} (.+)$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)
    anchors = {_slug(h) for h in headings}
    rules = yaml.safe_load((ASSETS / "alert-rules.yml").read_text(encoding="utf-8"))
    links = {
        rule["annotations"]["runbook"].split("#", 1)[1]
        for group in rules["groups"]
        for rule in group["rules"]
    }
    assert links <= anchors, f"runbook sections missing: {sorted(links - anchors)}"
