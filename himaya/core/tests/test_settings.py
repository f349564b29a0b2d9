"""Start-up with DEBUG off refuses a missing secret, host list or database in one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "himaya.example.ma",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/himaya",
}


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.endswith("_FILE")}
    base.pop("HIMAYA_TESTING", None)
    base.pop("USE_SQLITE", None)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_start_when_everything_is_set():
    result = _import_settings(PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_missing_variable_stops_start_up_with_one_line(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _import_settings(env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert missing in lines[0]


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60)
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _import_settings({**env, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_malformed_boolean_is_named():
    result = _import_settings({**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
    assert "Traceback" not in result.stderr
