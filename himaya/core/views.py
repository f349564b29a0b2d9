"""Pages of `core`: the home page and the health check."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from himaya.accounts.access import PUBLIC, access
from himaya.core.models import Province

logger = logging.getLogger(__name__)
_migrations_known_applied = False


@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"territory_count": Province.objects.count()})


def _migrations_applied() -> bool:
    """True when no migration is pending. Once seen true, a process keeps that answer:
    migrations are applied before a release starts serving, never rolled back under it."""
    global _migrations_known_applied
    if not _migrations_known_applied:
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        _migrations_known_applied = not executor.migration_plan(targets)
    return _migrations_known_applied


@access(PUBLIC)
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    try:
        applied = _migrations_applied()
    except DatabaseError:
        logger.exception("health check: migration state unreadable")
        return JsonResponse({"status": "error", "migrations": "unknown"}, status=503)
    if not applied:
        return JsonResponse({"status": "error", "migrations": "pending"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})
