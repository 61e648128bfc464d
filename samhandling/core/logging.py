"""Log hygiene: one line per refused request (no traceback for a 403 or 404), and never more than a few lines of a
failing request's input in the log (a 500 can carry what the user typed in its exception text).

Every request gets an id (the proxy's `X-Request-ID` when it sends a sane one, else a new one), sent back in the
`X-Request-ID` header and put on every log line written while the request runs; `LOG_FORMAT=json` writes each line
as one JSON object for a log collector.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver

MAX_LOGGED_CHARS = 2000


def _clip(value: str) -> str:
    if len(value) <= MAX_LOGGED_CHARS:
        return value
    return f"{value[:MAX_LOGGED_CHARS]}… [{len(value) - MAX_LOGGED_CHARS} characters left out]"


class RequestLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        if record.args:
            record.args = tuple(_clip(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = _clip(record.msg)
        return True


class ClippedFormatter(logging.Formatter):
    """The plain formatter, with exception texts cut to MAX_LOGGED_CHARS at their end (where the input is)."""

    def formatException(self, ei) -> str:
        text = super().formatException(ei)
        lines = text.splitlines()
        last = _clip(lines[-1]) if lines else ""
        return "\n".join([*lines[:-1], last])


_request_id: ContextVar[str] = ContextVar("samhandling_request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
request_log = logging.getLogger("samhandling.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Give the request an id, keep it for the log lines of this request, and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset when this middleware returns: Django logs a 4xx/5xx after the middleware chain. The id is
        # cleared when the request has finished (request_finished below).
        _request_id.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if settings.LOG_REQUESTS:
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s %.1fms",
                request.method,
                request.path[:200],
                response.status_code,
                (time.monotonic() - started) * 1000,
                extra={
                    "status_code": response.status_code,
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
        return response


@receiver(request_finished)
def _forget_request_id(sender, **kwargs) -> None:
    _request_id.set("")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(ClippedFormatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the clipped traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        for key in ("status_code", "user_id"):
            if getattr(record, key, None) is not None:
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
