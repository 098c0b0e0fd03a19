"""The machine's limits on the same broker: Kafka's own ProducerPerformance and
ConsumerPerformance (kafka-tools jar, Java), and bare aiokafka loops that do nothing else.

One 6-partition topic: the Java producer writes N records of ~500 bytes (acks=all, idempotent,
no compression); the Java consumer and a bare aiokafka consumer (which only counts) read them
back; then a bare aiokafka producer (acks=all, idempotent, no compression) appends its own.
Last, the HTTP floor: a trivial ASGI app under uvicorn, loaded like the intake's single events.
No LearnLoop service can go faster than these on this machine.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import NewTopic

from benchmarks.context import KAFKA_BOOTSTRAP, KAFKA_LIBS, PROJECT_ROOT, BenchContext
from benchmarks.facts import facts
from benchmarks.figures import Figure
from benchmarks.http_floor import measure
from learnloop.processes import free_port
from shared.provisioning import admin_client
from shared.settings import KafkaSettings

NAME = "limits"
DESCRIPTION = "Kafka's perf tools and bare aiokafka loops: what the broker and client allow"
PARTITIONS = 6
JAVA_HEAP = "-Xmx512m"
PRODUCER_SUMMARY = re.compile(
    r"(?P<records>\d+) records sent, (?P<rate>[\d.]+) records/sec \((?P<mb>[\d.]+) MB/sec\), "
    r"(?P<avg>[\d.]+) ms avg latency, (?P<max>[\d.]+) ms max latency, (?P<p50>\d+) ms 50th, "
    r"(?P<p95>\d+) ms 95th, (?P<p99>\d+) ms 99th"
)


async def _java(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "java", "-Xms64m", JAVA_HEAP, "-cp", f"{KAFKA_LIBS}/*", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    text = out.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({process.returncode}):\n{text[-3000:]}")
    return text


async def producer_performance(topic: str, records: int, size: int) -> dict[str, float]:
    """``org.apache.kafka.tools.ProducerPerformance``: its final summary line, parsed."""
    text = await _java(
        "org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
        "--num-records", str(records), "--record-size", str(size), "--throughput", "-1",
        "--producer-props", f"bootstrap.servers={KAFKA_BOOTSTRAP}", "acks=all",
        "enable.idempotence=true", "compression.type=none",
    )  # fmt: skip
    matches = list(PRODUCER_SUMMARY.finditer(text))
    if not matches:
        raise RuntimeError(f"no summary in ProducerPerformance output:\n{text[-2000:]}")
    return {key: float(value) for key, value in matches[-1].groupdict().items()}


async def consumer_performance(topic: str, records: int, group: str) -> dict[str, float]:
    """``org.apache.kafka.tools.ConsumerPerformance``: its CSV result line, parsed."""
    text = await _java(
        "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", KAFKA_BOOTSTRAP,
        "--topic", topic, "--messages", str(records), "--group", group, "--timeout", "60000",
    )  # fmt: skip
    lines = [line for line in text.splitlines() if line.count(",") >= 9]
    header = [h.strip() for h in lines[0].split(",")]
    values = [v.strip() for v in lines[-1].split(",")]
    row = dict(zip(header, values, strict=False))
    return {
        "records": float(row["data.consumed.in.nMsg"]),
        "records_per_s": float(row["nMsg.sec"]),
        "mb_per_s": float(row["MB.sec"]),
        "fetch_records_per_s": float(row["fetch.nMsg.sec"]),  # without the group join
        "rebalance_ms": float(row["rebalance.time.ms"]),
    }


async def aiokafka_consume(topic: str, records: int, group: str) -> dict[str, float]:
    """A bare aiokafka consumer that only counts: records/s from its first record to the last."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA_BOOTSTRAP, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", max_partition_fetch_bytes=4 * 1024 * 1024,
    )  # fmt: skip
    await consumer.start()
    count, first = 0, 0.0
    try:
        while count < records:
            asked = time.perf_counter()
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            if batch and not first:
                first = asked  # from the fetch that brought the first records (group joined)
            count += sum(len(messages) for messages in batch.values())
        elapsed = time.perf_counter() - first
    finally:
        await consumer.stop()
    return {"records": count, "seconds": round(elapsed, 2), "records_per_s": round(count / elapsed)}


async def aiokafka_produce(topic: str, records: int, size: int) -> dict[str, float]:
    """A bare aiokafka producer loop, acks=all and idempotent, as fast as it goes."""
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA_BOOTSTRAP, acks="all", enable_idempotence=True, linger_ms=5,
        max_batch_size=256 * 1024,
    )  # fmt: skip
    await producer.start()
    payload = os.urandom(size)
    try:
        started = time.perf_counter()
        pending = []
        for _ in range(records):
            pending.append(await producer.send(topic, payload))
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    return {
        "records": records,
        "seconds": round(elapsed, 2),
        "records_per_s": round(records / elapsed),
    }


async def _create_topic(name: str) -> None:
    admin = admin_client(KafkaSettings(bootstrap_servers=KAFKA_BOOTSTRAP))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
        for _ in range(100):
            described = await admin.describe_topics([name])
            if described and described[0]["error_code"] == 0 and described[0]["partitions"]:
                return
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


async def http_floor(context: BenchContext) -> dict[str, Any]:
    """The single-event load against a trivial app in its own process."""
    port = free_port()
    log = context.folder("http-floor") / "server.log"
    with log.open("ab") as output:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.http_floor", str(port), cwd=PROJECT_ROOT,
            stdout=output, stderr=output,
        )  # fmt: skip
    try:
        body = next(iter(facts(1))).to_json_bytes()
        sizes = context.sizes
        return await measure(port, body, sizes.intake_single_rate, sizes.intake_single_seconds)
    finally:
        server.terminate()
        await server.wait()


async def run(context: BenchContext) -> dict[str, Any]:
    """The four limits on one topic."""
    sizes = context.sizes
    topic = f"{context.kafka('perf').topic_prefix}.records"
    await _create_topic(topic)
    java_producer = await producer_performance(topic, sizes.limit_records, sizes.limit_record_bytes)
    java_consumer = await consumer_performance(topic, sizes.limit_records, context.group("java"))
    bare_consumer = await aiokafka_consume(topic, sizes.limit_records, context.group("aiokafka"))
    bare_producer = await aiokafka_produce(
        topic, sizes.aiokafka_producer_records, sizes.limit_record_bytes
    )
    floor = await http_floor(context)
    rate = f"{sizes.intake_single_rate:.0f} req/s"
    figures = [
        Figure("ProducerPerformance (Java), acks=all", java_producer["rate"], "records/s"),
        Figure("ProducerPerformance p99 latency", java_producer["p99"], "ms"),
        Figure("ConsumerPerformance (Java)", java_consumer["fetch_records_per_s"], "records/s"),
        Figure("aiokafka consumer, counting only", bare_consumer["records_per_s"], "records/s"),
        Figure("aiokafka producer, acks=all", bare_producer["records_per_s"], "records/s"),
        Figure(f"HTTP floor: trivial app p99 at {rate}", floor.get("latency_p99_ms"), "ms"),
        Figure("HTTP floor: achieved", floor.get("completed_per_s"), "requests/s"),
        Figure("HTTP floor: load generator lag p99", floor.get("client_lag_p99_ms"), "ms"),
    ]
    return {
        "figures": [figure.as_json() for figure in figures],
        "topic_partitions": PARTITIONS,
        "record_bytes": sizes.limit_record_bytes,
        "producer_performance": java_producer,
        "consumer_performance": java_consumer,
        "aiokafka_consumer": bare_consumer,
        "aiokafka_producer": bare_producer,
        "http_floor": floor,
    }
