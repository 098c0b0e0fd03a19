"""Masking obvious direct identifiers typed into free text before an event is published.

Events refer to people by pseudonymous references, but staff still type NHS numbers, phone
numbers, email addresses and postcodes into descriptions and comments. Intake masks these with
fixed placeholders such as ``[phone]`` and records where it did so, never what it removed.

Detection is deliberately narrow (structured identifiers only, no names): a false "all clear"
is possible, so this complements, not replaces, access control on sensitive fields.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any


class RedactionKind(StrEnum):
    """A kind of direct identifier that is masked in free text."""

    EMAIL = "email"
    NHS_NUMBER = "nhs_number"
    PHONE = "phone"
    POSTCODE = "postcode"

    @property
    def mask(self) -> str:
        """The placeholder that replaces an identifier of this kind."""
        return _MASKS[self]


_MASKS: Mapping[RedactionKind, str] = MappingProxyType(
    {
        RedactionKind.EMAIL: "[email]",
        RedactionKind.NHS_NUMBER: "[NHS number]",
        RedactionKind.PHONE: "[phone]",
        RedactionKind.POSTCODE: "[postcode]",
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One masked identifier: its kind and ``[start, end)`` span in the original text.

    The matched value itself is never kept, so findings are safe to log.
    """

    kind: RedactionKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """The masked text and what was masked, in order of position in the original text."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def counts(self) -> Mapping[RedactionKind, int]:
        """How many identifiers of each kind were masked (kinds with none are omitted)."""
        return _count(self.findings)


@dataclass(frozen=True, slots=True)
class FieldRedaction:
    """Identifiers masked in one concrete field, e.g. ``data.items.2.comment``."""

    path: str
    counts: Mapping[RedactionKind, int]


# --- Patterns ------------------------------------------------------------------------------
#
# Every pattern is ASCII-only and bounded by explicit look-arounds rather than ``\b`` so that
# what counts as "glued to a neighbour" is the same in every pass; together with masks made of
# brackets and letters (which no pattern can match or extend into), that keeps redaction
# idempotent.

# NHS number: 3-3-4 digits, separated consistently by nothing, spaces or dashes. The digit
# look-arounds keep it from being carved out of a longer number (order or account numbers).
_NHS_NUMBER = re.compile(r"(?<![0-9])[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{4}(?![0-9])")

# UK phone numbers. Each shape is (area code after the trunk 0, rest of the number); listing
# real groupings instead of "digits with optional separators anywhere" is what keeps dates
# such as 01-02-2025 10:30 or lists of times from looking like phone numbers.
_SEP = r"[ \-\u00a0]"
_PHONE_SHAPES: tuple[tuple[str, str], ...] = (
    (r"7[0-9]{3}", rf"[0-9]{{3}}{_SEP}?[0-9]{{3}}"),  # 07700 900123, 07700 900 123
    (r"2[0-9]", rf"[0-9]{{4}}{_SEP}?[0-9]{{4}}"),  # 020 7946 0958
    (r"[1237][0-9]{2}", rf"[0-9]{{3}}{_SEP}?[0-9]{{4}}"),  # 0161 496 0000, 0300 123 4567
    (r"1[0-9]{3}", rf"[0-9]{{5,6}}|[0-9]{{3}}{_SEP}[0-9]{{3}}"),  # 01632 960123, 01632 96012
    (r"1[0-9]{4}", r"[0-9]{4,5}"),  # 016977 3456
)
_NSN = "|".join(f"{area}{_SEP}?(?:{rest})" for area, rest in _PHONE_SHAPES)
_NSN_BRACKETED_AREA = "|".join(f"{area}\\){_SEP}?(?:{rest})" for area, rest in _PHONE_SHAPES)
_PHONE = re.compile(
    rf"""
    (?<![0-9])
    (?:
        (?:\+|00)44{_SEP}?(?:\(0\){_SEP}?)?(?:{_NSN})   # +44 7700 900123, +44 (0)20 7946 0958
      | 0(?:{_NSN})                                     # 07700 900123
      | \(0(?:{_NSN_BRACKETED_AREA})                    # (020) 7946 0958
    )
    (?![0-9])
    """,
    re.VERBOSE,
)

# Email addresses. The look-behind only makes the search start at the beginning of a run of
# address characters, which keeps long runs without an "@" linear instead of quadratic.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
)

# UK postcodes: outward code (A9, A99, AA9, AA99, A9A, AA9A) and inward code (9AA), using the
# letters each position may actually hold, which is what rules out most ordinary tokens.
_POSTCODE = re.compile(
    r"""
    (?<![A-Za-z0-9])
    (?:
        (?:
            [A-PR-UWYZ][0-9][0-9]?
          | [A-PR-UWYZ][A-HK-Y][0-9][0-9]?
          | [A-PR-UWYZ][0-9][A-HJKPS-UW]
          | [A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y]
        )
        (?P<space>[ \u00a0]?)
        (?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})
      | GIR[ \u00a0]?0AA
    )
    (?![A-Za-z0-9])
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
_ORDINAL_SUFFIXES = {"1": "st", "2": "nd", "3": "rd"}


def nhs_number_is_valid(digits: str) -> bool:
    """Whether ``digits`` (exactly ten ASCII digits) passes the NHS Modulus 11 check.

    The first nine digits are weighted 10 down to 2; the check digit is 11 minus the weighted
    sum modulo 11, where 11 means 0 and 10 means no valid number has those nine digits.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _is_nhs_number(match: re.Match[str]) -> bool:
    return nhs_number_is_valid(re.sub(r"[ -]", "", match.group()))


def _is_postcode(match: re.Match[str]) -> bool:
    # "vitamin B12 1st dose", "flat B2 2nd floor": an inward code written as a lowercase
    # ordinal after a space is far more likely English than a postcode.
    inward = match.group("inward")
    if inward is None or not match.group("space") or inward[1:] != inward[1:].lower():
        return True
    return inward[1:].lower() != _ORDINAL_SUFFIXES.get(inward[0], "th")


def _always(_: re.Match[str]) -> bool:
    return True


_DETECTORS: tuple[tuple[RedactionKind, re.Pattern[str], Callable[[re.Match[str]], bool]], ...] = (
    # Emails first: their local part may be all digits and would otherwise lose a phone or
    # NHS number out of its middle. NHS numbers before phones, as ten-digit numbers are
    # ambiguous and the NHS number is the more sensitive reading.
    (RedactionKind.EMAIL, _EMAIL, _always),
    (RedactionKind.NHS_NUMBER, _NHS_NUMBER, _is_nhs_number),
    (RedactionKind.PHONE, _PHONE, _always),
    (RedactionKind.POSTCODE, _POSTCODE, _is_postcode),
)


# Every identifier above holds a digit (NHS numbers, phones, postcodes' inward code and GIR 0AA)
# or an "@" (emails): text with neither needs no pattern run, which is most free text.
_MAY_HOLD_IDENTIFIER = re.compile(r"[0-9@]")


# --- Text ----------------------------------------------------------------------------------


def may_hold_identifiers(text: str) -> bool:
    """False when ``text`` certainly holds nothing :func:`redact_text` would mask (a fast check)."""
    return _MAY_HOLD_IDENTIFIER.search(text) is not None


def redact_text(text: str) -> RedactionResult:
    """Mask NHS numbers, UK phone numbers, email addresses and UK postcodes in ``text``.

    Detectors run in turn (emails, NHS numbers, phones, postcodes), each over the text as
    masked so far, so a span is masked at most once and every detector sees the context it
    would see when redacting the result again: redaction is idempotent.
    Findings give spans in the original ``text``.
    """
    findings: list[Finding] = []
    masked = text
    if not may_hold_identifiers(text):
        return RedactionResult(text=text, findings=())
    for kind, pattern, accept in _DETECTORS:
        # Repeat until nothing new is found: an identifier can be blocked by the digits of a
        # neighbour of the same kind ("07700 900123+44 20 7946 0958") and only stand alone
        # once that neighbour is masked, as it would when the result is redacted again.
        while new := [
            Finding(kind, start, end)
            for start, end in _to_original(_matches(masked, pattern, accept), findings)
        ]:
            findings = sorted([*findings, *new], key=lambda finding: finding.start)
            masked = _apply(text, findings)
    return RedactionResult(text=masked, findings=tuple(findings))


def _matches(
    text: str, pattern: re.Pattern[str], accept: Callable[[re.Match[str]], bool]
) -> Iterator[tuple[int, int]]:
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if accept(match):
            yield match.span()
            position = match.end()
        else:
            # A rejected candidate (e.g. a failed check digit) must not swallow a genuine
            # identifier that starts inside it.
            position = match.start() + 1


def _to_original(
    spans: Iterable[tuple[int, int]], findings: list[Finding]
) -> Iterator[tuple[int, int]]:
    """Map spans in the masked text back to the original text, dropping any touching a mask.

    ``findings`` are the masks already applied, sorted by position.
    """
    masks = iter(findings)
    mask = next(masks, None)
    shift = 0  # original position minus masked position, for text before ``mask``
    masked_start = mask.start if mask is not None else 0  # where ``mask`` is in the masked text
    for start, end in spans:
        while mask is not None and masked_start + len(mask.kind.mask) <= start:
            shift += (mask.end - mask.start) - len(mask.kind.mask)
            mask = next(masks, None)
            masked_start = mask.start - shift if mask is not None else 0
        if mask is not None and end > masked_start:
            continue  # overlaps a mask: never mask twice (no pattern can, but be safe)
        yield start + shift, end + shift


def _apply(text: str, findings: Iterable[Finding]) -> str:
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(finding.kind.mask)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _count(findings: Iterable[Finding]) -> Mapping[RedactionKind, int]:
    counter = Counter(finding.kind for finding in findings)
    return MappingProxyType({kind: counter[kind] for kind in RedactionKind if counter[kind]})


# --- Event payloads ------------------------------------------------------------------------


def redact_fields(
    payload: Mapping[str, Any], paths: Iterable[str]
) -> tuple[dict[str, Any], list[FieldRedaction]]:
    """Redact the string fields at dotted ``paths`` of a JSON-ready event ``payload``.

    Paths are as given by ``shared.events.sensitive_fields``: lists are traversed
    transparently, so ``data.items.comment`` covers the comment of every audit item and
    ``data.immediate_actions`` every string in that list; a numeric segment selects one list
    element. Missing fields, ``None`` and non-string values are skipped.

    Returns a new, deep-copied payload (``payload`` is not modified) and one
    ``FieldRedaction`` per concrete field in which something was masked, e.g.
    ``data.items.2.comment``, in order of ``paths`` then list position.
    """
    redacted: dict[str, Any] = copy.deepcopy(dict(payload))
    redactions: list[FieldRedaction] = []
    for path in paths:
        segments = path.split(".") if path else []
        for concrete, container, key in _leaves(redacted, segments, ()):
            value = container[key]
            if not isinstance(value, str):
                continue
            result = redact_text(value)
            if result.findings:
                container[key] = result.text
                redactions.append(FieldRedaction(path=".".join(concrete), counts=result.counts))
    return redacted, redactions


def sensitive_texts(payload: Mapping[str, Any], paths: Iterable[str]) -> list[str]:
    """Every string at the dotted ``paths`` of ``payload`` (as :func:`redact_fields` finds them).

    The same walk as :func:`redact_fields`, without noting where each string is: every
    submitted event is checked, so this is a third of the cost of the generic walk.
    """
    texts: list[str] = []
    for path in paths:
        _collect_texts(payload, _segments(path), 0, texts)
    return texts


@cache
def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.split(".")) if path else ()


def _collect_texts(node: Any, segments: tuple[str, ...], depth: int, texts: list[str]) -> None:
    """Append the strings that ``segments[depth:]`` reach from ``node`` (see :func:`_leaves`)."""
    if isinstance(node, list):
        if depth < len(segments) and segments[depth].isascii() and segments[depth].isdigit():
            index = int(segments[depth])
            if index < len(node):
                _collect_child(node[index], segments, depth + 1, texts)
            return
        for child in node:
            _collect_child(child, segments, depth, texts)
    elif isinstance(node, dict) and depth < len(segments) and segments[depth] in node:
        _collect_child(node[segments[depth]], segments, depth + 1, texts)


def _collect_child(child: Any, segments: tuple[str, ...], depth: int, texts: list[str]) -> None:
    if depth < len(segments) or isinstance(child, list):
        _collect_texts(child, segments, depth, texts)
    elif isinstance(child, str):
        texts.append(child)


def _leaves(
    node: Any, segments: list[str], concrete: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Yield (concrete path, container, key) for every value the remaining ``segments`` reach.

    A leaf that is a list yields each element, so a list of strings is redacted item by item.
    """
    if isinstance(node, list):
        if segments and segments[0].isascii() and segments[0].isdigit():
            index = int(segments[0])
            if index < len(node):
                yield from _descend(node, index, segments[1:], concrete)
            return
        for index in range(len(node)):
            yield from _descend(node, index, segments, concrete)
    elif isinstance(node, dict) and segments and segments[0] in node:
        yield from _descend(node, segments[0], segments[1:], concrete)


def _descend(
    container: Any, key: Any, segments: list[str], concrete: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    child = container[key]
    path = (*concrete, str(key))
    if segments or isinstance(child, list):
        yield from _leaves(child, segments, path)
    elif child is not None:
        yield path, container, key


def redaction_summary(redactions: Iterable[FieldRedaction]) -> dict[str, dict[str, int]]:
    """Condense field redactions into a JSON-serialisable dict for an event header.

    For example ``{"data.description": {"email": 1, "phone": 1}}``: concrete path to counts by
    kind (kinds in a fixed order, counts for a repeated path added up). Empty when nothing
    was masked.
    """
    summary: dict[str, Counter[RedactionKind]] = {}
    for redaction in redactions:
        summary.setdefault(redaction.path, Counter()).update(redaction.counts)
    return {
        path: {str(kind): counts[kind] for kind in RedactionKind if counts[kind]}
        for path, counts in summary.items()
    }
