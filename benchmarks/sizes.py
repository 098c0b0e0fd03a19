"""How big each benchmark runs in each mode; ``--scale`` multiplies the data volumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["full", "quick", "smoke"]


@dataclass(frozen=True)
class Sizes:
    """Data volumes, rates and durations at scale 1 (``scaled`` applies the scale)."""

    mode: Mode
    limit_records: int  # Kafka's own perf tools and the bare aiokafka consumer
    limit_record_bytes: int
    aiokafka_producer_records: int
    learning_facts: int  # pre-produced facts the learning service must apply
    peer_facts: int  # the per-message FastStream baseline is slow: fewer facts
    apply_facts: int  # LearningPipeline.apply in batches, no Kafka
    apply_batch: int
    intake_batch_events: int
    intake_batch_size: int
    intake_batch_concurrency: int
    intake_single_rate: float  # requests/s
    intake_single_seconds: float
    e2e_rate: float  # events/s through intake HTTP
    e2e_seconds: float
    e2e_request_events: int  # events per intake request in the freshness run
    e2e_poll_s: float
    time_cap_s: float  # longest a single consuming phase may run before it is cut short

    def scaled(self, scale: int) -> Sizes:
        """Data volumes times ``scale``; rates, durations and Kafka limits stay."""
        return Sizes(
            mode=self.mode,
            limit_records=self.limit_records,
            limit_record_bytes=self.limit_record_bytes,
            aiokafka_producer_records=self.aiokafka_producer_records,
            learning_facts=self.learning_facts * scale,
            peer_facts=self.peer_facts * scale,
            apply_facts=self.apply_facts * scale,
            apply_batch=self.apply_batch,
            intake_batch_events=self.intake_batch_events * scale,
            intake_batch_size=self.intake_batch_size,
            intake_batch_concurrency=self.intake_batch_concurrency,
            intake_single_rate=self.intake_single_rate,
            intake_single_seconds=self.intake_single_seconds,
            e2e_rate=self.e2e_rate,
            e2e_seconds=self.e2e_seconds,
            e2e_request_events=self.e2e_request_events,
            e2e_poll_s=self.e2e_poll_s,
            time_cap_s=self.time_cap_s * (1 if scale == 1 else 2),
        )


FULL = Sizes(
    mode="full", limit_records=1_000_000, limit_record_bytes=500,
    aiokafka_producer_records=200_000, learning_facts=100_000, peer_facts=3_000,
    apply_facts=5_000, apply_batch=500, intake_batch_events=50_000, intake_batch_size=500,
    intake_batch_concurrency=4, intake_single_rate=500, intake_single_seconds=60,
    e2e_rate=1000, e2e_seconds=300, e2e_request_events=10, e2e_poll_s=0.2, time_cap_s=600,
)  # fmt: skip
QUICK = Sizes(
    mode="quick", limit_records=100_000, limit_record_bytes=500,
    aiokafka_producer_records=20_000, learning_facts=5_000, peer_facts=300,
    apply_facts=1_000, apply_batch=500, intake_batch_events=5_000, intake_batch_size=500,
    intake_batch_concurrency=4, intake_single_rate=500, intake_single_seconds=5,
    e2e_rate=1000, e2e_seconds=20, e2e_request_events=10, e2e_poll_s=0.2, time_cap_s=90,
)  # fmt: skip
SMOKE = Sizes(
    mode="smoke", limit_records=5_000, limit_record_bytes=500,
    aiokafka_producer_records=2_000, learning_facts=200, peer_facts=30,
    apply_facts=100, apply_batch=50, intake_batch_events=200, intake_batch_size=100,
    intake_batch_concurrency=2, intake_single_rate=50, intake_single_seconds=1,
    e2e_rate=50, e2e_seconds=3, e2e_request_events=5, e2e_poll_s=0.2, time_cap_s=45,
)  # fmt: skip
SIZES: dict[Mode, Sizes] = {"full": FULL, "quick": QUICK, "smoke": SMOKE}
