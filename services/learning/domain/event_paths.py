"""Dotted field paths into an event's ``data``: reading values and checking paths against models.

Rule files name event fields by dotted paths relative to the event's ``data``, such as
``governance.death`` or ``items.answer``. A path may pass through lists; reading it then yields
one value per element, each with a concrete path such as ``items[2].answer`` so that a match can
be explained without copying any free text.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, AwareDatetime, BaseModel, FutureDate, NaiveDatetime, PastDate

from shared.events import EVENT_TYPES, sensitive_fields

Scalar = bool | int | str
"""A value a rule may compare a field with."""


def _known_event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r} (known: {', '.join(sorted(EVENT_TYPES))})")
    return value


EventType = Annotated[str, AfterValidator(_known_event_type)]
"""The CloudEvents ``type`` of a fact event, e.g. ``incident.reported``."""

_PYDANTIC_TIME_TYPES: dict[object, type] = {
    AwareDatetime: datetime,
    NaiveDatetime: datetime,
    FutureDate: date,
    PastDate: date,
}


@dataclass(frozen=True)
class Fact:
    """One field value of an event that made a condition true, e.g. ``governance.death`` = true."""

    path: str
    value: Scalar | None

    def __str__(self) -> str:
        shown = "null" if self.value is None else repr(self.value)
        if isinstance(self.value, bool):
            shown = str(self.value).lower()
        return f"{self.path} = {shown}"


@dataclass(frozen=True)
class FieldShape:
    """What a field path of a data model holds, as far as rules care."""

    leaf_types: frozenset[type]
    """Python types the value may have (enums as their class; ``NoneType`` when optional)."""
    list_prefix: str | None
    """The part of the path up to and including the first list, if the path passes one."""
    element_model: type[BaseModel] | None
    """The model of that first list's elements, if they are models."""

    @property
    def enum_values(self) -> frozenset[str]:
        """Every value of every enum the field may hold."""
        return frozenset(
            str(member.value)
            for kind in self.leaf_types
            if issubclass(kind, Enum)
            for member in kind
        )

    def accepts(self, value: Scalar) -> bool:
        """Whether ``value`` is something this field can hold."""
        if isinstance(value, bool):
            return bool in self.leaf_types
        if isinstance(value, int):
            return self.is_numeric
        return str in self.leaf_types or value in self.enum_values

    @property
    def is_numeric(self) -> bool:
        """Whether the field may hold a number (a boolean flag is not a number)."""
        return bool({int, float} & self.leaf_types)

    def holds_only(self, kind: type) -> bool:
        """Whether every value the field may hold is a ``kind`` (so it is never absent)."""
        return all(issubclass(leaf, kind) for leaf in self.leaf_types)


def data_model_for(event_type: str) -> type[BaseModel]:
    """The ``data`` model of a fact event type such as ``incident.reported``."""
    annotation = EVENT_TYPES[event_type].model_fields["data"].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        raise TypeError(f"{event_type}: data is not a model")  # pragma: no cover - contract bug
    return annotation


def is_sensitive(model: type[BaseModel], path: str) -> bool:
    """Whether ``path`` is (or lies inside) a free-text field marked sensitive."""
    return any(path == field or path.startswith(f"{field}.") for field in sensitive_fields(model))


def field_shape(model: type[BaseModel], path: str) -> FieldShape:
    """Describe the field at dotted ``path`` of ``model``; ``KeyError`` names a missing step."""
    annotation: Any = model
    list_prefix: str | None = None
    element_model: type[BaseModel] | None = None
    steps = path.split(".")
    for index, step in enumerate(steps):
        current = _single_model(annotation)
        if current is None or step not in current.model_fields:
            raise KeyError(".".join(steps[: index + 1]))
        annotation = current.model_fields[step].annotation
        if list_prefix is None and _is_list(annotation):
            list_prefix = ".".join(steps[: index + 1])
            element_model = _single_model(annotation)
    return FieldShape(frozenset(_leaf_types(annotation)), list_prefix, element_model)


def values_at(data: BaseModel, path: str) -> list[tuple[str, object]]:
    """Every value at dotted ``path`` of ``data``, with its concrete path; absent values skipped."""
    if "." not in path:  # most rules read a top-level field: the short way
        child = getattr(data, path, None)
        if isinstance(child, list | tuple):
            return [(f"{path}[{i}]", item) for i, item in enumerate(child)]
        return [] if child is None else [(path, child)]
    found: list[tuple[str, object]] = [("", data)]
    for step in path.split("."):
        following: list[tuple[str, object]] = []
        for prefix, value in found:
            child = getattr(value, step, None)
            here = f"{prefix}.{step}" if prefix else step
            if isinstance(child, list | tuple):
                following.extend((f"{here}[{i}]", item) for i, item in enumerate(child))
            elif child is not None:
                following.append((here, child))
        found = following
    return found


def as_scalar(value: object) -> Scalar | None:
    """A field value as a plain JSON-like scalar (enums by value), or ``None`` if not a scalar."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool | int | str):
        return value
    return None


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    annotation = _strip(annotation)
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    if origin in (list, tuple):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _is_list(annotation: Any) -> bool:
    annotation = _strip(annotation)
    if get_origin(annotation) in (list, tuple):
        return True
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_list(arg) for arg in get_args(annotation))
    return False


def _single_model(annotation: Any) -> type[BaseModel] | None:
    models = [
        member
        for member in _members(annotation)
        if isinstance(member, type) and issubclass(member, BaseModel)
    ]
    return models[0] if len(models) == 1 else None


def _leaf_types(annotation: Any) -> list[type]:
    leaves: list[type] = []
    for member in _members(annotation):
        if member is None or member is NoneType:
            leaves.append(NoneType)
        elif member in _PYDANTIC_TIME_TYPES:
            leaves.append(_PYDANTIC_TIME_TYPES[member])
        elif isinstance(member, type):
            leaves.append(member)
    return leaves
