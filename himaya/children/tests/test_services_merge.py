"""Merge and unmerge of duplicate child records (circuit.md §8.1, DP-58..60): who may, on
which records, what moves, what the search finds, and that an unmerge restores the state."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404

from himaya.accounts.models import Notification
from himaya.accounts.testing import _case
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, CaseEvent
from himaya.cases.services import Conflict, StaleVersion
from himaya.children import selectors, services
from himaya.children.matching import ChildIdentity
from himaya.children.models import Child, ChildAlias, ChildMerge, ChildNameKey, ChildPerson

pytestmark = pytest.mark.django_db
REASON = "Same mother, same birth date, the CAPE met her twice."


def _merge(personas, duplicate, **kwargs):
    values = {"actor": personas.supervisor_sale, "survivor_id": personas.children["sale"].pk,
              "duplicate_id": duplicate.pk, "reason": REASON, **kwargs}  # fmt: skip
    return services.child_merge(**values)


def _state(*children):
    """Everything a merge touches, as plain data (versions and timestamps aside)."""
    ignored = {"version", "updated_at", "created_at"}
    ids = [c.pk for c in children]
    return {
        "children": [
            {k: v for k, v in model_to_dict(Child.objects.get(pk=pk)).items() if k not in ignored}
            for pk in ids
        ],
        "cases": sorted(Case.objects.filter(child_id__in=ids).values_list("pk", "child_id")),
        "relations": sorted(
            ChildPerson.objects.filter(child_id__in=ids).values_list("pk", "child_id")
        ),
        "aliases": sorted(
            ChildAlias.objects.filter(child_id__in=ids).values_list("pk", "child_id")
        ),
        "keys": sorted(
            ChildNameKey.objects.filter(child_id__in=ids).values_list("child_id", "key")
        ),
    }


def test_merge_repoints_everything_and_leaves_a_tombstone(personas, duplicate):
    survivor = personas.children["sale"]
    dup_case = duplicate.cases.get()
    relation = duplicate.relations.get()
    merge = _merge(personas, duplicate, choices={"birth_date": "duplicate"})

    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert Child.objects.filter(pk=duplicate.pk).exists()  # never deleted
    assert set(survivor.cases.values_list("pk", flat=True)) == {
        personas.cases["sale"].pk,
        dup_case.pk,
    }
    assert ChildPerson.objects.get(pk=relation.pk).child == survivor
    assert str(survivor.birth_date) == "2014-05-02"  # the field taken from the duplicate
    assert survivor.first_name_lat == "Amina" and survivor.last_name_lat == "El Idrissi"
    assert merge.repointed == {
        "cases.Case.child": [str(dup_case.pk)],
        "children.ChildPerson.child": [str(relation.pk)],
    }
    assert merge.choices["birth_date"] == {"before": None, "after": "2014-05-02"}
    assert merge.requested_by == merge.approved_by == personas.supervisor_sale
    # Out of lists and of the index; both audited; a timeline event on every case.
    assert duplicate not in selectors.children_visible_to(personas.supervisor_sale)
    assert not ChildNameKey.objects.filter(child=duplicate).exists()
    assert AuditEvent.objects.filter(action="child.merge", outcome="allowed").count() == 2
    assert set(CaseEvent.objects.filter(kind="child_merged").values_list("case_id", flat=True)) == {
        personas.cases["sale"].pk, dup_case.pk,
    }  # fmt: skip
    assert Notification.objects.filter(user=personas.manager_sale, kind="child_merged").exists()


def test_search_by_the_merged_name_finds_the_survivor(personas, duplicate):
    survivor = personas.children["sale"]
    duplicate.first_name_lat, duplicate.last_name_lat = "Samira", "Bouzid"
    duplicate.save()
    services.index_names(duplicate)
    _merge(personas, duplicate)
    found = selectors.children_search_minimal(personas.supervisor_sale, "Samira Bouzid")
    assert [r["child"].pk for r in found] == [survivor.pk]
    found = selectors.children_match_candidates(
        personas.reception_sale, ChildIdentity(first_name_lat="Samira", last_name_lat="Bouzid")
    )
    assert [r["child_id"] for r in found] == [survivor.pk]
    # ...and by its own name still.
    found = selectors.children_search_minimal(personas.supervisor_sale, "Amina El Idrissi")
    assert [r["child"].pk for r in found] == [survivor.pk]


def test_merge_then_unmerge_restores_exactly_the_state_before(personas, duplicate):
    survivor = personas.children["sale"]
    before = _state(survivor, duplicate)
    _merge(personas, duplicate, choices={"birth_date": "duplicate", "mother_name": "duplicate"})
    assert _state(survivor, duplicate) != before
    merge = services.child_unmerge(
        actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk,
        reason="Two sisters, not the same child.",
    )  # fmt: skip
    assert _state(survivor, duplicate) == before
    merge.refresh_from_db()
    assert merge.unmerged_by == personas.supervisor_sale and merge.unmerged_at is not None
    assert AuditEvent.objects.filter(action="child.unmerge").count() == 2
    assert CaseEvent.objects.filter(kind="child_unmerged").count() == 2
    # The pair may be merged again (the unique rule is on active merges only).
    _merge(personas, duplicate)
    assert ChildMerge.objects.filter(duplicate=duplicate).count() == 2


def test_unmerge_keeps_what_changed_after_the_merge(personas, duplicate):
    survivor = personas.children["sale"]
    _merge(personas, duplicate, choices={"mother_name": "duplicate"})
    survivor.refresh_from_db()
    services.child_update(actor=personas.supervisor_sale, child_id=survivor.pk, version=survivor.version, mother_name="Fatima Zahra")  # fmt: skip
    later = _case(survivor, personas.orgs["cape_sale"], "SAL-2000-000009", manager=None, opener=personas.reception_sale)  # fmt: skip
    services.child_unmerge(actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason="Not the same child after all.")  # fmt: skip
    survivor.refresh_from_db()
    assert survivor.mother_name == "Fatima Zahra"  # edited since: kept
    assert Case.objects.get(pk=later.pk).child == survivor  # opened since: stays
    event = AuditEvent.objects.get(action="child.unmerge", child_id=survivor.pk)
    assert event.data["fields_edited_since"] == ["mother_name"]


@pytest.mark.parametrize(
    "persona",
    ["manager_sale", "reception_sale", "evaluator_sale", "judicial_sale", "auditor", "admin"],
)
def test_only_a_supervisor_merges(personas, duplicate, persona):
    with pytest.raises(PermissionDenied):
        _merge(personas, duplicate, actor=personas.users[persona])
    assert not ChildMerge.objects.exists()


def test_a_record_of_another_territory_does_not_exist(personas, duplicate):
    with pytest.raises(Http404):
        _merge(personas, duplicate, survivor_id=personas.children["tanger"].pk)
    with pytest.raises(Http404):
        _merge(personas, personas.children["tanger"])
    assert not ChildMerge.objects.exists()
    assert Case.objects.get(pk=personas.cases["tanger"].pk).child == personas.children["tanger"]


def test_bad_input_names_the_field_and_changes_nothing(personas, duplicate):
    before = _state(personas.children["sale"], duplicate)
    with pytest.raises(ValidationError) as error:
        _merge(
            personas,
            duplicate,
            reason=" short ",
            choices={"health_notes": "duplicate", "sex": "both"},
        )
    assert set(error.value.message_dict) == {"reason", "choices"}
    assert _state(personas.children["sale"], duplicate) == before


def test_conflicts(personas, duplicate):
    survivor = personas.children["sale"]
    with pytest.raises(Conflict) as error:
        _merge(personas, survivor)
    assert error.value.guard == "same_child"
    _merge(personas, duplicate)
    with pytest.raises(Conflict) as error:
        _merge(personas, duplicate)
    assert error.value.guard == "already_merged"
    with pytest.raises(Conflict):  # the tombstone is read-only
        services.child_update(actor=personas.supervisor_sale, child_id=duplicate.pk, version=duplicate.version + 1, known_as="x")  # fmt: skip
    with pytest.raises(Conflict) as error:  # nothing to undo the other way round
        services.child_unmerge(actor=personas.supervisor_sale, survivor_id=duplicate.pk, duplicate_id=survivor.pk, reason=REASON)  # fmt: skip
    assert error.value.guard == "not_merged"


def test_a_concurrent_edit_is_detected_not_overwritten(personas, duplicate):
    survivor = personas.children["sale"]
    seen = survivor.version
    services.child_update(actor=personas.manager_sale, child_id=survivor.pk, version=seen, known_as="Mina")  # fmt: skip
    with pytest.raises(StaleVersion):
        _merge(personas, duplicate, survivor_version=seen, duplicate_version=duplicate.version)
    assert Child.objects.get(pk=duplicate.pk).merged_into is None
    survivor.refresh_from_db()
    assert _merge(
        personas, duplicate, survivor_version=survivor.version, duplicate_version=duplicate.version
    )


def test_a_case_in_transfer_blocks_the_merge(personas, duplicate):
    from himaya.cases.models import Transfer

    case = duplicate.cases.get()
    transfer = Transfer.objects.create(
        case=case, from_organisation=personas.orgs["cape_sale"], from_province_id="04.441",
        to_organisation=personas.orgs["cape_tanger"], to_province_id="01.511", reason="family_moved",
        requested_by=personas.manager_sale, requested_at=case.opened_at, response_due_at=case.opened_at,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(pending_transfer=transfer)
    with pytest.raises(Conflict) as error:
        _merge(personas, duplicate)
    assert error.value.guard == "transfer_pending"


def test_a_merged_survivor_must_be_unmerged_last_first(personas, duplicate):
    survivor = personas.children["sale"]
    third = Child.objects.create(first_name_lat="Amina", last_name_lat="Drissi", sex="female", province_id="04.441", organisation=personas.orgs["cape_sale"])  # fmt: skip
    _merge(personas, duplicate)
    _merge(personas, survivor, survivor_id=third.pk)
    with pytest.raises(Conflict) as error:
        services.child_unmerge(actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=REASON)  # fmt: skip
    assert error.value.guard == "survivor_merged"
    services.child_unmerge(actor=personas.supervisor_sale, survivor_id=third.pk, duplicate_id=survivor.pk, reason=REASON)  # fmt: skip
    services.child_unmerge(actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=REASON)  # fmt: skip
    assert Case.objects.get(pk=duplicate.cases.get().pk).child == duplicate


def test_every_link_to_a_child_is_moved_by_a_merge():
    """A foreign key to Child added by any app (even with related_name="+") is re-pointed."""
    links = {services._link_key(model, field) for model, field in services._child_links()}
    assert {"cases.Case.child", "children.ChildPerson.child", "children.ChildAlias.child"} <= links
    assert not {
        key for key in links if key.startswith(("children.ChildMerge", "children.ChildNameKey"))
    }


def test_round_trip_with_every_field_taken_from_the_duplicate(personas, duplicate):
    survivor = personas.children["sale"]
    duplicate.first_name_ar, duplicate.known_as, duplicate.birth_date_estimated = (
        "أمينة",
        "Mina",
        True,
    )
    duplicate.save()
    services.index_names(duplicate)
    before = _state(survivor, duplicate)
    _merge(personas, duplicate, choices=dict.fromkeys(services.MERGE_CHOICES, "duplicate"))
    survivor.refresh_from_db()
    assert (survivor.first_name_ar, survivor.last_name_lat, survivor.known_as) == (
        "أمينة",
        "Idrissi",
        "Mina",
    )
    services.child_unmerge(actor=personas.supervisor_sale, survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=REASON)  # fmt: skip
    assert _state(survivor, duplicate) == before
