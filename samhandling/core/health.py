"""The health endpoint for load balancers and monitoring: `/helse/` answers 200 when the database answers, the task
queue keeps up and the media disk has room, else 503; the JSON body says which check failed. It needs no log-in and
shows no names, counts of people or paths.
"""

import shutil
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .queue import stale_limit


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to answer is "down", whatever the driver raised
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_task_queue() -> dict:
    """How long the oldest task that may run now has waited, and how many workers beat their heartbeat."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return {"ok": True, "backend": "immediate"}
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    workers = WorkerHeartbeat.objects.filter(beat_at__gte=stale_limit()).count()
    return {"ok": lag <= settings.HEALTH_MAX_QUEUE_LAG_SECONDS, "lag_seconds": round(lag, 1), "workers": workers}


def check_media_disk() -> dict:
    root = settings.MEDIA_ROOT
    root.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(root)
    free_mb = usage.free // (1024 * 1024)
    return {"ok": free_mb >= settings.HEALTH_MIN_FREE_DISK_MB, "free_mb": free_mb}


CHECKS = {"database": check_database, "task_queue": check_task_queue, "media_disk": check_media_disk}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        if name != "database" and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "database unavailable"}
            continue
        results[name] = check()
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503)
