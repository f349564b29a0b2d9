import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from himaya.accounts import services
from himaya.accounts.models import Membership, Organisation
from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_administrator_creates_organisation_and_it_is_audited(personas):
    org = services.organisation_create(
        actor=personas.admin, code="upe-sale", name_fr="UPE Salé", name_ar="وحدة حماية الطفولة سلا",
        type="upe", status="operational", province_id="04.441",
    )  # fmt: skip
    assert org.version == 1
    event = AuditEvent.objects.filter(action="org.create", target_id=str(org.pk)).get()
    assert event.actor == personas.admin


def test_only_administrators_manage_organisations(personas):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=personas.supervisor_sale,
            code="x",
            name_fr="x",
            name_ar="x",
            type="upe",
            status="operational",
        )
    assert not Organisation.objects.filter(code="x").exists()


def test_unknown_org_type_is_refused_with_the_field_named(personas):
    with pytest.raises(ValidationError) as error:
        services.organisation_create(
            actor=personas.admin,
            code="x",
            name_fr="x",
            name_ar="x",
            type="bakery",
            status="operational",
        )
    assert "type" in error.value.message_dict


def test_stale_version_is_refused_and_changes_nothing(personas):
    org = personas.orgs["cape_sale"]
    services.organisation_update(
        actor=personas.admin, organisation_id=org.pk, version=1, name_fr="CAPE Salé Médina"
    )
    with pytest.raises(services.StaleVersion):
        services.organisation_update(
            actor=personas.admin, organisation_id=org.pk, version=1, name_fr="Overwritten"
        )
    org.refresh_from_db()
    assert (org.name_fr, org.version) == ("CAPE Salé Médina", 2)
    update = AuditEvent.objects.get(action="org.update", target_id=str(org.pk))
    assert update.data["changes"]["name_fr"] == ["t-cape-sale", "CAPE Salé Médina"]


def test_user_password_needs_twelve_characters(personas):
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=personas.admin, username="new.user", password="short-pw")
    assert "password" in error.value.message_dict


def test_membership_grants_and_withdraws_permissions(personas):
    user = services.user_create(
        actor=personas.admin, username="new.worker", password="a-long-enough-passphrase"
    )
    assert not has_perm(user, Perm.CHILD_VIEW)
    membership = services.membership_create(
        actor=personas.admin, user=user, organisation=personas.orgs["cape_sale"], role="case_manager",
        scope="province", scope_province=personas.orgs["cape_sale"].province,
    )  # fmt: skip
    assert has_perm(user, Perm.CHILD_VIEW)
    services.membership_deactivate(actor=personas.admin, membership_id=membership.pk)
    user = type(user).objects.get(pk=user.pk)  # as the next request loads it
    assert not has_perm(user, Perm.CHILD_VIEW)
    assert Membership.objects.filter(pk=membership.pk, active=False).exists()  # kept, never deleted
    actions = list(
        AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True)
    )
    assert actions == ["user.create", "membership.create", "membership.deactivate"]


@pytest.mark.parametrize(
    ("scope", "territory"),
    [
        ("national", {"scope_province_id": "04.441"}),
        ("province", {}),
        ("region", {"scope_province_id": "04.441"}),
    ],
)
def test_scope_must_match_its_territory(personas, scope, territory):
    from himaya.core.models import Province

    extra = {"scope_province": Province.objects.get(pk="04.441")} if territory else {}
    with pytest.raises(ValidationError) as error:
        services.membership_create(
            actor=personas.admin, user=personas.outsider, organisation=personas.orgs["cape_sale"],
            role="case_manager", scope=scope, **extra,
        )  # fmt: skip
    assert "scope" in error.value.message_dict


def test_unknown_role_is_refused(personas):
    with pytest.raises(ValidationError):
        services.membership_create(
            actor=personas.admin,
            user=personas.outsider,
            organisation=personas.orgs["ministry"],
            role="king",
            scope="national",
        )
