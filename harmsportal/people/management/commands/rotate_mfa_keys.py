"""Re-encrypt every stored MFA secret with the first key in HARMSPORTAL_MFA_KEYS.

Rolling a key: put the new key first (keep the old ones after it), deploy, run this command,
and remove an old key only once a run reports nothing left to re-encrypt. Secrets stored plain
(before encryption was switched on) are encrypted too. Safe to run again at any time: secrets
already on the first key are left alone.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from harmsportal.people.mfa import rotate_data


class Command(BaseCommand):
    help = "Re-encrypt stored MFA secrets (TOTP, recovery codes) with the first HARMSPORTAL_MFA_KEYS key."

    def handle(self, *args, **options) -> None:
        rotated = current = 0
        unreadable: list[int] = []
        ids = list(Authenticator.objects.order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            with transaction.atomic():
                # Locked, so a concurrent sign-in marking a recovery code used is not lost.
                authenticator = Authenticator.objects.select_for_update().filter(pk=pk).first()
                if authenticator is None:
                    continue
                try:
                    changed = rotate_data(authenticator.data)
                except InvalidToken:
                    unreadable.append(pk)
                    continue
                except ImproperlyConfigured as exc:
                    raise CommandError(str(exc)) from exc
                if changed:
                    authenticator.save(update_fields=["data"])
                    rotated += 1
                else:
                    current += 1
        self.stdout.write(
            f"Re-encrypted {rotated} authenticator(s); {current} already used the current key "
            "or hold no secret."
        )
        if unreadable:
            listing = ", ".join(str(pk) for pk in unreadable)
            raise CommandError(
                f"{len(unreadable)} authenticator(s) could not be decrypted with any configured "
                f"key (left untouched): ids {listing}"
            )
