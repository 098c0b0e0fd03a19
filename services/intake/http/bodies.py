"""Reading request bodies: size limit, JSON or NDJSON, clear 400/413 errors."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic_core import from_json

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class BodyError(Exception):
    """The body cannot be read: ``status`` 400 (malformed) or 413 (too large)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes without reading it all into memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyError(413, "body_too_large", f"request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(413, "body_too_large", f"request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def loads(document: bytes) -> Any:
    """Decode one JSON document as ``json.loads`` does, about three times faster.

    pydantic-core's parser decodes what ``json.loads`` decodes to the same values (big integers,
    NaN and Infinity included) but refuses a few documents the standard library takes (UTF-16
    bodies, a UTF-8 BOM, lone surrogates): those, and malformed JSON, take the standard library's
    path, so what is accepted and the error a caller sees are as before.
    """
    try:
        return from_json(document)
    except ValueError:
        return json.loads(document)


def parse_json(body: bytes) -> Any:
    """One JSON document."""
    if not body.strip():
        raise BodyError(400, "empty_body", "the request body is empty")
    try:
        return loads(body)
    except (ValueError, RecursionError) as exc:  # bad JSON, 4300+ digit ints, deep nesting
        raise BodyError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None


def parse_batch(body: bytes, content_type: str) -> list[Any]:
    """A JSON array, or NDJSON (one JSON document per line) by content type."""
    if content_type.split(";")[0].strip().lower() in NDJSON_TYPES:
        items: list[Any] = []
        for number, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(loads(line))
            except (ValueError, RecursionError) as exc:
                raise BodyError(
                    400, "malformed_json", f"line {number} is not valid JSON: {exc}"
                ) from None
        return items
    document = parse_json(body)
    if not isinstance(document, list):
        raise BodyError(400, "expected_array", "a batch is a JSON array of events (or NDJSON)")
    return document
