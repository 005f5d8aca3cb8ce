"""The trends rollup engine: builds the rollup tables from every app's rows (decision 0013).

`rollup_rebuild` (everything, or chosen months), `rollup_refresh` (the months touched since the
last run) and `rollup_select_sql` (the main rollup's bare SELECT, the bench's baseline) are the
entry points for the Celery tasks, `manage.py trends_rebuild` and `make bench`.
"""

from __future__ import annotations

from harmsportal.trends.rollup.rebuild import RebuildResult, rollup_rebuild, rollup_refresh
from harmsportal.trends.rollup.sql import rollup_select_sql

__all__ = ["RebuildResult", "rollup_rebuild", "rollup_refresh", "rollup_select_sql"]
