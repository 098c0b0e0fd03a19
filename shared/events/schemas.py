"""Exporting the JSON Schemas of the fact and derived events, one file per event type and version.

The exported files are checked in under ``shared/events/schemas/`` so that producers and
consumers outside Python can validate events; a unit test keeps them in sync with the models.
Run ``python -m shared.events [DIRECTORY]`` to re-export.
"""

import json
from pathlib import Path
from typing import Any

from shared.events.derived import DERIVED_EVENT_TYPES
from shared.events.envelope import EventEnvelope
from shared.events.registry import EVENT_TYPES

AnyEventClass = type[EventEnvelope[Any]]

SCHEMA_DIRECTORY = Path(__file__).with_name("schemas")
"""Where the checked-in schemas live."""

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_SUFFIX = ".schema.json"


def schema_filename(event_class: AnyEventClass) -> str:
    """Return the file name for an event's schema, e.g. ``incident.reported.v1.schema.json``."""
    fields = event_class.model_fields
    return f"{fields['type'].default}.v{fields['schemaversion'].default}{SCHEMA_SUFFIX}"


def event_json_schema(event_class: AnyEventClass) -> dict[str, Any]:
    """Return the JSON Schema of an event as it appears on the wire (serialisation mode).

    Envelope attributes that are always written (CloudEvents ``id``, ``type``, ``time`` ...,
    including those the Python model fills in by default) are listed as required.
    """
    schema = event_class.model_json_schema(mode="serialization")
    schema["required"] = [
        name
        for name, field in event_class.model_fields.items()
        if field.is_required() or field.default is not None
    ]
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def render_json_schemas() -> dict[str, str]:
    """Return ``{file name: schema text}`` for every event type, sorted by file name."""
    rendered = {
        schema_filename(event_class): json.dumps(
            event_json_schema(event_class), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
        for event_class in [*EVENT_TYPES.values(), *DERIVED_EVENT_TYPES.values()]
    }
    return dict(sorted(rendered.items()))


def export_json_schemas(directory: Path = SCHEMA_DIRECTORY) -> list[Path]:
    """Write every event schema into ``directory`` and return the written paths.

    Schema files in ``directory`` that no longer correspond to an event are removed, so the
    directory always matches :func:`render_json_schemas`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    rendered = render_json_schemas()
    for stale in directory.glob(f"*{SCHEMA_SUFFIX}"):
        if stale.name not in rendered:
            stale.unlink()
    written: list[Path] = []
    for filename, text in rendered.items():
        path = directory / filename
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    """Export the schemas to the directory given as the only argument (default: checked-in)."""
    directory = Path(argv[0]) if argv else SCHEMA_DIRECTORY
    for path in export_json_schemas(directory):
        print(path)
