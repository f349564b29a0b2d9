"""`Idempotency-Key` for creating POSTs (api-contract.md, Conventions)."""

from __future__ import annotations

from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from himaya.api.models import IdempotencyRecord


def idempotent(handler):
    """Wrap a DRF `post` method: with an Idempotency-Key, the first response is stored in the
    same transaction as the creation, and a retry returns it unchanged."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 100:
            raise ValidationError({"Idempotency-Key": ["At most 100 characters."]})
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if stored is not None:
            return _replay(stored, request.path)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path,
                        status_code=response.status_code,
                        body=response.data,
                    )
        except IntegrityError:
            # A concurrent retry with the same key won the race: answer what it answered.
            stored = IdempotencyRecord.objects.get(user=request.user, key=key)
            return _replay(stored, request.path)
        return response

    return wrapper


def _replay(stored: IdempotencyRecord, path: str) -> Response:
    if stored.path != path:
        raise ValidationError(
            {"Idempotency-Key": ["This key was already used for another request."]}
        )
    return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})
