"""Sign-in, sign-out and password reset by e-mail for seller staff (Django's auth views)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from marketplace.dashboard.forms import SellerLoginForm, SellerPasswordResetForm

TEMPLATES = "dashboard/registration/"


class SellerLoginView(auth_views.LoginView):
    """Failed attempts are counted by django-axes (AxesStandaloneBackend + AxesMiddleware);
    past AXES_FAILURE_LIMIT the middleware answers with AXES_LOCKOUT_TEMPLATE."""

    form_class = SellerLoginForm
    template_name = TEMPLATES + "login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("dashboard:overview")


class SellerLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    next_page = reverse_lazy("dashboard:login")


class SellerPasswordResetView(auth_views.PasswordResetView):
    form_class = SellerPasswordResetForm
    template_name = TEMPLATES + "password_reset_form.html"
    email_template_name = TEMPLATES + "password_reset_email.txt"
    subject_template_name = TEMPLATES + "password_reset_subject.txt"
    success_url = reverse_lazy("dashboard:password_reset_done")


class SellerPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = TEMPLATES + "password_reset_done.html"


class SellerPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = TEMPLATES + "password_reset_confirm.html"
    success_url = reverse_lazy("dashboard:password_reset_complete")


class SellerPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = TEMPLATES + "password_reset_complete.html"
