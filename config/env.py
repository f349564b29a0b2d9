"""Small typed readers of the environment (STYLE.md, "Settings").

With DEBUG off, a required variable that is missing stops start-up with one clear line naming
it (`ImproperlyConfiguredEnv`).
"""

from __future__ import annotations

import os
from pathlib import Path


class ImproperlyConfiguredEnv(SystemExit):
    """A missing or malformed environment variable.

    A SystemExit carrying a message: Python prints that one line to stderr and exits with
    status 1, with no traceback, whichever entry point (manage.py, WSGI server) loaded settings.
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"Himaya configuration error: {message}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be an integer, not {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, *, required: bool, fallback: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if not value and file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(
                f"{name}_FILE points to {file_name!r}: {exc.strerror}."
            ) from None
    if value:
        return value
    if required:
        raise ImproperlyConfiguredEnv(f"{name} is required when DEBUG is off (or set {name}_FILE).")
    return fallback


def load_dotenv(path: Path) -> None:
    """Set the variables of a local `KEY=value` file without overriding the real environment.

    Only `manage.py` reads it (a developer's checkout; `make setup` writes one from
    `.env.example`); the WSGI entry point relies on the real environment alone."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))
