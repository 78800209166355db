"""Signed-link pages: one-click unsubscribe and the preference page (bad links: a clear page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .events import Channel
from .forms import PreferencesForm
from .links import (
    PREFERENCES_SALT,
    UNSUBSCRIBE_SALT,
    LinkError,
    LinkExpiredError,
    LinkSubject,
    preferences_url,
    token_load,
)
from .services.preferences import (
    preferences_get,
    preferences_save,
    subject_name,
    subject_unsubscribe,
)


def _invalid(request: HttpRequest, exc: LinkError) -> HttpResponse:
    status = 410 if isinstance(exc, LinkExpiredError) else 400
    return render(request, "notifications/pages/link_invalid.html",
                  {"expired": status == 410, "message": str(exc)}, status=status)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subject = token_load(token, salt=PREFERENCES_SALT)
        name = subject_name(subject=subject)
    except LinkError as exc:
        return _invalid(request, exc)
    initial = PreferencesForm.initial_from(preferences_get(subject=subject))
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        preferences_save(subject=subject, marketing=form.marketing())
        saved = True
    return render(request, "notifications/pages/preferences.html",
                  {"form": form, "name": name, "saved": saved})


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (the button, or a mail client's one-click) opts out."""
    try:
        subject = token_load(token, salt=UNSUBSCRIBE_SALT)
        name = subject_name(subject=subject)
    except LinkError as exc:
        return _invalid(request, exc)
    done = request.method == "POST"
    if done:
        subject_unsubscribe(subject=subject)
    context = {
        "name": name, "done": done, "channel": Channel(subject.channel).label,
        "preferences_url": preferences_url(LinkSubject(subject.kind, subject.pk)),
    }
    return render(request, "notifications/pages/unsubscribe.html", context)
