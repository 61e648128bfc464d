"""What an operator runs: the demo (`make run`) shows the product's own error pages, and the shipped gunicorn
configuration does not announce itself in a Server header."""

import http.client
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import database_url_for_subprocess

ROOT = Path(__file__).resolve().parents[1]


def demo_env() -> dict[str, str]:
    """The variables `make run` sets (DEMO_ENV in the Makefile), so the test checks what the demo really runs."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^DEMO_ENV := (.*?)(?<!\\)\n", text, re.MULTILINE | re.DOTALL)
    assert block, "DEMO_ENV is gone from the Makefile"
    words = shlex.split(block.group(1).replace("\\\n", " "))
    return dict(word.split("=", 1) for word in words)


def _clean_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "WHITENOISE_USE_FINDERS"}}
    return {**keep, "DATABASE_URL": database_url_for_subprocess(), **extra}


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="nb")
for url in ("/finnes-ikke/", "/static/css/samhandling.css"):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    print(url, response.status_code, body.decode("utf-8", "replace").replace("\\n", " ")[:4000])
"""


def test_the_demo_shows_the_products_own_404_page_and_serves_static_files(db):
    env = demo_env()
    assert env["DEBUG"] == "0"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=_clean_env(**env), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    missing, static = result.stdout.splitlines()[-2:]
    assert missing.startswith("/finnes-ikke/ 404 ")
    assert "Vi fant ikke siden" in missing
    assert "URLconf" not in missing  # Django's debug page lists every URL pattern
    assert static.startswith("/static/css/samhandling.css 200 ")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_with_the_shipped_configuration_sends_no_server_header(db, tmp_path):
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    env = _clean_env(**demo_env(), GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    command = [sys.executable, "-m", "gunicorn", "-c", "samhandling/gunicorn.conf.py", "samhandling.wsgi:application"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, response = time.monotonic() + 30, None
        while response is None and time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/konto/logg-inn/")
                response = connection.getresponse()
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        assert response is not None, (tmp_path / "gunicorn.log").read_text()
        assert response.status == 200
        headers = {name.lower(): value for name, value in response.getheaders()}
        assert "server" not in headers, headers
        assert "date" in headers and "content-security-policy" in headers
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def _locked(lock: str) -> set[str]:
    names = set()
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#", "-")) and "==" in line:
            names.add(re.sub(r"[-_.]+", "-", line.split("==")[0].split("[")[0]).lower())
    return names


def test_every_package_the_platform_imports_is_in_the_runtime_lock():
    """`make run` installs requirements.lock only: a module of samhandling/ that imports a package found only in the
    development lock runs in the tests and fails on a fresh machine (it happened with `requests`). Imports at module
    level only: optional engines (PySpark) are imported inside the functions that need them."""
    import ast
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    runtime = _locked("requirements.lock")
    missing = set()
    for path in (ROOT / "samhandling").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "samhandling":
                    continue
                owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, [])}
                if not owners & runtime:
                    missing.add(f"{path.relative_to(ROOT)}: {top} ({', '.join(sorted(owners)) or 'not installed'})")
    assert not missing, sorted(missing)
