"""Administration pages: organisations, users and memberships. Thin: parse, call a service or
a selector, render. Every change is audited by its service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaya.accounts import selectors, services
from himaya.accounts.access import AUTHENTICATED, access
from himaya.accounts.forms import MembershipForm, OrganisationForm, UserCreateForm, UserForm
from himaya.accounts.models import Membership
from himaya.accounts.permissions import Perm, has_perm

PAGE_SIZE = 50


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form, on the field it names where possible."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _keyset(queryset, request, key: str):
    """One page of `queryset` ordered by `key`, starting after ?after=<value> (no OFFSET)."""
    after = request.GET.get("after", "")
    if after:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: PAGE_SIZE + 1])
    next_after = getattr(rows[PAGE_SIZE - 1], key) if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], next_after


@access(Perm.ORG_VIEW)
def organisation_list(request):
    queryset = selectors.organisations_visible_to(request.user).select_related("province")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        queryset = queryset.filter(code__icontains=query) | queryset.filter(
            name_fr__icontains=query
        )
    rows, next_after = _keyset(queryset, request, "code")
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "organisations": rows,
            "next_after": next_after,
            "q": query,
            "can_manage": has_perm(request.user, Perm.ORG_MANAGE),
        },
    )


@access(Perm.ORG_MANAGE)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                actor=request.user, request=request, **form.cleaned_values()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Organisation created."))
            return redirect("accounts:organisation", organisation_id=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": None})


@access(Perm.ORG_VIEW)
def organisation_detail(request, organisation_id):
    organisation = selectors.organisation_get_for_user(request.user, organisation_id)
    can_manage = has_perm(request.user, Perm.ORG_MANAGE)
    initial = {
        name: getattr(organisation, name)
        for name in ("code", "name_fr", "name_ar", "type", "status", "province", "parent", "active")
    }
    initial["version"] = organisation.version
    form = OrganisationForm(request.POST or None, initial=initial) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                services.organisation_update(
                    actor=request.user,
                    organisation_id=organisation.pk,
                    version=form.cleaned_data.get("version") or 0,
                    request=request,
                    **form.cleaned_values(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Organisation saved."))
                return redirect("accounts:organisation", organisation_id=organisation.pk)
    members = (
        organisation.memberships.filter(active=True)
        .select_related("user")
        .order_by("user__username")[:200]
    )
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": organisation, "members": members},
    )


@access(Perm.USER_VIEW)
def user_list(request):
    queryset = selectors.users_visible_to(request.user)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        queryset = queryset.filter(username__icontains=query)
    rows, next_after = _keyset(queryset, request, "username")
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": rows,
            "next_after": next_after,
            "q": query,
            "can_manage": has_perm(request.user, Perm.USER_MANAGE),
        },
    )


@access(Perm.USER_MANAGE)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        password = values.pop("password")
        try:
            user = services.user_create(
                actor=request.user, password=password, request=request, **values
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("User created. Now give them a role."))
            return redirect("accounts:user", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@access(Perm.USER_VIEW)
def user_detail(request, user_id):
    account = selectors.user_get_for_user(request.user, user_id)
    can_manage = has_perm(request.user, Perm.USER_MANAGE)
    initial = {name: getattr(account, name) for name in UserForm.base_fields}
    form = UserForm(request.POST or None, initial=initial) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                services.user_update(
                    actor=request.user, user_id=account.pk, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("User saved."))
                return redirect("accounts:user", user_id=account.pk)
    membership_form = MembershipForm() if can_manage else None
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "account": account,
            "membership_form": membership_form,
            "memberships": account.memberships.select_related(
                "organisation", "scope_province", "scope_region", "scope_commune"
            ).order_by("-active", "role"),
        },
    )


@access(Perm.USER_MANAGE)
@require_POST
def membership_add(request, user_id):
    account = selectors.user_get_for_user(request.user, user_id)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.membership_create(
                actor=request.user, user=account, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Role given."))
            return redirect("accounts:user", user_id=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": None,
            "account": account,
            "membership_form": form,
            "memberships": account.memberships.select_related("organisation").all(),
        },
        status=400,
    )


@access(Perm.USER_MANAGE)
@require_POST
def membership_deactivate(request, membership_id):
    membership = get_object_or_404(
        Membership, pk=membership_id, user__in=selectors.users_visible_to(request.user)
    )
    services.membership_deactivate(actor=request.user, membership_id=membership.pk, request=request)
    messages.success(request, _("Role withdrawn."))
    return redirect("accounts:user", user_id=membership.user_id)


@access(AUTHENTICATED)
def notification_list(request):
    """The signed-in user's notifications; opening the page marks them read."""
    from django.utils import timezone

    rows = list(request.user.notifications.order_by("-created_at")[:100])
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"notifications": rows})
