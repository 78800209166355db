"""The Field mapping page: marketplace fields, live Sendsay fields, type-checked saving, custom
field creation and the preview of one buyer as Sendsay would get it."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from marketplace.models import User
from sendsay_admin import fields as catalogue
from sendsay_admin.models import FieldMapping, MappingRole
from sendsay_admin.services import (
    MappingError,
    buyer_preview,
    custom_field_create,
    custom_field_create_for,
    field_mapping_save,
    sendsay_fields_fetch,
)
from sendsay_admin.services.profiles import dynamic_answers

from .common import account_get, back_to, page_context, reported
from .forms import CustomFieldForm


def _option(item, target, dynamic) -> dict:
    problem = catalogue.mapping_problem(item, target, dynamic)
    return {"path": target.path, "label": f"{target.path} — {target.name} ({target.type_label})",
            "problem": problem or ""}


def _rows(account, sendsay_fields) -> dict[str, list[dict]]:
    current = {(m.role, m.field_code): m for m in FieldMapping.objects.filter(account=account)}
    sections = {}
    for role, role_label in MappingRole.choices:
        rows = []
        for item in catalogue.catalogue_for(role):
            dynamic = dynamic_answers(item.dynamic) if item.dynamic else None
            mapping = current.get((role, item.code))
            options = [_option(item, target, dynamic) for target in sendsay_fields]
            if mapping and all(o["path"] != mapping.sendsay_path for o in options):
                options.append({"path": mapping.sendsay_path, "problem": "",
                                "label": f"{mapping.sendsay_path} (not found in Sendsay)"})
            rows.append({
                "item": item, "type_label": catalogue.QUEST_TYPE_LABELS[item.type],
                "name": f"map:{role}:{item.code}", "mapping": mapping, "options": options,
                "quest_path": f"custom.{catalogue.default_quest_id(item)}",
            })
        sections[str(role_label)] = rows
    return sections


def _preview(request: HttpRequest, account) -> dict:
    query = (request.GET.get("buyer") or "").strip()
    if not query:
        return {"query": ""}
    user = (User.objects.filter(buyer_profile__isnull=False)
            .filter(Q(email__iexact=query) | Q(username=query)).first())
    if user is None:
        return {"query": query, "error": f"No buyer with the e-mail or username {query!r}."}
    try:
        triples = buyer_preview(account=account, user=user)
    except MappingError as exc:
        return {"query": query, "error": str(exc)}
    return {"query": query, "user": user, "triples": triples}


def mapping_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    account = account_get(model_admin, request, object_id, change=request.method == "POST")
    sendsay_fields, fetched = [], False
    with reported(request):
        sendsay_fields, fetched = sendsay_fields_fetch(account=account), True
    if request.method == "POST" and fetched:
        _save(request, account, sendsay_fields)
        return back_to("mapping", account)
    context = page_context(model_admin, request, account, "Field mapping")
    context.update(sections=_rows(account, sendsay_fields), fetched=fetched,
                   preview=_preview(request, account), custom_form=CustomFieldForm())
    return TemplateResponse(request, "admin/sendsay_admin/mapping.html", context)


def _save(request: HttpRequest, account, sendsay_fields) -> None:
    current = {(m.role, m.field_code): m.sendsay_path
               for m in FieldMapping.objects.filter(account=account)}
    saved, failed = 0, 0
    # Removals first, so a Sendsay field can move from one marketplace field to another.
    keys = sorted((k for k in request.POST if k.startswith("map:")),
                  key=lambda k: bool(request.POST.get(k)))
    for key in keys:
        _prefix, role, code = [*key.split(":", 2), "", ""][:3]
        path = request.POST.get(key, "").strip()
        if current.get((role, code), "") == path:
            continue
        try:
            field_mapping_save(account=account, role=role, field_code=code,
                               sendsay_path=path, sendsay_fields=sendsay_fields)
            saved += 1
        except MappingError as exc:
            failed += 1
            messages.error(request, f"{role} field {code}: {exc}")
    if saved:
        messages.success(request, f"Saved {saved} field mapping(s).")
    elif not failed:
        messages.info(request, "Nothing changed.")


@require_POST
def create_field_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    """Either create the field for one marketplace field (``create=role:code``) and map it, or
    create the free-form custom field of `CustomFieldForm`."""
    account = account_get(model_admin, request, object_id, change=True)
    target = request.POST.get("create", "")
    with reported(request):
        if target:
            role, _sep, code = target.partition(":")
            mapping = custom_field_create_for(account=account, role=role, field_code=code)
            messages.success(request, f"Created {mapping.sendsay_path} in Sendsay and mapped "
                                      f"{role}.{code} to it.")
        else:
            form = CustomFieldForm(request.POST)
            if not form.is_valid():
                for field, errors in form.errors.items():
                    messages.error(request, f"{field}: {' '.join(errors)}")
                return back_to("mapping", account)
            created = custom_field_create(account=account, **form.cleaned_data)
            messages.success(request, f"Created {created.path} ({created.type_label}) in Sendsay.")
    return back_to("mapping", account)
