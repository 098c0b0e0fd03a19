"""Importing events from a CSV or NDJSON file through the intake's own validation and publishing.

Every row becomes one event and goes through ``parse_item`` and ``Intake.submit``, exactly like a
batch sent to the HTTP API. A row without an ``id`` gets one derived from the file name, the row
number and the row's content, so importing the same file again publishes nothing new.

CSV columns are dotted paths into the event JSON (``data.items.0.answer``; numbers are list
indexes). Empty cells are left out; a cell holding a JSON array or object is read as JSON; other
cells stay strings, which the contracts parse leniently ("true", "3", ISO dates), except the few
attributes they compare strictly (``schemaversion``, an audit's ``data.score``): read as numbers.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

from services.intake.domain.api_keys import ApiKey
from services.intake.submission import (
    ItemResult,
    ItemStatus,
    event_id_for_idempotency_key,
    parse_item,
)
from shared.events import AnyFactEvent
from shared.logging import get_logger

CHUNK_SIZE = 500
NUMERIC_COLUMNS = frozenset({"schemaversion", "data.score"})
log = get_logger(__name__)

ProgressCallback = Callable[[int, int], None]
"""Called with (rows done, rows in the file) after each chunk."""


class EventSubmitter(Protocol):
    """What an import sends rows to: ``services.intake.submission.Intake``."""

    async def submit(
        self, items: Sequence[AnyFactEvent | ItemResult], key: ApiKey
    ) -> list[ItemResult]: ...


class ImportFormat(StrEnum):
    """The file formats an import reads."""

    CSV = "csv"
    NDJSON = "ndjson"


SUFFIXES = {".csv": ImportFormat.CSV, ".ndjson": ImportFormat.NDJSON, ".jsonl": ImportFormat.NDJSON}


class ImportUsageError(Exception):
    """The import cannot run at all: missing or unreadable file, unknown format, bad key."""


class RowError(ValueError):
    """A row that cannot even be turned into an event JSON object."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file, and values for envelope attributes it leaves out."""

    format: ImportFormat | None = None  # None: by the file's extension
    event_type: str | None = None
    providerid: str | None = None  # None: the API key's provider
    siteid: str | None = None
    region: str | None = None
    source: str | None = None
    rejects_path: Path | None = None  # None: <FILE>.rejects.ndjson
    chunk_size: int = CHUNK_SIZE


@dataclass(frozen=True)
class SourceRow:
    """One row of the file: where it is, what it said, and the event JSON it maps to."""

    number: int  # CSV: spreadsheet row (the header is row 1); NDJSON: line number
    original: Any  # CSV: {column: cell}; NDJSON: the line's text
    digest: str  # SHA-256 of the original content
    raw: Any  # the event JSON, or a RowError


@dataclass
class ImportSummary:
    """What an import did, row by row counted."""

    rows: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    unavailable: int = 0
    rejects_path: Path | None = None  # set when some rows were written there

    @property
    def complete(self) -> bool:
        """True when every row is now an accepted event (this run or an earlier one)."""
        return not (self.rejected or self.unavailable)

    def count(self, status: ItemStatus) -> None:
        """Count one row's outcome."""
        self.rows += 1
        setattr(self, status.value, getattr(self, status.value) + 1)


def detect_format(path: Path, given: ImportFormat | None = None) -> ImportFormat:
    """The format to read ``path`` in: ``given``, else by its extension."""
    if given is not None:
        return given
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ImportUsageError(
            f"cannot tell the format of {path.name!r}: name it .csv, .ndjson or .jsonl, "
            "or pass --format"
        ) from None


def default_rejects_path(path: Path) -> Path:
    """Where rejected rows of ``path`` go unless told otherwise: ``<FILE>.rejects.ndjson``."""
    return path.with_name(f"{path.name}.rejects.ndjson")


def row_event_id(provider_id: str, file_name: str, row: SourceRow) -> str:
    """The id of a row's event when the row has none: the same on every run of the same file."""
    return event_id_for_idempotency_key(
        provider_id, f"import:{file_name}:{row.number}:{row.digest}"
    )


def row_to_event(cells: Mapping[str, str]) -> dict[str, Any]:
    """The event JSON of a CSV row whose columns are dotted paths; raises RowError."""
    tree = _Node()
    for column, cell in cells.items():
        value = cell.strip()
        if value:
            _set_path(tree, column, _cell_value(value, numeric=column.strip() in NUMERIC_COLUMNS))
    return {key: _lists(child) for key, child in tree.items()}


class _Node(dict[str, Any]):
    """An object built from column paths (unlike one given as JSON in a cell)."""


def _set_path(tree: _Node, column: str, value: Any) -> None:
    parts = column.strip().split(".")
    if not all(parts):
        raise RowError("invalid_column", f"column {column!r} is not a dotted path")
    node = tree
    for part in parts[:-1]:
        child = node.setdefault(part, _Node())
        if not isinstance(child, _Node):
            raise RowError("conflicting_columns", f"column {column!r} overlaps another column")
        node = child
    if parts[-1] in node:
        raise RowError("conflicting_columns", f"column {column!r} overlaps another column")
    node[parts[-1]] = value


def _cell_value(value: str, *, numeric: bool) -> Any:
    if numeric or value[0] in "[{":
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            pass  # not JSON after all: the contract will say what is wrong with the text
    return value


def _lists(node: Any) -> Any:
    # Objects whose keys are all numbers come from columns such as items.0.answer: lists, in
    # index order (gaps left by empty cells close up).
    if not isinstance(node, _Node):
        return node
    converted = {key: _lists(child) for key, child in node.items()}
    if all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def read_rows(path: Path, fmt: ImportFormat) -> Iterator[SourceRow]:
    """The non-blank rows of ``path`` with their event JSON; ImportUsageError if unreadable."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from _csv_rows(handle) if fmt is ImportFormat.CSV else _ndjson_rows(handle)
    except FileNotFoundError:
        raise ImportUsageError(f"no such file: {path}") from None
    except (OSError, UnicodeError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ImportUsageError(f"cannot read {path}: {reason}") from None


def _csv_rows(handle: IO[str]) -> Iterator[SourceRow]:
    reader = csv.reader(handle)
    columns = [name.strip() for name in next(reader, [])]
    repeated = sorted(name for name, seen in Counter(columns).items() if name and seen > 1)
    if repeated:
        raise ImportUsageError(f"columns repeated in the header: {', '.join(repeated)}")
    # Numbered like spreadsheet rows: a quoted cell spanning lines is still one row.
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        original: dict[str, Any] = dict(zip(columns, cells, strict=False))
        raw: Any
        if len(cells) > len(columns):
            original["(extra cells)"] = cells[len(columns) :]
            raw = RowError("too_many_cells", f"{len(cells)} cells but {len(columns)} columns")
        else:
            try:
                raw = row_to_event(original)
            except RowError as error:
                raw = error
        yield SourceRow(number, original, _digest(json.dumps(original, sort_keys=True)), raw)


def _ndjson_rows(handle: IO[str]) -> Iterator[SourceRow]:
    for number, line in enumerate(handle, start=1):
        text = line.strip()
        if not text:
            continue
        raw: Any
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raw = RowError("malformed_json", f"line {number} is not valid JSON: {exc}")
        yield SourceRow(number, text, _digest(text), raw)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def import_events(
    path: Path,
    *,
    intake: EventSubmitter,
    key: ApiKey,
    options: ImportOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import every row of ``path`` on behalf of ``key``; rows not accepted go to a rejects file.

    The whole file is read once before anything is sent, so an unreadable file (ImportUsageError)
    publishes nothing.
    """
    options = options or ImportOptions()
    fmt = detect_format(path, options.format)
    total = sum(1 for _ in read_rows(path, fmt))
    summary = ImportSummary()
    with _RejectsFile(options.rejects_path or default_rejects_path(path), source=path) as rejects:
        if on_progress is not None:
            on_progress(0, total)
        for chunk in _chunks(read_rows(path, fmt), options.chunk_size):
            items = [
                _parse(index, row, file_name=path.name, key=key, options=options)
                for index, row in enumerate(chunk)
            ]
            for row, result in zip(chunk, await intake.submit(items, key), strict=True):
                summary.count(result.status)
                if result.status in (ItemStatus.REJECTED, ItemStatus.UNAVAILABLE):
                    rejects.write(row, result)
            if on_progress is not None:
                on_progress(summary.rows, total)
    summary.rejects_path = rejects.path if rejects.written else None
    return summary


def _parse(
    index: int, row: SourceRow, *, file_name: str, key: ApiKey, options: ImportOptions
) -> AnyFactEvent | ItemResult:
    if isinstance(row.raw, RowError):
        return ItemResult(
            index=index,
            status=ItemStatus.REJECTED,
            http_status=422,
            code=row.raw.code,
            message=row.raw.message,
        )
    if isinstance(row.raw, dict):
        defaults = {
            "providerid": options.providerid or key.provider_id,
            "siteid": options.siteid,
            "region": options.region,
            "source": options.source,
        }
        for name, value in defaults.items():
            if value is not None:
                row.raw.setdefault(name, value)
    try:
        return parse_item(
            index,
            row.raw,
            expected_type=options.event_type,
            default_id=row_event_id(key.provider_id, file_name, row),
        )
    except Exception as exc:
        # One odd row must not stop a long import half-way; the row is reported instead.
        log.error("row could not be validated", row=row.number, error=type(exc).__name__)
        return ItemResult(
            index=index,
            status=ItemStatus.REJECTED,
            http_status=422,
            code="invalid_event",
            message=f"the event could not be validated ({type(exc).__name__})",
        )


def _chunks(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    chunk: list[SourceRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _RejectsFile:
    """Rows not accepted, one JSON object a line; removed again when no row was written."""

    def __init__(self, path: Path, *, source: Path) -> None:
        if path.resolve() == source.resolve():
            raise ImportUsageError("the rejects file must not be the file being imported")
        self.path = path
        self.written = 0
        try:
            self._handle = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ImportUsageError(f"cannot write {path}: {exc.strerror or exc}") from None

    def __enter__(self) -> _RejectsFile:
        return self

    def __exit__(self, *_: object) -> None:
        self._handle.close()
        if not self.written:
            # No rejects: a file left from an earlier run would mislead.
            self.path.unlink(missing_ok=True)

    def write(self, row: SourceRow, result: ItemResult) -> None:
        """Write one row: its number, the outcome and errors, and the row as it was read."""
        outcome = result.as_json()
        outcome.pop("index")
        line = {"row": row.number, **outcome, "original": row.original}
        self._handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.written += 1
