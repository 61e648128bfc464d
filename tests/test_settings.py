"""Production settings pass Django's deployment checks, and the platform refuses to start without a secret key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "SAMHANDLING_INSECURE_DEV_KEY", "FIELD_ENCRYPTION_KEYS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        USE_TLS="1",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="samhandling.example.no",
        FIELD_ENCRYPTION_KEYS="hFkQ1XzVt6y3b0v2mN8rQ4sT7uW9xY1zA3cE5gI7kM0=",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_refuses_to_start_in_production_without_field_encryption_keys():
    result = _manage("check", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="samhandling.example.no")
    assert result.returncode != 0
    assert "Set FIELD_ENCRYPTION_KEYS" in result.stderr


def test_the_demo_and_the_tests_may_use_the_derived_key():
    result = _manage("check", DEBUG="0", SAMHANDLING_INSECURE_DEV_KEY="1")
    assert result.returncode == 0, result.stderr
