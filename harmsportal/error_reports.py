"""Error reports that carry no one's words.

Django's report of a server error (the email to ADMINS, the technical page) lists the request's
POST fields and every local variable of every frame. On this portal those are a victim's
account, messages and notes, so the report would copy them into an inbox. This filter keeps
the traceback (file, line, code) and the names, and replaces every value
(tests/security/test_log_canary.py).
"""

from __future__ import annotations

from django.views.debug import SafeExceptionReporterFilter


class NoContentExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True  # with DEBUG on as well: a developer's database may be a copy of real data

    def get_post_parameters(self, request) -> dict:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame) -> list:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
