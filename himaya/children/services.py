"""Writes of `children`. Each checks permission, validates, writes and audits in one transaction."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaya.accounts.models import Membership, Notification
from himaya.accounts.permissions import Perm, has_perm, memberships
from himaya.audit.models import BreakGlassAccess
from himaya.audit.services import audit_record
from himaya.children.models import Child

BREAK_GLASS_DURATION = timedelta(hours=2)
BREAK_GLASS_REASONS = ("child_present_now", "urgent_safety_check", "hearing_today", "other")
MIN_JUSTIFICATION = 15


@transaction.atomic
def child_create(*, actor, organisation, province, request=None, **identity) -> Child:
    """Register a child held by `organisation` in `province` (the actor must be able to
    create children there: a case role of that organisation over that territory)."""
    child = Child(organisation=organisation, province=province, **identity)
    if not has_perm(actor, Perm.CHILD_CREATE):
        raise PermissionDenied
    if (
        not any(m.organisation_id == organisation.pk for m in memberships(actor))
        and not actor.is_superuser
    ):
        raise PermissionDenied
    if child.birth_date and child.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    child.full_clean()
    child.save()
    index_names(child)
    audit_record(
        actor=actor,
        action="child.create",
        target_type="child",
        target_id=str(child.pk),
        child_id=child.pk,
        request=request,
    )
    return child


def index_names(child: Child) -> None:
    """Store the phonetic keys of the child's names and aliases, so that the duplicate search
    is an indexed lookup. Call after every change of a name or an alias."""
    from himaya.children.matching import search_keys
    from himaya.children.models import ChildNameKey
    from himaya.children.selectors import identities_of

    if child.merged_into_id:  # a tombstone is out of every search (DP-59)
        ChildNameKey.objects.filter(child=child).delete()
        return

    keys = set()
    for identity in identities_of(child):
        keys |= {k[:60] for k in search_keys(identity) if k.startswith("n:")}
    ChildNameKey.objects.filter(child=child).exclude(key__in=keys).delete()
    existing = set(ChildNameKey.objects.filter(child=child).values_list("key", flat=True))
    ChildNameKey.objects.bulk_create(
        [ChildNameKey(child=child, key=k) for k in sorted(keys - existing)]
    )


def _supervisors_of(child: Child) -> list:
    """Supervisors whose territory covers the child's (whatever their organisation)."""
    from himaya.accounts.permissions import territory_covers

    candidates = Membership.objects.filter(
        role="supervisor", active=True, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in candidates if territory_covers(m, child)}, key=lambda u: u.pk)


@transaction.atomic
def child_break_glass_open(
    *, actor, child_id, reason_code: str, justification: str, request=None
) -> BreakGlassAccess:
    """Open a record outside one's scope in an emergency (DP-20..23): only roles allowed to,
    with a reason code and a written justification; read-only, for one child, for two hours;
    recorded, and notified at once to the supervisors of the record's territory."""
    if not has_perm(actor, Perm.BREAK_GLASS):
        raise PermissionDenied
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise Http404
    errors = {}
    if reason_code not in BREAK_GLASS_REASONS:
        errors["reason_code"] = _("Choose a reason from the list.")
    if len((justification or "").strip()) < MIN_JUSTIFICATION:
        errors["justification"] = _(
            "Write why you must open this record now (at least %(count)s characters)."
        ) % {"count": MIN_JUSTIFICATION}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=actor,
        target_type="child",
        target_id=str(child.pk),
        child_id=child.pk,
        province=child.province,
        reason_code=reason_code,
        justification=justification.strip(),
        started_at=now,
        expires_at=now + BREAK_GLASS_DURATION,
    )
    audit_record(
        actor=actor, action="breakglass.open", target_type="child", target_id=str(child.pk), child_id=child.pk,
        reason=access.justification, request=request,
        data={"reason_code": reason_code, "expires_at": access.expires_at.isoformat(), "access": str(access.pk)},
    )  # fmt: skip
    link = reverse("breakglass:detail", args=[access.pk])
    # The message names no child (DP-48); the supervisor opens the access through its page.
    for supervisor in _supervisors_of(child):
        Notification.objects.create(
            user=supervisor,
            kind="break_glass",
            message=gettext_noop("A record of your territory was opened with break-the-glass."),
            link=link,
        )
    return access


@transaction.atomic
def child_relation_add(
    *, actor, child_id, relationship: str, name_ar: str = "", name_lat: str = "", phone: str = "",
    lives_with_child: bool = False, is_primary_caregiver: bool = False, is_legal_representative: bool = False,
    is_alleged_perpetrator: bool = False, perpetrator_has_access: bool = False, request=None,
):  # fmt: skip
    """Link a related adult (parent, relative, caregiver, alleged perpetrator) to a child."""
    from himaya.children.models import ChildPerson, Person
    from himaya.core import codes

    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_EDIT, child):
        raise PermissionDenied
    _refuse_tombstone(child)
    errors = {}
    if not codes.is_valid("relationship", relationship):
        errors["relationship"] = _("Choose a value from the list.")
    if not (name_ar.strip() or name_lat.strip()):
        errors["name_lat"] = _("Give the person's name in either script.")
    if perpetrator_has_access and not is_alleged_perpetrator:
        errors["perpetrator_has_access"] = _(
            "Only an alleged perpetrator can have access to the child in this sense."
        )
    if errors:
        raise ValidationError(errors)
    person = Person.objects.create(
        name_ar=name_ar.strip(), name_lat=name_lat.strip(), phone=phone.strip(), created_by=actor
    )
    link = ChildPerson.objects.create(
        child=child, person=person, relationship=relationship, lives_with_child=lives_with_child,
        is_primary_caregiver=is_primary_caregiver, is_legal_representative=is_legal_representative,
        is_alleged_perpetrator=is_alleged_perpetrator, perpetrator_has_access=perpetrator_has_access,
    )  # fmt: skip
    child.version += 1
    child.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor, action="child.relation_add", target_type="child", target_id=str(child.pk), child_id=child.pk,
        request=request, data={"relationship": relationship, "alleged_perpetrator": is_alleged_perpetrator},
    )  # fmt: skip
    return link


CHILD_EDITABLE = {
    "identity_status": "identity_status",
    "first_name_ar": None,
    "last_name_ar": None,
    "first_name_lat": None,
    "last_name_lat": None,
    "known_as": None,
    "sex": "sex",
    "birth_date": None,
    "birth_date_estimated": None,
    "age_estimation_method": "age_estimation_method",
    "mother_name": None,
    "nationality": "nationality",
    "migrant_status": "migrant_status",
    "civil_registration_status": "civil_registration_status",
    "disability": "yes_no_unknown",
    "languages": None,
    "education_status": "education_status",
    "commune": None,
    "current_address": None,
    "health_notes": None,
}
NAME_FIELDS = {"first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat", "mother_name"}


@transaction.atomic
def child_update(*, actor, child_id, version: int, request=None, **values) -> Child:
    """Complete or correct a child's identity (an unknown child named later, an estimated age
    confirmed). A stale `version` changes nothing; every change is audited field by field."""
    from himaya.children.models import Child as ChildModel
    from himaya.core import codes

    unknown = set(values) - set(CHILD_EDITABLE)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in sorted(unknown)}
        )
    child = ChildModel.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_EDIT, child):
        raise PermissionDenied
    _refuse_tombstone(child)
    if child.version != version:
        from himaya.cases.services import StaleVersion

        raise StaleVersion
    errors = {}
    for name, list_name in CHILD_EDITABLE.items():
        if (
            list_name
            and name in values
            and values[name]
            and not codes.is_valid(list_name, values[name], allow_retired=False)
        ):
            errors[name] = _("Choose a value from the list.")
    if values.get("birth_date") and values["birth_date"] > timezone.localdate():
        errors["birth_date"] = _("The birth date cannot be in the future.")
    commune = values.get("commune")
    if (
        commune is not None
        and commune.province_id != child.province_id
        and not commune.province_id.startswith(child.province_id.split(".")[0] + ".")
    ):
        errors["commune"] = _("This commune is not in the child's territory.")
    if (
        "health_notes" in values
        and values["health_notes"] != child.health_notes
        and not has_perm(actor, Perm.DATA_HEALTH, child)
    ):
        errors["health_notes"] = _("You may not write health information.")
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in values.items():
        before = getattr(child, name)
        if before != value:
            changes[name] = [
                str(getattr(before, "pk", before)) if before is not None else None,
                str(getattr(value, "pk", value)) if value is not None else None,
            ]
            setattr(child, name, value)
    if values.get("birth_date_estimated"):
        child.birth_date_precision = "estimated"
    if changes:
        child.version += 1
        child.full_clean()
        child.save()
        if NAME_FIELDS & set(changes):
            index_names(child)
        audit_record(
            actor=actor, action="child.update", target_type="child", target_id=str(child.pk), child_id=child.pk,
            request=request, data={"changes": {k: v for k, v in changes.items() if k != "health_notes"}, "health_changed": "health_notes" in changes},
        )  # fmt: skip
    return child


# --- merge and unmerge of duplicate records (circuit.md §8.1, DP-58..60) ------------------------

MIN_MERGE_REASON = 10

# Identity fields a supervisor may take from the duplicate when merging ("field-by-field
# choices", DP-59). A choice copies its group: a birth date comes with its precision.
MERGE_CHOICES: dict[str, tuple[str, ...]] = {
    "identity_status": ("identity_status",),
    "first_name_ar": ("first_name_ar",),
    "last_name_ar": ("last_name_ar",),
    "first_name_lat": ("first_name_lat",),
    "last_name_lat": ("last_name_lat",),
    "known_as": ("known_as",),
    "sex": ("sex",),
    "birth_date": (
        "birth_date",
        "birth_date_estimated",
        "birth_date_precision",
        "age_estimation_method",
    ),
    "mother_name": ("mother_name",),
    "nationality": ("nationality",),
    "migrant_status": ("migrant_status",),
    "civil_registration_status": ("civil_registration_status",),
    "education_status": ("education_status",),
    "commune": ("commune_id",),
    "current_address": ("current_address",),
}


def _refuse_tombstone(child: Child) -> None:
    """A merged record is a read-only tombstone (DP-59): every write goes to the survivor."""
    if child.merged_into_id:
        from himaya.cases.services import Conflict

        raise Conflict(
            _("This record was merged into another one; work on the surviving record."),
            guard="child_merged",
        )


def _child_links():
    """(model, foreign key name) of every record that hangs on a child and moves with it in a
    merge: cases (and with them their reports, assessments, plans...), family relations,
    aliases, and whatever another app adds later. Name keys are derived (re-indexed instead);
    merge rows, merge requests and tombstone pointers are the merge's own history."""
    from himaya.children.models import ChildMerge, ChildMergeRequest, ChildNameKey

    skipped = (Child, ChildMerge, ChildMergeRequest, ChildNameKey)
    # include_hidden: a foreign key declared with related_name="+" is a link all the same.
    for relation in Child._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        if relation.related_model in skipped:
            continue
        yield relation.related_model, relation.field.name


def _link_key(model, field: str) -> str:
    return f"{model._meta.label}.{field}"


def _lock_pair(actor, first_id, second_id, *, request=None) -> tuple[Child, Child]:
    """Lock both records (in primary-key order, so two merges of the same pair cannot
    deadlock) and check the actor may merge each: outside scope 404, in scope without the
    permission 403, the denial audited as for a read."""
    from himaya.children.selectors import _in_any_scope

    rows = {
        c.pk: c
        for c in Child.objects.select_for_update()
        .filter(pk__in=[first_id, second_id])
        .order_by("pk")
    }
    pair = (rows.get(first_id), rows.get(second_id))
    for child in pair:
        if child is None:
            raise Http404
    for child in pair:
        if not has_perm(actor, Perm.CHILD_MERGE, child):
            in_scope = _in_any_scope(actor, child)
            audit_record(
                actor=actor, action="child.merge", target_type="child", target_id=str(child.pk),
                child_id=child.pk, outcome="denied", request=request, data={"in_scope": in_scope},
            )  # fmt: skip
            if in_scope:
                raise PermissionDenied
            raise Http404
    return pair


def _as_json(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _field_value(child: Child, attname: str):
    return _as_json(getattr(child, attname))


def _set_field(child: Child, attname: str, value) -> None:
    field = next(f for f in Child._meta.concrete_fields if f.attname == attname)
    setattr(child, attname, None if value is None else field.to_python(value))


def _save_survivor(survivor: Child, changed: dict) -> None:
    names = {f.attname: f.name for f in Child._meta.concrete_fields}
    survivor.version += 1
    survivor.full_clean()
    survivor.save(update_fields=[*sorted({names[a] for a in changed}), "version", "updated_at"])


def _timeline(case_ids, actor, kind: str, *, reason: str, **data) -> None:
    """One event on the timeline of each affected case (cases depends on children, so the
    model is looked up rather than imported)."""
    from django.apps import apps

    event = apps.get_model("cases", "CaseEvent")
    now = timezone.now()
    event.objects.bulk_create(
        [
            event(case_id=pk, at=now, actor=actor, kind=kind, reason=reason, data=data)
            for pk in sorted(case_ids, key=str)
        ]
    )


def _notify_assigned(child: Child, kind: str, message: str) -> None:
    """DP-59: users assigned to either child are told (the survivor now holds both's cases).
    The message names no child (DP-48); the link opens the record through its selector."""
    link = reverse("children:detail", args=[child.pk])
    Notification.objects.bulk_create(
        [
            Notification(user_id=uid, kind=kind, message=message, link=link)
            for uid in sorted(child.assigned_user_ids())
        ]
    )


@transaction.atomic
def child_merge(
    *, actor, survivor_id, duplicate_id, reason: str, evidence: str = "",
    choices: dict[str, str] | None = None, survivor_version: int | None = None,
    duplicate_version: int | None = None, merge_request_id=None, request=None,
):  # fmt: skip
    """Merge `duplicate` into `survivor` (DP-59): a supervisor's decision, never automatic
    (DP-58), on two records both in the supervisor's scope, with a written reason.

    The survivor keeps its identity (except the fields `choices` takes from the duplicate)
    and gains the duplicate's names as aliases, so searches by either name find it. Every
    record hanging on the duplicate (cases with their reports, relations, aliases...) is
    re-pointed to the survivor and listed in the `ChildMerge` row; the duplicate becomes a
    read-only tombstone pointing to the survivor, out of lists and searches, never deleted.
    Cases keep their own organisation and territory: nobody's access widens (DP-19).
    A stale version of either record refuses the merge (412): someone edited it meanwhile.
    The merge approves the pending request of a case manager on the same pair (either way
    round; `merge_request_id` names it) and records its requester.

    If you add a step here, add its reverse in `child_unmerge`."""
    from himaya.cases.services import Conflict, StaleVersion
    from himaya.children.models import ChildAlias, ChildMerge

    if not has_perm(actor, Perm.CHILD_MERGE):
        raise PermissionDenied
    if str(survivor_id) == str(duplicate_id):
        raise Conflict(_("A record cannot be merged into itself."), guard="same_child")
    survivor, duplicate = _lock_pair(actor, survivor_id, duplicate_id, request=request)
    choices = dict(choices or {})
    errors = {}
    if len((reason or "").strip()) < MIN_MERGE_REASON:
        errors["reason"] = _(
            "Write why these two records are the same child (at least %(count)s characters)."
        ) % {"count": MIN_MERGE_REASON}
    unknown = sorted(
        name
        for name, side in choices.items()
        if name not in MERGE_CHOICES or side not in ("survivor", "duplicate")
    )
    if unknown:
        errors["choices"] = _("Unknown field or choice: %(names)s.") % {"names": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    for child in (survivor, duplicate):
        if child.merged_into_id:
            raise Conflict(
                _("One of these records is already merged into another one."),
                guard="already_merged",
            )
    if (survivor_version is not None and survivor.version != survivor_version) or (
        duplicate_version is not None and duplicate.version != duplicate_version
    ):
        raise StaleVersion
    from django.apps import apps

    in_transfer = apps.get_model("cases", "Case").objects.filter(
        child_id__in=[survivor.pk, duplicate.pk], pending_transfer__isnull=False
    )
    if in_transfer.exists():
        raise Conflict(
            _("A case of one of these children is being transferred; merge after the transfer."),
            guard="transfer_pending",
        )

    asked = _pending_request(merge_request_id, survivor, duplicate)
    merge = ChildMerge.objects.create(
        survivor=survivor, duplicate=duplicate, reason=reason.strip(), evidence=evidence.strip(),
        requested_by=asked.requested_by if asked else actor, approved_by=actor, merged_at=timezone.now(),
    )  # fmt: skip
    if asked:
        asked.status, asked.merge = "approved", merge
        asked.decided_by, asked.decided_at = actor, merge.merged_at
        asked.save(update_fields=["status", "merge", "decided_by", "decided_at", "updated_at"])
        Notification.objects.create(
            user=asked.requested_by, kind="child_merge_approved",
            message=gettext_noop("The merge you asked for was made."),
            link=reverse("children:detail", args=[survivor.pk]),
        )  # fmt: skip
    # 1. Field-by-field choices, with the survivor's values before (restored by an unmerge).
    taken = {}
    for name in sorted(n for n, side in choices.items() if side == "duplicate"):
        for attname in MERGE_CHOICES[name]:
            before, after = _field_value(survivor, attname), _field_value(duplicate, attname)
            if before != after:
                taken[attname] = {"before": before, "after": after}
                _set_field(survivor, attname, after)
    # 2. Re-point every record of the duplicate (ids listed: the unmerge moves exactly these).
    repointed = {}
    affected_cases = set()
    for model, field in _child_links():
        rows = model.objects.filter(**{field: duplicate})
        ids = [str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True)]
        if ids:
            rows.update(**{field: survivor})
            repointed[_link_key(model, field)] = ids
            if model._meta.label == "cases.Case":
                affected_cases.update(ids)
    # 3. The duplicate's names become aliases of the survivor (its own earlier aliases came
    # over in step 2), and the duplicate becomes a tombstone.
    ChildAlias.objects.create(
        child=survivor, merge=merge, first_name_ar=duplicate.first_name_ar,
        last_name_ar=duplicate.last_name_ar, first_name_lat=duplicate.first_name_lat,
        last_name_lat=duplicate.last_name_lat, known_as=duplicate.known_as,
    )  # fmt: skip
    duplicate.merged_into = survivor
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    _save_survivor(survivor, taken)
    merge.choices, merge.repointed = taken, repointed
    merge.save(update_fields=["choices", "repointed", "updated_at"])
    index_names(duplicate)  # a tombstone has no keys: out of every search
    index_names(survivor)

    case_model = apps.get_model("cases", "Case")
    affected_cases.update(
        str(pk) for pk in case_model.objects.filter(child=survivor).values_list("pk", flat=True)
    )
    _timeline(
        affected_cases, actor, "child_merged", reason=merge.reason, merge=str(merge.pk),
        survivor=str(survivor.pk), duplicate=str(duplicate.pk),
    )  # fmt: skip
    data = {
        "merge": str(merge.pk), "survivor": str(survivor.pk), "duplicate": str(duplicate.pk),
        "choices": taken, "repointed": {k: len(v) for k, v in repointed.items()},
    }  # fmt: skip
    for child in (survivor, duplicate):
        audit_record(
            actor=actor, action="child.merge", target_type="child", target_id=str(child.pk),
            child_id=child.pk, reason=merge.reason, request=request, data=data,
        )  # fmt: skip
    _notify_assigned(
        survivor, "child_merged", gettext_noop("Two records of a child you work with were merged.")
    )
    return merge


def _pending_request(request_id, survivor: Child, duplicate: Child):
    """The pending request `request_id` on this pair (locked), or a 409 when it was decided
    or names another pair; without an id, the pair's pending request if there is one."""
    from himaya.cases.services import Conflict
    from himaya.children.models import ChildMergeRequest

    if not request_id:
        # Merging a pair someone asked for answers their request.
        return (
            ChildMergeRequest.objects.select_for_update()
            .filter(status="pending")
            .filter(
                models.Q(survivor=survivor, duplicate=duplicate)
                | models.Q(survivor=duplicate, duplicate=survivor)
            )
            .order_by("created_at")
            .first()
        )
    asked = ChildMergeRequest.objects.select_for_update().filter(pk=request_id).first()
    if asked is None:
        raise ValidationError({"merge_request": _("No merge request has this identifier.")})
    if {asked.survivor_id, asked.duplicate_id} != {survivor.pk, duplicate.pk}:
        raise ValidationError({"merge_request": _("This request is about other records.")})
    if asked.status != "pending":
        raise Conflict(_("This request was already decided."), guard="request_decided")
    return asked


@transaction.atomic
def child_merge_request(*, actor, child_id, duplicate_id, reason: str, request=None):
    """DP-59, first step: a case manager who works on `child_id` asks that `duplicate_id` —
    found through the duplicate search, which runs across territories — be merged into it.
    The supervisors of the child's scope are told; one of them compares and merges, or
    declines. The request widens no access: the requester sees the other record no more than
    before."""
    from himaya.cases.services import Conflict
    from himaya.children.models import ChildMergeRequest
    from himaya.children.selectors import _in_any_scope

    if not has_perm(actor, Perm.CHILD_MERGE_REQUEST):
        raise PermissionDenied
    child = Child.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_MERGE_REQUEST, child):
        if _in_any_scope(actor, child):
            raise PermissionDenied
        raise Http404
    duplicate = Child.objects.filter(pk=duplicate_id).first()
    if len((reason or "").strip()) < MIN_MERGE_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "Write why these two records are the same child (at least %(count)s characters)."
                )
                % {"count": MIN_MERGE_REASON}
            }
        )
    if duplicate is None:
        raise ValidationError({"duplicate_id": _("No child has this identifier.")})
    if duplicate.pk == child.pk:
        raise Conflict(_("A record cannot be merged into itself."), guard="same_child")
    if child.merged_into_id or duplicate.merged_into_id:
        raise Conflict(
            _("One of these records is already merged into another one."), guard="already_merged"
        )
    pending = ChildMergeRequest.objects.filter(status="pending").filter(
        models.Q(survivor=child, duplicate=duplicate)
        | models.Q(survivor=duplicate, duplicate=child)
    )
    if pending.exists():
        raise Conflict(_("This merge was already asked for."), guard="already_requested")
    asked = ChildMergeRequest.objects.create(
        survivor=child, duplicate=duplicate, reason=reason.strip(), requested_by=actor
    )
    for target in (child, duplicate):
        audit_record(
            actor=actor, action="child.merge_request", target_type="child", target_id=str(target.pk),
            child_id=target.pk, reason=asked.reason, request=request,
            data={"request": str(asked.pk), "survivor": str(child.pk), "duplicate": str(duplicate.pk)},
        )  # fmt: skip
    link = reverse("children:duplicates")
    message = gettext_noop("A case manager asks for two records of a child to be merged.")
    Notification.objects.bulk_create(
        [
            Notification(user=supervisor, kind="child_merge_request", link=link, message=message)
            for supervisor in _supervisors_of(child)
            if has_perm(supervisor, Perm.CHILD_MERGE, child)
        ]
    )
    return asked


@transaction.atomic
def child_merge_request_decline(*, actor, request_id, reason: str, request=None):
    """A supervisor of the survivor's scope declines a pending merge request, saying why; the
    requester is told."""
    from himaya.cases.services import Conflict
    from himaya.children.models import ChildMergeRequest
    from himaya.children.selectors import _in_any_scope

    if not has_perm(actor, Perm.CHILD_MERGE):
        raise PermissionDenied
    asked = (
        ChildMergeRequest.objects.select_for_update()
        .select_related("survivor")
        .filter(pk=request_id)
        .first()
    )
    if asked is None:
        raise Http404
    if not has_perm(actor, Perm.CHILD_MERGE, asked.survivor):
        if _in_any_scope(actor, asked.survivor):
            raise PermissionDenied
        raise Http404
    if len((reason or "").strip()) < MIN_MERGE_REASON:
        raise ValidationError(
            {
                "reason": _("Write why (at least %(count)s characters).")
                % {"count": MIN_MERGE_REASON}
            }
        )
    if asked.status != "pending":
        raise Conflict(_("This request was already decided."), guard="request_decided")
    asked.status, asked.decided_by, asked.decided_at = "declined", actor, timezone.now()
    asked.decision_note = reason.strip()
    asked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    for target_id in (asked.survivor_id, asked.duplicate_id):
        audit_record(
            actor=actor, action="child.merge_decline", target_type="child", target_id=str(target_id),
            child_id=target_id, reason=asked.decision_note, request=request, data={"request": str(asked.pk)},
        )  # fmt: skip
    Notification.objects.create(
        user=asked.requested_by, kind="child_merge_declined",
        message=gettext_noop("The merge you asked for was declined."),
        link=reverse("children:detail", args=[asked.survivor_id]),
    )  # fmt: skip
    return asked


@transaction.atomic
def child_unmerge(*, actor, survivor_id, duplicate_id, reason: str, request=None):
    """Undo the active merge of `duplicate` into `survivor` (DP-60), by a supervisor with both
    records in scope: the tombstone is restored, the records listed in the merge row go back
    to it, the survivor's fields taken from it get their values back and the aliases the merge
    added are removed. What changed after the merge is kept: a record moved elsewhere since,
    or a field edited since, is left as it is and named in the audit event.
    A survivor merged in turn into a third record must be unmerged from it first (409)."""
    from django.apps import apps

    from himaya.cases.services import Conflict
    from himaya.children.models import ChildMerge

    if not has_perm(actor, Perm.CHILD_MERGE):
        raise PermissionDenied
    if str(survivor_id) == str(duplicate_id):
        raise Conflict(_("A record cannot be merged into itself."), guard="same_child")
    survivor, duplicate = _lock_pair(actor, survivor_id, duplicate_id, request=request)
    if len((reason or "").strip()) < MIN_MERGE_REASON:
        raise ValidationError(
            {
                "reason": _("Write why this merge is undone (at least %(count)s characters).")
                % {"count": MIN_MERGE_REASON}
            }
        )
    merge = (
        ChildMerge.objects.select_for_update()
        .filter(survivor=survivor, duplicate=duplicate, unmerged_at__isnull=True)
        .first()
    )
    if merge is None or duplicate.merged_into_id != survivor.pk:
        raise Conflict(_("This record is not merged into that one."), guard="not_merged")
    if survivor.merged_into_id:
        raise Conflict(
            _("The surviving record was merged since; undo that merge first."),
            guard="survivor_merged",
        )
    case_model = apps.get_model("cases", "Case")
    before_cases = {
        str(pk) for pk in case_model.objects.filter(child=survivor).values_list("pk", flat=True)
    }
    # Reverse of step 2: exactly the listed records, if they still hang on the survivor.
    links = {_link_key(model, field): (model, field) for model, field in _child_links()}
    left_elsewhere = {}
    for key, ids in merge.repointed.items():
        model, field = links[key]
        moved = model.objects.filter(pk__in=ids, **{field: survivor}).update(**{field: duplicate})
        if moved != len(ids):
            left_elsewhere[key] = len(ids) - moved
    # Reverse of step 1, field by field, unless the field was edited since the merge.
    kept = []
    for attname, values in merge.choices.items():
        if _field_value(survivor, attname) == values["after"]:
            _set_field(survivor, attname, values["before"])
        else:
            kept.append(attname)
    # Reverse of step 3. The aliases are the merge's own derived rows: the merge row keeps
    # the names (the tombstone holds them), so removing them loses nothing.
    merge.aliases.all().delete()
    duplicate.merged_into = None
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    _save_survivor(survivor, {a: merge.choices[a] for a in merge.choices if a not in kept})
    merge.unmerged_at, merge.unmerged_by, merge.unmerge_reason = (
        timezone.now(),
        actor,
        reason.strip(),
    )
    merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason", "updated_at"])
    index_names(survivor)
    index_names(duplicate)

    _timeline(
        before_cases, actor, "child_unmerged", reason=merge.unmerge_reason, merge=str(merge.pk),
        survivor=str(survivor.pk), duplicate=str(duplicate.pk),
    )  # fmt: skip
    data = {
        "merge": str(merge.pk), "survivor": str(survivor.pk), "duplicate": str(duplicate.pk),
        "left_elsewhere": left_elsewhere, "fields_edited_since": kept,
    }  # fmt: skip
    for child in (survivor, duplicate):
        audit_record(
            actor=actor, action="child.unmerge", target_type="child", target_id=str(child.pk),
            child_id=child.pk, reason=merge.unmerge_reason, request=request, data=data,
        )  # fmt: skip
    message = gettext_noop("A merge of two records of a child you work with was undone.")
    _notify_assigned(survivor, "child_unmerged", message)
    _notify_assigned(duplicate, "child_unmerged", message)
    return merge
