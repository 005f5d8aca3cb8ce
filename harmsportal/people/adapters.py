"""allauth adapter: new sign-ups are reporters of a force they choose; its emails use the outbox;
a password step gets a new session key, and a new password ends the account's other sessions."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives

from harmsportal.notifications.services import notification_email_queue
from harmsportal.people.sessions import user_sessions_end


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_SIGNUP_OPEN

    def pre_login(self, request, user, **kwargs):
        """allauth calls this once the password (or passkey) is right, before the MFA step.

        The session gets a new key here, not only at the end (Django's login()): the MFA step
        keeps the half-signed-in state in the session, and a session id planted before sign-in
        (fixation) must not be the one that holds it.
        """
        response = super().pre_login(request, user, **kwargs)
        if response is None:
            request.session.cycle_key()
        return response

    def set_password(self, user, password: str) -> None:
        """Every allauth password change, set and reset comes here: end the other sessions.

        The session making the change is kept (allauth moves it to the new password's hash);
        after a reset from an emailed link that session is not signed in, so all of the
        account's sessions end. Django would refuse the old sessions at their next request
        anyway (the session auth hash); deleting them ends them at once.
        """
        super().set_password(user, password)
        request = allauth_context.request
        session = getattr(request, "session", None)
        user_sessions_end(user=user, keep=session.session_key if session is not None else None)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the email exactly as allauth would, then queue it in the outbox.

        allauth sends inside the request; with the mail server down that would fail the request
        and lose the email. Queued instead, it goes after commit, the relay retries it, and it
        is sent once (decision 0003). allauth.mfa's emails come here too: its adapter hands
        them to this one's `send_notification_mail`, which calls `send_mail`.
        """
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        body_text, body_html = message.body, ""
        if getattr(message, "content_subtype", "plain") == "html":
            body_text, body_html = "", message.body
        elif isinstance(message, EmailMultiAlternatives):
            for content, mimetype in message.alternatives:
                if mimetype == "text/html":
                    body_html = content
                    break
        user = context.get("user")
        notification_email_queue(
            to_email=email,
            subject=message.subject,
            body_text=body_text,
            body_html=body_html,
            user=user if getattr(user, "pk", None) is not None else None,
        )
