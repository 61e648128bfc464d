#!/usr/bin/env python
"""Newsletter sending benchmark: one issue to N subscribers (default 20 000) through a real SMTP server on loopback,
with the sender killed with SIGKILL half-way and started again.

1. A throw-away database (SQLite in a temporary folder by default; --database-url for PostgreSQL) is migrated, and
   a national newsletter with N confirmed subscribers and one issue with two contributions is created; sending is
   started through the service (one delivery row per subscriber).
2. An SMTP sink (aiosmtpd, in its own process on 127.0.0.1) writes the Message-ID of every message it accepts.
3. The sender (`mail.send_pending`, what the task runs; no rate limit) runs in a subprocess; when the sink has
   received half the messages, the sender is killed with SIGKILL. A new sender is then started as the periodic
   sweep would start it once the claim of the message in flight is stale (the clock is moved past STALE_CLAIM).
4. Printed: messages per second (over both senders' sending time), each sender's peak memory (ru_maxrss), the
   messages received, the distinct Message-IDs, and whether every subscriber got the issue exactly once.

Only 127.0.0.1 is contacted; the temporary folder and the sink are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SINK = """
import sys, time
from aiosmtpd.controller import Controller
out = open(sys.argv[2], "a", buffering=1)
class Handler:
    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\\r\\n"):
            if line.lower().startswith(b"message-id:"):
                out.write(f"{time.time():.4f} " + line.split(b":", 1)[1].strip().decode() + "\\n")
                break
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
while True:
    time.sleep(3600)
"""

SETUP = """
import sys
from django.contrib.auth import get_user_model
from django.utils import timezone
from samhandling.newsletter import services
from samhandling.newsletter.models import Subscriber
n = int(sys.argv[1])
operator = get_user_model().objects.create(username="bench", is_superuser=True, is_staff=True)
newsletter = services.newsletter_create(actor=operator, community=None, name="Nyhetsbrev for helsefellesskap")
today = timezone.localdate()
issue = services.issue_create(actor=operator, newsletter=newsletter, title="Nyhetsbrev benchmark", language="nb",
    period_start=today, period_end=today, intro="Nyheter og prosjekter fra helsefellesskapene.")
for title in ("Felles pasientforløp", "Nasjonal helse- og samhandlingsplan"):
    c = services.contribution_submit(actor=operator, newsletter=newsletter, issue=issue, title=title,
        body="Tekst i to avsnitt.\\n\\nMed en lenke: <a href='https://example.invalid/'>les mer</a>.")
    services.contribution_decide(actor=operator, contribution=c, decision="accept",
        section=newsletter.sections.first())
Subscriber.objects.bulk_create([Subscriber(newsletter=newsletter, email=f"s{i}@bench.invalid",
    status="confirmed", confirmed_at=timezone.now()) for i in range(n)], batch_size=2000)
services.issue_send(actor=operator, issue=issue, base_url="https://samhandling.example.invalid/")
print(issue.pk)
"""

SENDER = """
import resource, sys, time
from datetime import timedelta
from django.utils import timezone
from samhandling.newsletter import mail
now = timezone.now() + mail.STALE_CLAIM + timedelta(seconds=1) if sys.argv[2] == "later" else None
started = time.monotonic()
sent = mail.send_pending(int(sys.argv[1]), rate=0, now=now)
print(sent, round(time.monotonic() - started, 3), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--no-kill", action="store_true", help="send without killing the sender")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="samhandling-bench-newsletter-"))
    port = _free_port()
    received = workdir / "received.txt"
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEBUG": "0",
        "SAMHANDLING_INSECURE_DEV_KEY": "1",
        "USE_TLS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    sink = subprocess.Popen([PYTHON, "-c", SINK, str(port), str(received)], cwd=PROJECT_DIR, env=env)
    try:
        print(f"migrating and creating {args.subscribers} subscribers …", flush=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=PROJECT_DIR, env=env, check=True, timeout=900)
        setup = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SETUP.replace("sys.argv[1]", str(args.subscribers))],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            timeout=900,
            capture_output=True,
            text=True,
        )
        issue_pk = setup.stdout.strip().splitlines()[-1]
        runs = []

        def sender(mode: str) -> subprocess.Popen:
            script = SENDER.replace("sys.argv[1]", issue_pk).replace("sys.argv[2]", repr(mode))
            return subprocess.Popen(
                [PYTHON, "manage.py", "shell", "-c", script],
                cwd=PROJECT_DIR,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )

        first = sender("now")
        killed_at = None
        if not args.no_kill:
            deadline = time.monotonic() + 1800
            while len(_lines(received)) < args.subscribers // 2 and first.poll() is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("the sender did not reach half-way in 30 minutes")
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=60)
            killed_at = len(_lines(received))
            print(f"sender killed with SIGKILL after {killed_at} messages received", flush=True)
        else:
            out, _ = first.communicate(timeout=3600)
            runs.append(out.strip().splitlines()[-1].split())
        if killed_at is not None:
            second = sender("later")
            out, _ = second.communicate(timeout=3600)
            runs.append(out.strip().splitlines()[-1].split())
        time.sleep(1.0)  # the sink writes what it accepted
        lines = [line.split(" ", 1) for line in _lines(received)]
        ids = [message_id for _t, message_id in lines]
        stamps = [float(t) for t, _m in lines]
        first_rate = (killed_at or len(ids)) / max(1e-6, stamps[(killed_at or len(ids)) - 1] - stamps[0])
        rows = [(int(sent), float(seconds), int(rss)) for sent, seconds, rss in runs]
        print()
        print("| measure | value |")
        print("|---|---|")
        print(f"| subscribers | {args.subscribers} |")
        print(f"| first sender: messages/s (at the sink) | {first_rate:.0f} |")
        if killed_at is not None:
            print(f"| messages received before SIGKILL | {killed_at} |")
        print(f"| messages sent by the restarted sender | {rows[-1][0]} |")
        print(f"| restarted sender: messages/s | {rows[-1][0] / rows[-1][1]:.0f} |")
        print(f"| restarted sender: peak memory (ru_maxrss) | {rows[-1][2] / 1024:.0f} MiB |")
        print(f"| messages received in all | {len(ids)} |")
        print(f"| distinct Message-IDs received | {len(set(ids))} |")
        exact = len(set(ids)) == args.subscribers
        print(f"| every subscriber got the issue | {'yes' if exact else 'NO'} |")
        print(f"| duplicates (the message in flight at the kill) | {len(ids) - len(set(ids))} |")
        return 0 if exact else 1
    finally:
        sink.send_signal(signal.SIGTERM)
        try:
            sink.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sink.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
