"""Marking and finding free-text fields that may hold personal or sensitive information.

Free text written by staff, people using services or relatives can contain names, health
details and allegations. Such fields carry ``"x-sensitive": true`` in their JSON Schema so that
downstream code (logging, analytics, exports) can find and redact them.
"""

from collections.abc import Iterator
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.config import JsonDict

SENSITIVE_KEY = "x-sensitive"
"""JSON Schema extension keyword marking a sensitive field."""

SENSITIVE: JsonDict = {SENSITIVE_KEY: True}
"""Pass as ``json_schema_extra`` on a pydantic ``Field`` holding sensitive free text."""


def sensitive_fields(model: type[BaseModel] | BaseModel) -> list[str]:
    """Return dotted paths of the sensitive fields of ``model``, nested models included.

    Sequences are traversed transparently: the comment of every audit item is reported as
    ``data.items.comment``. Paths follow declaration order.
    """
    model_class = model if isinstance(model, type) else type(model)
    return list(_sensitive_paths(model_class))


@cache
def _sensitive_paths(model_class: type[BaseModel]) -> tuple[str, ...]:
    """Models are classes fixed at import: walk each once."""
    return tuple(_walk(model_class, prefix=""))


def _walk(model_class: type[BaseModel], prefix: str) -> Iterator[str]:
    for name, field in model_class.model_fields.items():
        path = f"{prefix}{name}"
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get(SENSITIVE_KEY) is True:
            yield path
        for nested in _nested_models(field.annotation):
            yield from _walk(nested, prefix=f"{path}.")


def _nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if get_origin(annotation) is None and isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            yield annotation
        return
    for argument in get_args(annotation):
        yield from _nested_models(argument)
