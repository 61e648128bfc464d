"""Log hygiene: one line per refused request (no traceback for a 403 or 404), and never more than a few lines of a
failing request's input in the log (a 500 can carry what the user typed in its exception text)."""

import logging

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
