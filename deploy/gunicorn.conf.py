"""gunicorn settings for production: `gunicorn --config deploy/gunicorn.conf.py
crm_site.wsgi:application` (Procfile, deploy/crm-web.service).

Read by gunicorn, not by the app: the few variables here are the web
server's own (README, "Configuration").
"""

import json
import multiprocessing
import os
from datetime import UTC, datetime

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: (2 x cores) + 1, the usual figure for requests that wait on
# PostgreSQL. WEB_CONCURRENCY overrides it (a smaller host, or several apps).
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
# A request still running after this many seconds is killed and its worker
# replaced; above the database's statement timeout (DB_STATEMENT_TIMEOUT_MS),
# so a slow query fails as a query first. Large exports run as background jobs.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Replace each worker after this many requests (jitter spreads the restarts),
# so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Load the app in every worker, not in the master: a worker restart picks up
# nothing stale and the master holds no database connection.
preload_app = False
# nginx on the same host adds X-Forwarded-For / -Proto (deploy/nginx-crm.conf).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stdout/stderr (journald): the access log one JSON object a line,
# like the app's own logs (crm_site/logs.py), with the request id the app
# gave the response. json.dumps escapes what a client sends (a quote in a
# user agent cannot break the line). The query string is left out: searches
# carry names and phone numbers.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class JsonAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "logger": "gunicorn.access",
            "remote": environ.get("REMOTE_ADDR", "-"),
            "forwarded_for": atoms.get("{x-forwarded-for}i", "-"),
            "method": atoms["m"],
            "path": atoms["U"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 1),
            "user_agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o", "-"),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))


logger_class = JsonAccessLogger
