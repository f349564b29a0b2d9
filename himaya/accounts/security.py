"""Login security (DP-50): password check with lockout, the second factor (TOTP), the login's
completion and API tokens. Pages, the API and the middleware all go through these services.

Rules kept here:

- A wrong password and an unknown user get the same message and cost the same time: Django's
  ModelBackend runs the hasher for an unknown user too.
- An account locks for LOGIN_LOCK_MINUTES after LOGIN_LOCK_FAILURES consecutive failures
  (wrong password or wrong two-factor code). An unknown user name locks the same way, computed
  from its LoginFailure rows, so lockout does not tell which accounts exist.
- An address is refused for the rest of the window after LOGIN_ADDRESS_FAILURES failures within
  LOGIN_ADDRESS_WINDOW_MINUTES.
- A refused attempt (locked account or address) checks nothing and records nothing, so it
  neither extends the lock nor floods the audit log; setting a lock is audited.
- Only a completed login (password and, where required, second factor) resets the counter, so
  knowing the password does not buy unlimited guesses at the second factor.
- A TOTP code is accepted once: the step it belongs to must be later than the last one used.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himaya.accounts.models import ApiToken, LoginFailure
from himaya.accounts.permissions import TWO_FACTOR_ROLES, roles
from himaya.audit.services import audit_record

LOGIN_LOCK_FAILURES: int = getattr(settings, "LOGIN_LOCK_FAILURES", 5)
LOGIN_LOCK_MINUTES: int = getattr(settings, "LOGIN_LOCK_MINUTES", 15)
LOGIN_ADDRESS_FAILURES: int = getattr(settings, "LOGIN_ADDRESS_FAILURES", 20)
LOGIN_ADDRESS_WINDOW_MINUTES: int = getattr(settings, "LOGIN_ADDRESS_WINDOW_MINUTES", 15)
TWO_FACTOR_PENDING_MINUTES: int = getattr(settings, "TWO_FACTOR_PENDING_MINUTES", 10)
TOTP_ISSUER: str = getattr(settings, "TOTP_ISSUER", "Himaya")
TOTP_INTERVAL = 30  # seconds; RFC 6238 default, what every authenticator app expects
TOTP_VALID_WINDOW = 1  # one step either side, for clock drift
API_TOKEN_HOURS: int = getattr(settings, "API_TOKEN_HOURS", 12)

# Audit action codes. "auth.2fa_enabled" would be refused by the audit service's code pattern
# (a segment must start with a letter), hence the spelled-out names.
AUDIT_TWO_FACTOR_ENABLED = "auth.two_factor_enabled"
AUDIT_TWO_FACTOR_DISABLED = "auth.two_factor_disabled"

# Session keys
SESSION_TWO_FACTOR_OK = "himaya_2fa_ok"  # the second factor was checked in this session
SESSION_PENDING = "himaya_2fa_pending"  # password checked, second factor still due
SESSION_SETUP_SECRET = "himaya_2fa_setup_secret"  # a secret shown for enrolment, not yet confirmed

User = get_user_model()


# --- Refusals ---------------------------------------------------------------------------------


class LoginRefused(Exception):
    """A refused login step. `message` is translated and safe to show to anyone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongCredentials(LoginRefused):
    """Wrong user name or password (the two are never told apart)."""


class WrongCode(LoginRefused):
    """Wrong, expired or already used two-factor code."""


class TwoFactorRequired(LoginRefused):
    """The password was right, but this account needs a second factor (API)."""


class TwoFactorMandatory(LoginRefused):
    """The user's role requires two-factor login, so it cannot be turned off."""


class LoginLocked(LoginRefused):
    """Too many failures for the account or the address; nothing was checked."""

    def __init__(self, until: datetime, now: datetime | None = None) -> None:
        seconds = max(1, math.ceil((until - (now or timezone.now())).total_seconds()))
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            ngettext(
                "Too many failed attempts. Try again in %(minutes)s minute.",
                "Too many failed attempts. Try again in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )
        self.until = until
        self.retry_after = seconds
        self.minutes = minutes


def _wrong_credentials() -> WrongCredentials:
    return WrongCredentials(_("Wrong username or password."))


def _wrong_code() -> WrongCode:
    return WrongCode(_("The code is not valid. Use the current code from your authenticator app."))


# --- Who needs what ---------------------------------------------------------------------------


def role_requires_two_factor(user) -> bool:
    """True when one of the user's active roles makes two-factor login mandatory."""
    return bool(roles(user) & TWO_FACTOR_ROLES)


def user_requires_two_factor(user) -> bool:
    """Two-factor login applies to users who enrolled (optional for most roles) and to every
    holder of a TWO_FACTOR_ROLES role, enrolled or not (they enrol at their next login)."""
    return bool(user.totp_enabled) or role_requires_two_factor(user)


def client_ip(request) -> str | None:
    """The client's address, read as the audit log reads it (one setting for both):
    REMOTE_ADDR, or — when AUDIT_TRUST_X_FORWARDED_FOR says our reverse proxy sets it — the
    right-most X-Forwarded-For entry, the only one the client cannot forge. Behind a proxy
    without that setting every user shares the proxy's address, and its lock."""
    raw = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            raw = forwarded.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


# --- Locks ------------------------------------------------------------------------------------


def address_locked_until(ip: str | None, now: datetime | None = None) -> datetime | None:
    """When the address may try again, if it had LOGIN_ADDRESS_FAILURES failures within the
    window: the moment the oldest of them leaves the window."""
    if ip is None:
        return None
    now = now or timezone.now()
    window = timedelta(minutes=LOGIN_ADDRESS_WINDOW_MINUTES)
    recent = list(
        LoginFailure.objects.filter(ip_address=ip, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[:LOGIN_ADDRESS_FAILURES]
    )
    if len(recent) < LOGIN_ADDRESS_FAILURES:
        return None
    return recent[-1] + window


def _unknown_username_locked_until(username: str, now: datetime) -> datetime | None:
    """The lock an account of this name would be under. Every LoginFailure of a non-existent
    name is a counted failure (refused attempts are not recorded), so the name is locked when
    its failure count is a multiple of the threshold and the last one is recent — exactly what
    the counter of a real account does."""
    failures = LoginFailure.objects.filter(username=username)
    count = failures.count()
    if count == 0 or count % LOGIN_LOCK_FAILURES:
        return None
    last = failures.order_by("-at").values_list("at", flat=True).first()
    until = last + timedelta(minutes=LOGIN_LOCK_MINUTES)
    return until if until > now else None


def _check_not_locked(*, ip: str | None, user, username: str, now: datetime) -> None:
    until = address_locked_until(ip, now)
    if until is None:
        if user is not None:
            until = user.locked_until if user.is_locked(now) else None
        else:
            until = _unknown_username_locked_until(username, now)
    if until is not None:
        raise LoginLocked(until, now)


def _record_failure(
    *, request, username: str, user, reason: str, interface: str
) -> datetime | None:
    """Count one failed attempt against the account (if it exists) and the address, audit it,
    and return the lock it sets, if any."""
    now = timezone.now()
    ip = client_ip(request)
    lock_until: datetime | None = None
    with transaction.atomic():
        LoginFailure.objects.create(ip_address=ip, username=username, at=now)
        if user is not None:
            locked = User.objects.select_for_update().only("pk", "failed_logins").get(pk=user.pk)
            failed = locked.failed_logins + 1
            if failed >= LOGIN_LOCK_FAILURES:
                # The counter restarts with the lock: once it expires, the account has a fresh
                # set of attempts (the address limit still bounds a sustained attack).
                lock_until = now + timedelta(minutes=LOGIN_LOCK_MINUTES)
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=lock_until)
                user.failed_logins, user.locked_until = 0, lock_until
            else:
                User.objects.filter(pk=user.pk).update(failed_logins=failed)
                user.failed_logins = failed
        else:
            lock_until = _unknown_username_locked_until(username, now)
        audit_record(
            actor=user,
            action="auth.login_failed",
            outcome="denied",
            request=request,
            data={"username": username, "reason": reason},
            interface=interface,
        )
        if user is not None and lock_until is not None:
            audit_record(
                actor=user,
                action="auth.locked",
                target_type="user",
                target_id=str(user.pk),
                outcome="denied",
                request=request,
                data={"scope": "account", "until": lock_until.isoformat()},
                interface=interface,
            )
        address_until = address_locked_until(ip, now)
        if address_until is not None:
            if _address_lock_just_set(ip, now):
                audit_record(
                    actor=None,
                    action="auth.locked",
                    target_type="address",
                    outcome="denied",
                    request=request,
                    data={"scope": "address", "until": address_until.isoformat()},
                    interface=interface,
                )
            lock_until = max(lock_until, address_until) if lock_until else address_until
    return lock_until


def _address_lock_just_set(ip: str | None, now: datetime) -> bool:
    """True when the failure just recorded is the one that reached the address threshold."""
    window = timedelta(minutes=LOGIN_ADDRESS_WINDOW_MINUTES)
    return (
        LoginFailure.objects.filter(ip_address=ip, at__gt=now - window).count()
        == LOGIN_ADDRESS_FAILURES
    )


def _clean_username(username: str) -> str:
    return (username or "")[:150]


# --- Login steps ------------------------------------------------------------------------------


def login_check_password(*, request, username: str, password: str, interface: str = "web"):
    """First step of every login (page and API). Returns the user when the password is right;
    raises LoginLocked without checking anything while the account or address is locked, and
    WrongCredentials (one message for unknown users and wrong passwords) otherwise.

    Success does not reset the failure counter: the login is complete only after the second
    factor, where one applies (`login_complete`, `token_obtain`)."""
    username = _clean_username(username)
    now = timezone.now()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    _check_not_locked(ip=client_ip(request), user=user, username=username, now=now)
    authenticated = authenticate(request, username=username, password=password)
    if authenticated is None:
        lock = _record_failure(
            request=request, username=username, user=user, reason="password", interface=interface
        )
        if lock is not None:
            raise LoginLocked(lock)
        raise _wrong_credentials()
    return authenticated


def totp_match_step(
    secret: str, code: str, *, after_step: int, for_time: float | None = None
) -> int | None:
    """The TOTP step `code` belongs to (current step ± TOTP_VALID_WINDOW), provided it is later
    than `after_step`; None otherwise. Pure: no database."""
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    current = totp.timecode(time.time() if for_time is None else for_time)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if step > after_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _consume_code(user, secret: str, code: str) -> bool:
    """Accept `code` for `user` once. The conditional update makes two concurrent uses of the
    same code impossible: only one of them moves totp_last_step forward."""
    step = totp_match_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    used = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if used:
        user.totp_last_step = step
    return bool(used)


def _check_code(*, request, user, secret: str, code: str, interface: str) -> None:
    """Shared by login, enrolment and disabling: refuse while locked (without checking the
    code), count a wrong code as a failed login."""
    _check_not_locked(
        ip=client_ip(request), user=user, username=user.get_username(), now=timezone.now()
    )
    user.refresh_from_db(fields=["totp_last_step"])
    if _consume_code(user, secret, code):
        return
    lock = _record_failure(
        request=request, username=user.get_username(), user=user, reason="code", interface=interface
    )
    if lock is not None:
        raise LoginLocked(lock)
    raise _wrong_code()


def login_check_code(*, request, user, code: str, interface: str = "web") -> None:
    """Second step: the user's current TOTP code. Raises LoginLocked or WrongCode."""
    _check_code(request=request, user=user, secret=user.totp_secret, code=code, interface=interface)


def _reset_failures(user) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None


def login_complete(*, request: HttpRequest, user, two_factor: bool) -> None:
    """Log the user in: reset the failure counter, start a session under a new key (Django's
    login cycles it, against session fixation), remember whether the second factor was
    checked, and audit the login."""
    with transaction.atomic():
        _reset_failures(user)
        pending = request.session.get(SESSION_PENDING) or {}
        backend = pending.get("backend") or getattr(user, "backend", None)
        django_login(request, user, backend=backend)
        request.session.pop(SESSION_PENDING, None)
        request.session.pop(SESSION_SETUP_SECRET, None)
        if two_factor:
            request.session[SESSION_TWO_FACTOR_OK] = True
        audit_record(
            actor=user,
            action="auth.login",
            request=request,
            data={"two_factor": two_factor},
            interface="web",
        )


def two_factor_mark_done(*, request: HttpRequest) -> None:
    """An already logged-in user proved the second factor (step-up after a role with
    mandatory two-factor was granted mid-session, or enrolment): new session key, flag set."""
    request.session.cycle_key()
    request.session[SESSION_TWO_FACTOR_OK] = True
    request.session.pop(SESSION_SETUP_SECRET, None)


def logout_user(*, request: HttpRequest) -> None:
    """End the session (also a half-finished login) and audit it when someone was logged in."""
    user = request.user
    if user.is_authenticated:
        audit_record(actor=user, action="auth.logout", request=request, interface="web")
    django_logout(request)  # flushes the session, pending state included


# --- The half-logged-in state between password and second factor -----------------------------


def two_factor_begin(*, request: HttpRequest, user, next_url: str = "") -> str:
    """After the password of a user who needs a second factor: remember who they are in the
    session, under a new key, without logging them in. Returns the URL of the next step —
    the code, or enrolment for a role holder who has not enrolled yet."""
    if request.user.is_authenticated:
        logout_user(request=request)  # someone else's (or a previous) session ends here
    else:
        request.session.cycle_key()
    request.session.pop(SESSION_SETUP_SECRET, None)
    request.session[SESSION_PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "since": int(time.time()),
        "next": next_url,
    }
    return two_factor_url(user)


def two_factor_url(user) -> str:
    return reverse("two_factor_verify" if user.totp_enabled else "two_factor_setup")


def two_factor_pending_user(request: HttpRequest):
    """The user whose password was checked in this session and whose second factor is due,
    or None (also once TWO_FACTOR_PENDING_MINUTES have passed: they start again)."""
    cached = getattr(request, "_himaya_pending_user", False)
    if cached is not False:
        return cached
    user = None
    pending = request.session.get(SESSION_PENDING)
    if pending:
        fresh = time.time() - pending.get("since", 0) < TWO_FACTOR_PENDING_MINUTES * 60
        if fresh:
            user = User._default_manager.filter(pk=pending.get("user"), is_active=True).first()
        if user is None:
            request.session.pop(SESSION_PENDING, None)
            request.session.pop(SESSION_SETUP_SECRET, None)
    request._himaya_pending_user = user
    return user


def two_factor_pending_next(request: HttpRequest) -> str:
    return (request.session.get(SESSION_PENDING) or {}).get("next", "")


def two_factor_done(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_TWO_FACTOR_OK))


def two_factor_redirect(request: HttpRequest) -> str | None:
    """Where this request must go before anything else, or None: the second-factor page for a
    session between password and code, and for a logged-in user who needs two-factor but has
    not passed it in this session (e.g. given a supervisor role since logging in)."""
    user = request.user
    if user.is_authenticated:
        if two_factor_done(request) or not user_requires_two_factor(user):
            return None
        return two_factor_url(user)
    pending = two_factor_pending_user(request)
    return two_factor_url(pending) if pending is not None else None


# --- Enrolment --------------------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(*, user, secret: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL).provisioning_uri(
        name=user.get_username(), issuer_name=TOTP_ISSUER
    )


def totp_qr_svg(uri: str, *, title: str = "") -> str:
    """An inline SVG QR code (no script, no style attribute: CSP-safe), dark on white with
    the quiet zone scanners need, whatever the page theme."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title or None
    )


def two_factor_setup_secret(request: HttpRequest, user) -> str:
    """The secret offered for enrolment, kept in the session until confirmed by a code, so a
    reload shows the same QR code and nothing is stored on the account before it works."""
    stored = request.session.get(SESSION_SETUP_SECRET)
    if stored and stored.get("user") == user.pk:
        return stored["secret"]
    secret = totp_new_secret()
    request.session[SESSION_SETUP_SECRET] = {"user": user.pk, "secret": secret}
    return secret


def two_factor_enable(*, request: HttpRequest, user, secret: str, code: str) -> None:
    """Turn two-factor login on with `secret` once the user proves their app produces its
    codes. The code's step is recorded, so it cannot be used again to log in. A wrong code
    counts as a failed login (raises WrongCode or LoginLocked). Refused while it is already
    on, so that a session alone cannot swap the factor for another one."""
    with transaction.atomic():
        user.refresh_from_db(fields=["totp_last_step", "totp_enabled"])
        if user.totp_enabled:
            # Replacing a factor takes the old one: turn it off (with a code) first.
            raise LoginRefused(_("Two-factor login is already on."))
        _check_not_locked(
            ip=client_ip(request), user=user, username=user.get_username(), now=timezone.now()
        )
        step = totp_match_step(secret, code, after_step=user.totp_last_step)
        if step is not None:
            User.objects.filter(pk=user.pk).update(
                totp_secret=secret, totp_enabled=True, totp_last_step=step
            )
            user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
            audit_record(
                actor=user,
                action=AUDIT_TWO_FACTOR_ENABLED,
                target_type="user",
                target_id=str(user.pk),
                request=request,
                interface="web",
            )
    if step is None:
        lock = _record_failure(
            request=request, username=user.get_username(), user=user, reason="code", interface="web"
        )
        if lock is not None:
            raise LoginLocked(lock)
        raise _wrong_code()


def two_factor_disable(*, request: HttpRequest, user, code: str) -> None:
    """Turn two-factor login off, confirmed by a current code. Refused (TwoFactorMandatory)
    while one of the user's roles requires it."""
    if role_requires_two_factor(user):
        raise TwoFactorMandatory(_("Your role requires two-factor login; it cannot be turned off."))
    login_check_code(request=request, user=user, code=code)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled=False)
        user.totp_secret, user.totp_enabled = "", False
        audit_record(
            actor=user,
            action=AUDIT_TWO_FACTOR_DISABLED,
            target_type="user",
            target_id=str(user.pk),
            request=request,
            interface="web",
        )
    request.session.pop(SESSION_TWO_FACTOR_OK, None)


# --- API tokens -------------------------------------------------------------------------------


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    key: str  # shown once; only its SHA-256 is stored
    token: ApiToken


def token_obtain(*, request, username: str, password: str, otp: str = "") -> IssuedToken:
    """The API login: password, then the TOTP code for users who need one, then a new token.
    Raises LoginLocked, WrongCredentials, TwoFactorRequired or WrongCode."""
    user = login_check_password(
        request=request, username=username, password=password, interface="api"
    )
    if user_requires_two_factor(user):
        if not user.totp_enabled:
            raise TwoFactorRequired(
                _("Your role requires two-factor login: set it up on the web before using the API.")
            )
        if not (otp or "").strip():
            raise TwoFactorRequired(_('A two-factor code is required: send it as "otp".'))
        login_check_code(request=request, user=user, code=otp, interface="api")
    with transaction.atomic():
        _reset_failures(user)
        issued = api_token_issue(request=request, user=user)
    return issued


def api_token_issue(*, request, user) -> IssuedToken:
    """A new bearer token for `user`, valid API_TOKEN_HOURS. Audited."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_token_hash(key),
        expires_at=timezone.now() + timedelta(hours=API_TOKEN_HOURS),
    )
    audit_record(
        actor=user,
        action="auth.token",
        target_type="api_token",
        target_id=str(token.pk),
        request=request,
        data={"expires_at": token.expires_at.isoformat()},
        interface="api",
    )
    return IssuedToken(key=key, token=token)


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this key — not expired, not revoked, of an active user — or None."""
    if not key:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=_token_hash(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def api_token_revoke(*, request, token: ApiToken) -> None:
    """Revoke a token at once (logout of an API client). Revoking twice changes nothing."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=token.user,
                action="auth.token_revoked",
                target_type="api_token",
                target_id=str(token.pk),
                request=request,
                interface="api",
            )
