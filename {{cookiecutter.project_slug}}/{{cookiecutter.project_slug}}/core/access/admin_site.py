"""The admin site: staff only, with a second factor where required, in a session that ends.

django-otp's OTPAdminSite asks for a TOTP code beside the password and lets in
only a session verified by one. With DJANGO_ADMIN_MFA=optional (development
and tests) the site takes Django's own login form and any active staff user.
Either way a staff session past its age or idle limit is ended (sessions.py)
and the user sent back to the login page.
"""

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device

from {{ cookiecutter.project_slug }}.core.access.sessions import staff_session_current
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import query_budget


class StaffLoginForm(OTPAdminAuthenticationForm):  # type: ignore[misc]  # django-otp is untyped
    """django-otp's admin login, where a user with one device need not pick it from a list."""

    def _chosen_device(self, user: Any) -> Device | None:
        chosen: Device | None = super()._chosen_device(user)
        if chosen is None:
            devices = list(devices_for_user(user, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return chosen


class StaffAdminSite(OTPAdminSite):  # type: ignore[misc]  # django-otp is untyped
    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; the admin's URLs stay under "admin:".
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        if not AdminSite.has_permission(self, request):  # an active staff user
            return False
        if not staff_session_current(request):
            return False
        user: Any = request.user  # OTPMiddleware adds is_verified()
        return bool(user.is_verified()) or not settings.ADMIN_MFA_REQUIRED

    # A login with its second factor runs 17 queries (the counts of axes, the device, the
    # session, axes' access log); a refused one about 10, however many failures came before.
    @query_budget(20)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # Per request, from the setting: the password alone where no second factor is required.
        form: type[AuthenticationForm] = AdminAuthenticationForm
        template: str | None = None
        if settings.ADMIN_MFA_REQUIRED:
            form, template = StaffLoginForm, OTPAdminSite.login_template
        self.login_form, self.login_template = form, template
        return super().login(request, extra_context)
