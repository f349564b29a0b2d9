"""Read the code lists: one small API for labels and choices in the active language.

Labels are cached per process after the first read; `clear_cache()` is called by the loader
whenever it changes a list, and a new process always starts fresh.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from himaya.core.models import Code, active_language


@dataclass(frozen=True)
class CodeEntry:
    code: str
    labels: dict[str, str]
    active: bool
    locked: bool
    parent_code: str
    attrs: dict

    def label(self, language: str | None = None) -> str:
        return self.labels[language or active_language()]


_lock = threading.Lock()
_cache: dict[str, dict[str, CodeEntry]] | None = None


def _lists() -> dict[str, dict[str, CodeEntry]]:
    global _cache
    if _cache is None:
        with _lock:
            if _cache is None:
                loaded: dict[str, dict[str, CodeEntry]] = {}
                for row in Code.objects.order_by("code_list_id", "sort_order").iterator():
                    loaded.setdefault(row.code_list_id, {})[row.code] = CodeEntry(
                        code=row.code,
                        labels={"ar": row.label_ar, "fr": row.label_fr, "en": row.label_en},
                        active=row.active,
                        locked=row.locked,
                        parent_code=row.parent_code,
                        attrs=row.attrs,
                    )
                _cache = loaded
    return _cache


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


def entries(list_name: str, *, include_retired: bool = False) -> list[CodeEntry]:
    """The codes of a list in their sort order; retired codes only when asked (history views)."""
    codes = _lists().get(list_name)
    if codes is None:
        raise KeyError(f"unknown code list {list_name!r}")
    return [entry for entry in codes.values() if include_retired or entry.active]


def get(list_name: str, code: str) -> CodeEntry | None:
    return _lists().get(list_name, {}).get(code)


def label(list_name: str, code: str, language: str | None = None) -> str:
    """The label of `code` in the active language (or `language`).

    An unknown code shows as itself rather than breaking a page: records keep every code they
    were saved with, and validation (`is_valid`) is what refuses unknown codes on entry."""
    entry = get(list_name, code)
    return entry.label(language) if entry else code


def choices(list_name: str, *, include_retired: bool = False) -> list[tuple[str, str]]:
    return [(e.code, e.label()) for e in entries(list_name, include_retired=include_retired)]


def is_valid(list_name: str, code: str, *, allow_retired: bool = False) -> bool:
    """Whether `code` may be entered now: it exists and, unless `allow_retired`, is active."""
    entry = get(list_name, code)
    return entry is not None and (entry.active or allow_retired)
