"""The CSV export, streamed: bytes in chunks of about CHUNK_BYTES, never the whole file.

On Postgres the database writes the CSV itself: `COPY (export_select_sql) TO STDOUT WITH
(FORMAT csv, HEADER)` through psycopg 3's `cursor.copy()`, read as it arrives, so Python only
passes bytes on and memory stays flat however many rows there are. Elsewhere (SQLite, `make
run`) the same SELECT is read a chunk at a time and written by `csv.writer` in the same shape:
the header, then rows ending in a newline, empty cells unquoted, UTF-8. A file filtered to a
harm category, or one whose stored figures are not what the pages publish now
(`select.reads_stored`), is published force by force in Python (`select.computed_rows`), so
it is written by `csv.writer` on every database.

The generator opens its cursor when the response starts to stream and closes it (cancelling
the COPY) if the download is abandoned part way.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from django.db import connections

from harmsportal.trends.exports.select import (
    HEADER,
    export_rows,
    export_select_sql,
    read_alias,
    reads_stored,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from harmsportal.trends.exports.scope import ExportScope

# What each chunk handed to the server holds, about: big enough that a national export is a few
# thousand writes, small enough that memory does not notice.
CHUNK_BYTES = 64 * 1024


def copy_statement(scope: ExportScope) -> tuple[str, list]:
    """(statement, params) of the COPY that writes the export's CSV on Postgres."""
    sql, params = export_select_sql(scope, "postgresql", for_csv=True)
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params


def csv_chunks(scope: ExportScope) -> Iterator[bytes]:
    """The export of `scope` as CSV bytes, a chunk at a time."""
    connection = connections[read_alias()]
    stored = reads_stored(scope)
    if connection.vendor == "postgresql" and stored:
        yield from _copied(connection, scope)
    else:
        yield from _written(scope, stored=stored)


def _copied(connection, scope: ExportScope) -> Iterator[bytes]:
    statement, params = copy_statement(scope)
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        # psycopg hands over COPY's data a row at a time: gather them into chunks.
        for data in copy:
            buffer += data
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _written(scope: ExportScope, *, stored: bool | None = None) -> Iterator[bytes]:
    # COPY's CSV: "\n" line ends, quotes only where needed, NULL as an empty unquoted cell.
    writer = csv.writer(_Echo(), lineterminator="\n")
    parts = [writer.writerow(HEADER)]
    size = len(parts[0])
    for row in export_rows(scope, for_csv=True, stored=stored):
        line = writer.writerow(row)
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode()
