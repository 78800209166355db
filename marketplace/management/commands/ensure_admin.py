"""`manage.py ensure_admin`: make sure a superuser exists and say how to log in (idempotent)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplace.exceptions import MarketplaceError
from marketplace.services.accounts import superuser_ensure

USERNAME = "admin"
EMAIL = "admin@marketplace.example"


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' (password from ADMIN_PASSWORD, default 'admin') unless a "
        "superuser exists, then print how to log in. An existing password is never changed."
    )

    def handle(self, *args, **options):
        password = os.environ.get("ADMIN_PASSWORD") or "admin"
        try:
            login = superuser_ensure(username=USERNAME, email=EMAIL, password=password)
        except MarketplaceError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        shown = login.password if login.created else "unchanged (the superuser already existed)"
        url = settings.SITE_URL.rstrip("/") + "/admin/"
        self.stdout.write(f"Admin: {url}  login: {login.username}  password: {shown}")
