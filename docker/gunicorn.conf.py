"""Gunicorn settings for the container (docker-compose.yml `web`). Tune with environment."""

from __future__ import annotations

import os

bind = "0.0.0.0:8000"
# Two workers per core plus one is gunicorn's rule of thumb; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Evidence uploads can take a while on a slow connection; the proxy in front buffers them.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 1000
max_requests_jitter = 100
# Heartbeat files in memory: a container's overlay filesystem can stall them.
worker_tmp_dir = "/dev/shm"
accesslog = "-"
errorlog = "-"
# Trust X-Forwarded-* only from the proxy's network (set it when DJANGO_BEHIND_PROXY=1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
