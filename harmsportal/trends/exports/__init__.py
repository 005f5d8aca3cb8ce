"""Streamed exports of the trends rollup: CSV and XLSX, one row per key cell (decision 0012).

- `scope`: what an export covers (`ExportScope`), read from the request through
  `trends.selectors`, its filename and its audit row;
- `select`: the columns and the one SELECT both formats read (`export_select_sql`), with every
  figure published by `harmsportal.disclosure.publish_count_sql` inside it;
- `csv_stream`: the CSV, streamed (`csv_chunks`): Postgres writes it with COPY;
- `xlsx`: the workbook, streamed (`xlsx_chunks`): hand-written SpreadsheetML zipped by stream-zip.

The columns are documented in docs/trends-data-dictionary.md.
"""
