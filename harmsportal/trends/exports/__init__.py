"""Streamed exports of the trends figures: CSV and XLSX, one row per figure of a force's month
table, exactly as the dashboards and the API publish it (decision 0012).

- `scope`: what an export covers (`ExportScope`), read from the request through
  `trends.selectors`, its filename and its audit row;
- `select`: the columns and the one SELECT both formats read (`export_select_sql`) over the
  figures the rebuild published (`PublishedMonthFigure`); with a category filter (or when
  the stored figures are not the pages' now: another k, a month not stored yet), the month
  tables published force by force (`computed_rows`);
- `csv_stream`: the CSV, streamed (`csv_chunks`): Postgres writes it with COPY;
- `xlsx`: the workbook, streamed (`xlsx_chunks`): hand-written SpreadsheetML zipped by stream-zip.

The columns are documented in docs/trends-data-dictionary.md.
"""
