"""The machine and commit a benchmark ran on, written next to its figures."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit,
    }


def boot(sqlite_name: str) -> None:
    """Set up Django for a benchmark script: the embedded default on a throw-away
    `var/<sqlite_name>.sqlite3` unless DATABASE_URL names a PostgreSQL database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        path = ROOT / "var" / f"{sqlite_name}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    import django

    django.setup()


def fresh_database(*, seed: bool = True) -> None:
    """Migrate a new database (a PostgreSQL one must be empty: the figures need a known
    starting point) and load the demo data the benchmarks build on."""
    from django.core.management import call_command
    from django.db import connection

    if (
        connection.vendor == "postgresql"
        and "django_migrations" in connection.introspection.table_names()
    ):
        raise SystemExit("bench: DATABASE_URL must name a new, empty database.")
    call_command("migrate", verbosity=0)
    if seed:
        with open(os.devnull, "w") as devnull:
            call_command("seed_demo", password="bench-password-0123", stdout=devnull)
