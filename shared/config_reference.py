"""Render the configuration reference (docs/configuration.md) from the settings models."""

from __future__ import annotations

from collections.abc import Sequence
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shared.settings import LearnLoopSettings

HEADER = """# Configuration reference

Generated from the settings models by `learnloop config reference`; a test fails when it drifts.
Every setting is an environment variable with the prefix `LEARNLOOP_`; nested groups use a double
underscore (`LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS`).

| variable | type | default | description |
|---|---|---|---|
"""


def _type_name(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " / ".join(f"`{value}`" for value in args)
    if origin in (Union, UnionType):
        names = [_type_name(arg) for arg in args if arg is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    return getattr(annotation, "__name__", str(annotation))


def _rows(model: type[BaseModel], prefix: str, defaults: BaseModel | None = None) -> list[str]:
    """One row per leaf setting; ``defaults`` overrides the model's own (a service's group)."""
    rows: list[str] = []
    for name, field in model.model_fields.items():
        rows.extend(_field_rows(name, field, prefix, defaults))
    return rows


def _field_rows(
    name: str, field: FieldInfo, prefix: str, defaults: BaseModel | None = None
) -> list[str]:
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        group = field.get_default(call_default_factory=True)
        return _rows(annotation, f"{prefix}{name.upper()}__", group)
    default = (
        getattr(defaults, name) if defaults is not None
        else field.get_default(call_default_factory=True)
    )  # fmt: skip
    shown = "" if default is None else f"`{default}`"
    return [
        f"| `{prefix}{name.upper()}` | {_type_name(annotation)} | {shown} | "
        f"{field.description or ''} |"
    ]


TABLE_HEAD = "| variable | type | default | description |\n|---|---|---|---|\n"


def render_reference(
    settings_model: type[BaseModel] = LearnLoopSettings,
    sections: Sequence[tuple[str, type[BaseModel]]] = (),
) -> str:
    """Markdown tables of every environment variable, its type, default and meaning: the
    settings every process reads, then what each of ``sections`` (title, settings model) adds
    or overrides (e.g. a service's own group and its database default)."""
    text = HEADER + "\n".join(_rows(settings_model, "LEARNLOOP_")) + "\n"
    common = set(settings_model.model_fields)
    for title, model in sections:
        own = [
            row
            for name, field in model.model_fields.items()
            if name not in common
            or field.default_factory is not settings_model.model_fields[name].default_factory
            for row in _field_rows(name, field, "LEARNLOOP_")
        ]
        text += f"\n## {title}\n\n" + TABLE_HEAD + "\n".join(own) + "\n"
    return text
