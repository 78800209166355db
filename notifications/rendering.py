"""Rendering: (event, role, channel, variant, language, storefront) + payload -> a message."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils.html import strip_tags

from .events import Channel
from .exceptions import MissingVariableError, TemplateError, TemplateMissingError
from .models import TemplateOverride

TEMPLATE_ROOT = Path(__file__).resolve().parent / "templates" / "notifications"
MISSING_MARK = "\x00missing-variable:"
MISSING = MISSING_MARK + "%s\x00"
_MISSING_RE = re.compile(re.escape(MISSING_MARK) + r"([^\x00]*)\x00")
EMAIL_PARTS = ("subject.txt", "html", "txt")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sendsay_draft_id: str = ""


@dataclass(frozen=True)
class Preview:
    """A preview: the rendered message, or the error that would stop it from being sent."""

    rendered: Rendered | None
    error: str = ""


@cache
def _engine(autoescape: bool) -> Engine:
    loaders = [("django.template.loaders.cached.Loader",
                ["django.template.loaders.filesystem.Loader"])]
    return Engine(dirs=[str(TEMPLATE_ROOT)], loaders=loaders, autoescape=autoescape,
                  string_if_invalid=MISSING, debug=False)


@lru_cache(maxsize=1024)
def _compiled(source: str, autoescape: bool):
    """Override sources compile once per process (keyed by their text)."""
    return _engine(autoescape).from_string(source)


def template_name(event: str, role: str, channel: str, variant: str, language: str,
                  part: str) -> str:
    suffix = f".{variant}" if variant else ""
    return f"{language}/{event.replace('.', '_')}/{role}/{channel}{suffix}.{part}"


def _languages(language: str) -> list[str]:
    return list(dict.fromkeys([language, settings.LANGUAGE_CODE, "en"]))


def _file_template(event, role, channel, variant, language, part, *, autoescape: bool):
    """The compiled default file, trying the variant, then no variant, then other languages."""
    engine = _engine(autoescape)
    for lang in _languages(language):
        for var in dict.fromkeys([variant, ""]):
            name = template_name(event, role, channel, var, lang, part)
            try:
                return engine.get_template(name)
            except TemplateDoesNotExist:
                continue
    raise TemplateMissingError(
        f"no template for {event}/{role}/{channel}{'.' + variant if variant else ''} "
        f"[{language}] ({part})"
    )


def default_source(event: str, role: str, channel: str, variant: str, language: str) -> dict:
    """The shipped default files' text per part ('' where none), to start an override from."""
    parts = EMAIL_PARTS if channel == Channel.EMAIL else ("txt",)
    result = {}
    for part in parts:
        path = TEMPLATE_ROOT / template_name(event, role, channel, variant, language, part)
        result[part] = path.read_text(encoding="utf-8") if path.is_file() else ""
    return result


class OverrideIndex:
    """Active overrides of some events, loaded with one query, looked up without more."""

    def __init__(self, events: Iterable[str] | None = None) -> None:
        rows = TemplateOverride.objects.filter(active=True)
        if events is not None:
            rows = rows.filter(event__in=set(events))
        self._rows = {
            (o.event, o.role, o.channel, o.variant, o.language, o.storefront_id): o for o in rows
        }

    def find(self, event, role, channel, variant, language, storefront_id):
        for scope in dict.fromkeys([storefront_id, None]):
            found = self._rows.get((event, role, channel, variant, language, scope))
            if found is not None:
                return found
        return None


def _run(template, context: Mapping[str, Any], name: str) -> str:
    output = template.render(Context(dict(context), autoescape=template.engine.autoescape))
    missing = _MISSING_RE.search(output)
    if missing:
        raise MissingVariableError(missing.group(1), name)
    return output


def _part(override_text, key, part, *, autoescape, context) -> str:
    """Render one part from the override's text if it has one, else from the default file."""
    if override_text:
        template = _compiled(override_text, autoescape)
        name = f"override {template_name(*key, part)}"
    else:
        template = _file_template(*key, part, autoescape=autoescape)
        name = template.origin.template_name if template.origin else part
    return _run(template, context, name)


def html_to_text(markup: str) -> str:
    text = html_lib.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</tr>|</h\d>", "\n", markup)))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render(
    event: str, role: str, channel: str, variant: str, language: str,
    storefront_id: int | None, payload: Mapping[str, Any], *,
    extras: Mapping[str, Any] | None = None, overrides: OverrideIndex | None = None,
    override: TemplateOverride | None = None,
) -> Rendered:
    """Render one message.

    Sources, first found wins: the storefront's active `TemplateOverride`, the all-storefront
    one, then the default files `templates/notifications/<lang>/<event_with_underscores>/
    <role>/<channel>[.<variant>].{subject.txt,html,txt}` (the variant-less file as a safety
    net) in `language`, then LANGUAGE_CODE, then English. The context is ONLY the payload plus
    `extras` (recipient, site_url; unsubscribe_url / preferences_url for marketing): no ORM
    access from templates. HTML is autoescaped, text is not; a missing variable raises
    `MissingVariableError` naming it, never renders as a blank. `overrides` is a preloaded
    index (a batch renders many messages with one query); `override` forces one (unsaved)
    override, as the admin's preview does. Raises `TemplateMissingError`,
    `MissingVariableError` or `TemplateError` (bad syntax)."""
    if override is None:
        index = overrides if overrides is not None else OverrideIndex([event])
        override = index.find(event, role, channel, variant, language, storefront_id)
    context = {**payload, **(extras or {})}
    key = (event, role, channel, variant, language)
    draft = override.sendsay_draft_id if override is not None else ""
    try:
        if channel != Channel.EMAIL:
            text = _part(override and override.text, key, "txt", autoescape=False,
                         context=context)
            return Rendered(subject="", text=text.strip(), html="", sendsay_draft_id=draft)
        return _email(override, key, context, draft)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc}") from exc


def _email(override, key, context, draft) -> Rendered:
    o_subject = override.subject if override is not None else ""
    o_html = override.html if override is not None else ""
    o_text = override.text if override is not None else ""
    subject = _part(o_subject, key, "subject.txt", autoescape=False, context=context)
    html = _part(o_html, key, "html", autoescape=True, context=context)
    if o_html and not o_text:
        text = html_to_text(html)
    else:
        text = _part(o_text, key, "txt", autoescape=False, context=context)
    return Rendered(subject=" ".join(subject.split()), text=text.strip(), html=html.strip(),
                    sendsay_draft_id=draft)


def preview(
    event: str, role: str, channel: str, variant: str, language: str,
    storefront_id: int | None, payload: Mapping[str, Any], *,
    extras: Mapping[str, Any] | None = None, override: TemplateOverride | None = None,
) -> Preview:
    """Like `render`, but a template problem comes back as `Preview.error` (for the admin)."""
    try:
        rendered = render(event, role, channel, variant, language, storefront_id, payload,
                          extras=extras, override=override)
    except TemplateError as exc:
        return Preview(rendered=None, error=str(exc))
    return Preview(rendered=rendered)
