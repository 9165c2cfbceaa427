"""The optional second sign-in step: an authenticator app (TOTP) plus one-time recovery codes.

LEARNLOOP_ADMIN_2FA=required makes admins set one up before their first sign-in completes;
anyone may set one up for themselves.
"""

import hashlib
import hmac
import secrets
import threading

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.accounts import totp
from learnloop.accounts.models import RecoveryCode, TotpDevice
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.ops import storage

RECOVERY_CODE_COUNT = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def has_second_factor(person) -> bool:
    return TotpDevice.objects.filter(person=person).exists()


def must_enrol(person) -> bool:
    """True when this person may not finish signing in until they set up an authenticator."""
    return settings.ADMIN_2FA == "required" and person.is_admin and not has_second_factor(person)


def _hash_code(code: str) -> str:
    # 80 random bits per code: a plain hash leaves nothing to brute-force.
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[index : index + 4] for index in range(0, 16, 4))


def _replace_recovery_codes(person) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(person=person).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(person=person, code_hash=_hash_code(code)) for code in codes])
    return codes


def confirm_enrolment(*, person, secret: str, code: str, ip_address: str | None = None) -> list[str]:
    """Keep the authenticator once it produced a valid code; return fresh recovery codes (shown once)."""
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationError(
            {"code": gettext("That code doesn't match. Check the time on your phone and try the current code.")}
        )
    with transaction.atomic():
        TotpDevice.objects.update_or_create(
            person=person, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": step}
        )
        codes = _replace_recovery_codes(person)
        record_audit_event(kind=AuditKind.TWO_FACTOR_ENABLED, actor=person, ip_address=ip_address)
    return codes


def regenerate_recovery_codes(*, person, ip_address: str | None = None) -> list[str]:
    with transaction.atomic():
        codes = _replace_recovery_codes(person)
        record_audit_event(
            kind=AuditKind.TWO_FACTOR_ENABLED, actor=person, ip_address=ip_address, detail={"recovery_codes": "renewed"}
        )
    return codes


def disable(*, person, code: str, ip_address: str | None = None) -> None:
    if settings.ADMIN_2FA == "required" and person.is_admin:
        raise ValidationError({"code": gettext("Admins must keep a second factor on this instance.")})
    if not verify(person=person, code=code):
        raise ValidationError({"code": gettext("That code doesn't match.")})
    with transaction.atomic():
        TotpDevice.objects.filter(person=person).delete()
        RecoveryCode.objects.filter(person=person).delete()
        record_audit_event(kind=AuditKind.TWO_FACTOR_DISABLED, actor=person, ip_address=ip_address)


def verify(*, person, code: str, ip_address: str | None = None) -> bool:
    """Check an authenticator code or an unused recovery code; each works only once."""
    code = (code or "").strip()
    try:
        return _verify(person=person, code=code, ip_address=ip_address)
    except DatabaseError as error:
        if storage.note_failure(error) is None:
            raise
        accepted = _verify_without_storing(person=person, code=code)
        if accepted is None:
            raise  # a recovery code is single-use only if its use is stored: not now (503)
        return accepted


# Authenticator steps used while the database couldn't store them, by person: replaying a code
# is refused in this process, and codes are only valid for about a minute anyway.
_unstored_steps: dict[int, int] = {}
_unstored_lock = threading.Lock()


def _verify_without_storing(*, person, code: str) -> bool | None:
    """An authenticator code while the database can't be written; None if `code` isn't one."""
    device = TotpDevice.objects.filter(person=person).first()
    if device is None:
        return False
    step = totp.matching_step(device.secret, code)
    if step is None:
        return None
    with _unstored_lock:
        if step <= max(device.last_used_step, _unstored_steps.get(person.pk, -1)):
            return False
        _unstored_steps[person.pk] = step
    return True


def _verify(*, person, code: str, ip_address: str | None) -> bool:
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(person=person).first()
        if device is None:
            return False
        step = totp.matching_step(device.secret, code)
        if step is not None:
            if step <= device.last_used_step:
                return False  # replayed, or older than a code already used
            device.last_used_step = step
            device.save(update_fields=["last_used_step"])
            return True
        wanted = _hash_code(code)
        for recovery in RecoveryCode.objects.select_for_update().filter(person=person, used_at__isnull=True):
            if hmac.compare_digest(recovery.code_hash, wanted):
                recovery.used_at = timezone.now()
                recovery.save(update_fields=["used_at"])
                record_audit_event(
                    kind=AuditKind.RECOVERY_CODE_USED,
                    actor=person,
                    ip_address=ip_address,
                    detail={"left": RecoveryCode.objects.filter(person=person, used_at__isnull=True).count()},
                )
                return True
    return False


def unused_recovery_codes(person) -> int:
    return RecoveryCode.objects.filter(person=person, used_at__isnull=True).count()
