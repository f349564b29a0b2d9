"""Writing and checking the audit trail (data-protection.md §7, DP-24..27).

Every audited action goes through `audit_record`. It appends one `AuditEvent` to a hash chain:
the event's hash covers all its stored fields and the previous event's hash, so editing,
deleting or inserting a row is detected by `audit_chain_verify` (and `manage.py audit_verify`).

Fail closed (DP-27): `audit_record` raises when it cannot write, and a service that writes
child data calls it inside its own transaction, so the write and its audit event commit or
roll back together. Appends are serialised by locking `AuditChainHead`; the lock is held until
the caller's outer transaction commits, so call `audit_record` as the last step of a write.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.permissions import memberships
from himaya.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)

# Dotted lower-case codes: "auth.login", "child.read", "breakglass.open", "export.csv".
ACTION_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")

# The fields covered by an event's hash: every stored field except `hash` itself.
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "organisation_id",
    "organisation_code",
    "action",
    "target_type",
    "target_id",
    "child_id",
    "reason",
    "outcome",
    "ip_address",
    "request_id",
    "interface",
    "data",
    "prev_hash",
)
_ID_FIELDS = frozenset({"id", "actor_id", "organisation_id", "child_id"})
VERIFY_CHUNK_SIZE = 2000


class AuditChainError(RuntimeError):
    """The chain cannot be extended safely (its head is missing while events exist)."""


# --- Hashing ------------------------------------------------------------------------------------


def _canonical_value(name: str, value: Any) -> Any:
    """One field as it enters the hash. Values are reduced to a form that is the same before
    the insert and after reading the row back from either database (SQLite stores UUIDs as
    hex and datetimes as text; PostgreSQL renders `inet` in its own spelling)."""
    if value is None:
        return None
    if name == "at":
        return value.astimezone(UTC).isoformat()
    if name in _ID_FIELDS:
        return str(value)
    if name == "ip_address":
        return str(ipaddress.ip_address(value))
    return value


def event_hash(values: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the hashed fields, followed by the previous hash."""
    payload = json.dumps(
        {name: _canonical_value(name, values[name]) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((payload + values["prev_hash"]).encode("utf-8")).hexdigest()


# --- Recording ----------------------------------------------------------------------------------


def _client_ip(request) -> str | None:
    """REMOTE_ADDR, unless the deployment says a reverse proxy of ours sets X-Forwarded-For.
    Then the right-most entry is used: it was appended by our proxy, whereas entries to its
    left come from the client and can be forged."""
    meta = getattr(request, "META", {})
    raw = meta.get("REMOTE_ADDR", "")
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            raw = forwarded.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is recorded as the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def _normalised_data(data: dict | None) -> dict:
    """`data` exactly as it will read back from the JSON column, so its hash survives the round
    trip. Dates, UUIDs and decimals become strings (DjangoJSONEncoder); floats become their
    decimal text, because PostgreSQL's jsonb may respell a float (1e+20 → 100000000000000000000)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TypeError("audit data must be a dict")
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder), parse_float=str)


def _check_length(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"audit {name} is longer than {limit} characters")
    return value


def _actor_context(actor) -> dict[str, Any]:
    """Who acted: user, acting roles and organisation (their first active membership)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {
            "actor_id": None,
            "actor_username": "",
            "role": "",
            "organisation_id": None,
            "organisation_code": "",
        }
    held = memberships(actor)
    role = ",".join(sorted({m.role for m in held}))
    first = held[0] if held else None
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "role": role[:255],
        "organisation_id": first.organisation_id if first else None,
        "organisation_code": first.organisation.code if first else "",
    }


def _request_context(request, interface: str | None) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "request_id": "", "interface": interface or "cli"}
    path = getattr(request, "path", "") or ""
    return {
        "ip_address": _client_ip(request),
        # Set by RequestIdMiddleware; matches ^[A-Za-z0-9-]{8,64}$ or is a uuid4 hex.
        "request_id": str(getattr(request, "request_id", "") or "")[:64],
        "interface": interface or ("api" if path.startswith("/api/") else "web"),
    }


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the end of the transaction (on SQLite the IMMEDIATE
    transaction mode already holds the database write lock; FOR UPDATE is ignored there)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First event of a new database (or of a test database just flushed). ON CONFLICT DO
        # NOTHING waits for a concurrent first writer's insert, so both lock the same row.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    # A fresh head over existing events means the head was deleted: restarting the chain
    # would hide exactly the tampering the head exists to reveal. Refuse (fail closed).
    if head.last_id == 0 and AuditEvent.objects.exists():
        raise AuditChainError("the audit chain head is missing while events exist")
    return head


def audit_record(
    *,
    actor,
    action: str,
    target_type: str = "",
    target_id: str = "",
    child_id=None,
    reason: str = "",
    outcome: str = "allowed",
    request=None,
    data: dict | None = None,
    interface: str | None = None,
) -> AuditEvent:
    """Append one event to the audit chain and return it.

    Joins the caller's transaction when there is one (a write and its audit event commit
    together, DP-27) and raises rather than lose the event. `actor` may be None or anonymous
    (failed logins). `request` gives the IP address, request id and interface (web/api);
    without it the interface is "cli". `data` holds the field diff ({field: [before, after]}),
    search result ids, filters... Nothing here is logged: the log may carry personal data
    that application logs must not (DP-29)."""
    if not isinstance(action, str) or not action:
        raise ValueError("audit action must be a non-empty string")
    if not ACTION_RE.fullmatch(action):
        raise ValueError("audit action must be a dotted lower-case code such as 'child.read'")
    _check_length("action", action, 60)
    if outcome not in AuditEvent.Outcome.values:
        raise ValueError("audit outcome must be 'allowed' or 'denied'")
    if interface is not None and interface not in AuditEvent.Interface.values:
        raise ValueError("audit interface must be 'web', 'api' or 'cli'")
    values: dict[str, Any] = {
        **_actor_context(actor),
        **_request_context(request, interface),
        "action": action,
        "target_type": _check_length("target_type", str(target_type or ""), 60),
        "target_id": _check_length("target_id", str(target_id or ""), 64),
        "child_id": uuid.UUID(str(child_id)) if child_id else None,
        "reason": str(reason or ""),
        "outcome": outcome,
        "data": _normalised_data(data),
    }
    with transaction.atomic():
        head = _locked_head()
        # Taken under the lock, so `at` never goes backwards along the chain on one clock.
        values["at"] = timezone.now()
        values["id"] = head.last_id + 1
        values["prev_hash"] = head.last_hash
        values["hash"] = event_hash(values)
        event = AuditEvent.objects.create(**values)
        head.last_id = event.id
        head.last_hash = event.hash
        head.save(update_fields=["last_id", "last_hash"])
    logger.debug("audit event %s recorded", event.id)  # the id only: no personal data
    return event


# --- Verification -------------------------------------------------------------------------------


# What can be wrong with the chain, worded for auditors (named placeholders: word order
# differs in Arabic). `manage.py audit_verify` prints them in English.
_PROBLEMS = {
    "head_missing": _("the chain head is missing"),
    "edited": _("its content does not match its hash: it was edited"),
    "missing": _("events #%(first)s to #%(last)s before it are missing: they were deleted"),
    "missing_one": _("event #%(first)s before it is missing: it was deleted"),
    "unlinked": _(
        "it does not link to event #%(previous)s before it: one of the two was rewritten "
        "or replaced"
    ),
    "head_behind": _(
        "events #%(first)s to #%(last)s recorded by the chain head are missing: they were deleted"
    ),
    "head_behind_one": _("event #%(first)s recorded by the chain head is missing: it was deleted"),
    "head_mismatch": _("the chain head does not match this event"),
    "beyond_head": _(
        "it lies after the chain head: it was not written by the audit service (inserted)"
    ),
}


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification: `checked` events were found intact before the problem,
    if any, at event `first_broken_id`. `problem` is worded in the active language."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem_code: str = ""
    params: dict = field(default_factory=dict)

    @property
    def problem(self) -> str:
        if not self.problem_code:
            return ""
        return str(_PROBLEMS[self.problem_code]) % self.params


def _broken(checked: int, event_id: int | None, code: str, **params: int) -> VerifyResult:
    return VerifyResult(False, checked, event_id, code, params)


def audit_chain_verify() -> VerifyResult:
    """Walk the whole chain in id order and report the first place where it is broken.

    Detects an edited row (its hash no longer matches its content), a deleted row (ids jump,
    or the head knows more rows than there are), an inserted or replaced row (it does not
    link to its predecessor, or lies past the head) and a head that disagrees with the last
    row. Streams the rows in chunks: the log grows to many millions of rows.

    Appends may continue while this runs. The head is read first and only rows up to it are
    walked (each was committed with, hence before, that head); rows added meanwhile are left
    for the next run. Rows past the head are looked for at the end by reading the highest id
    *before* re-reading the head, so a legitimate append cannot pass for a forgery.

    Someone able to rewrite the whole table and the head can rebuild a valid chain; the daily
    digest of the head kept outside the database (DP-26) is what catches that."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        first = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
        if first is None:
            return VerifyResult(ok=True, checked=0)
        return _broken(0, first, "head_missing")

    rows = (
        AuditEvent.objects.filter(id__lte=head.last_id)
        .order_by("id")
        .values(*HASHED_FIELDS, "hash")
        .iterator(chunk_size=VERIFY_CHUNK_SIZE)
    )
    checked = 0
    previous_id = 0
    previous_hash = GENESIS_HASH
    for row in rows:
        event_id = row["id"]
        if event_hash(row) != row["hash"]:
            return _broken(checked, event_id, "edited")
        # Ids are gapless (audit_record assigns head.last_id + 1), so a jump is a deletion.
        if event_id != previous_id + 1:
            code = "missing_one" if event_id == previous_id + 2 else "missing"
            return _broken(checked, event_id, code, first=previous_id + 1, last=event_id - 1)
        if row["prev_hash"] != previous_hash:
            return _broken(checked, event_id, "unlinked", previous=previous_id)
        previous_id, previous_hash = event_id, row["hash"]
        checked += 1

    if previous_id != head.last_id:
        code = "head_behind_one" if head.last_id == previous_id + 1 else "head_behind"
        return _broken(checked, previous_id + 1, code, first=previous_id + 1, last=head.last_id)
    if previous_hash != head.last_hash:
        return _broken(checked, previous_id or None, "head_mismatch")

    highest = AuditEvent.objects.aggregate(highest=Max("id"))["highest"] or 0
    head_now = AuditChainHead.objects.filter(pk=1).values_list("last_id", flat=True).first()
    if head_now is None:
        return _broken(checked, None, "head_missing")
    if highest > head_now:
        first_beyond = (
            AuditEvent.objects.filter(id__gt=head_now, id__lte=highest)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        return _broken(checked, first_beyond, "beyond_head")
    return VerifyResult(ok=True, checked=checked)
