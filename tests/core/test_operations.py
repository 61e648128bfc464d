"""What the operator relies on: the health endpoint for the load balancer, request ids in the log and in the
response, JSON log lines, and error reporting that sends no request bodies."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samhandling.core.logging import JsonFormatter, RequestIdFilter
from tests.core.queue_tasks import tick

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_health_endpoint_answers_without_a_log_in(client, db):
    response = client.get("/helse/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "task_queue", "media_disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


def test_a_queue_that_does_not_keep_up_fails_the_health_check(client, db, settings):
    settings.TASKS = DB_TASKS
    assert client.get("/helse/").json()["checks"]["task_queue"] == {"ok": True, "lag_seconds": 0.0, "workers": 0}
    tick.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/helse/")
    assert response.status_code == 503
    queue = response.json()["checks"]["task_queue"]
    assert queue["ok"] is False and queue["lag_seconds"] >= 600
    assert response.json()["status"] == "fail"


def test_a_full_media_disk_fails_the_health_check(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    response = client.get("/helse/")
    assert response.status_code == 503
    assert response.json()["checks"]["media_disk"]["ok"] is False


def test_the_health_endpoint_takes_only_get(client, db):
    assert client.post("/helse/").status_code == 405


def test_each_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy(client, db):
    first, second = client.get("/konto/logg-inn/"), client.get("/konto/logg-inn/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/helse/", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == "lb-7f3a9c21"
    forged = client.get("/helse/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert len(forged) == 32 and "<" not in forged


def _capture(logger_name: str):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return stream, lambda: logger.removeHandler(handler)


def test_log_lines_are_json_with_the_request_id(client, db):
    stream, done = _capture("django.request")
    try:
        client.get("/finnes-ikke/", HTTP_X_REQUEST_ID="req-12345678")
    finally:
        done()
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert "/finnes-ikke/" in line["message"]
    assert line["time"].endswith("+00:00")


def test_the_request_log_has_no_query_string(client, demo, settings):
    settings.LOG_REQUESTS = True
    client.force_login(demo.kari)
    stream, done = _capture("samhandling.request")
    try:
        client.get("/avvik/?q=Ola+Nordmann")
    finally:
        done()
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"].startswith("GET /avvik/ 200 ")
    assert "Nordmann" not in stream.getvalue()
    assert line["user_id"] == demo.kari.pk and line["status_code"] == 200


def test_error_reporting_starts_with_a_dsn_and_sends_no_bodies_or_personal_data(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samhandling.settings",
        "SENTRY_DSN": "https://public@sentry.invalid/1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = (
        "import django; django.setup(); import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['dsn'], o['max_request_body_size'], o['send_default_pii'])"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["https://public@sentry.invalid/1", "never", "False"], result.stderr[-2000:]
