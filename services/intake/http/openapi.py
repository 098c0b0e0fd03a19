"""OpenAPI request bodies for the event endpoints, from the pydantic event contracts.

Bodies are parsed by hand (to answer 400/413/422 exactly as documented), so their schemas are
added to the OpenAPI document here rather than inferred from handler signatures.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.events import EVENT_TYPES

REF = "#/components/schemas/{model}"


def _schema_name(event_type: str) -> str:
    return EVENT_TYPES[event_type].__name__


def event_openapi(event_type: str) -> dict[str, Any]:
    """The request body of a single-event endpoint."""
    return {
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Retries with the same key carry the same event id.",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=_schema_name(event_type))}}
            },
        },
    }


def batch_openapi(max_items: int) -> dict[str, Any]:
    """The request body of the batch endpoint: an array of any event type, or NDJSON."""
    any_event = {
        "oneOf": [{"$ref": REF.format(model=cls.__name__)} for cls in EVENT_TYPES.values()]
    }
    array = {"type": "array", "items": any_event, "minItems": 1, "maxItems": max_items}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": array},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }


def install_event_schemas(app: FastAPI) -> None:
    """Make app.openapi() include the event models under components/schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for event_class in EVENT_TYPES.values():
            schema = event_class.model_json_schema(ref_template=REF)
            schemas.update(schema.pop("$defs", {}))
            schemas[event_class.__name__] = schema
        document["components"]["securitySchemes"] = {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        }
        document["security"] = [{"ApiKey": []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
