"""Render the configuration reference (docs/configuration.md) from the settings models."""

from __future__ import annotations

from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

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


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_rows(annotation, f"{prefix}{name.upper()}__"))
            continue
        default = field.get_default(call_default_factory=True)
        shown = "" if default is None else f"`{default}`"
        rows.append(
            f"| `{prefix}{name.upper()}` | {_type_name(field.annotation)} | {shown} | "
            f"{field.description or ''} |"
        )
    return rows


def render_reference(settings_model: type[BaseModel] = LearnLoopSettings) -> str:
    """Markdown table of every environment variable, its type, default and meaning."""
    return HEADER + "\n".join(_rows(settings_model, "LEARNLOOP_")) + "\n"
