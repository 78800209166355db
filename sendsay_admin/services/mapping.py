"""Field mapping: Sendsay fields fetched live, mappings saved with type checks, custom fields
created in Sendsay, and the preview of a buyer as Sendsay would get it."""

from __future__ import annotations

from typing import Any

from sendsay_admin import fields as catalogue
from sendsay_admin.fields import MappingSpec, QuestType, SendsayField
from sendsay_admin.models import FieldMapping, SendsayAccount

from .accounts import errors_recorded
from .bridge import client_for_account
from .exceptions import MappingError
from .profiles import buyer_facts, dynamic_answers

ANKETAS = ("base", "custom")


def sendsay_fields_fetch(*, account: SendsayAccount) -> list[SendsayField]:
    """The questions of the base and custom anketas, live. Sendsay errors are recorded on the
    account and re-raised (`SendsayError`)."""
    result: list[SendsayField] = []
    with errors_recorded(account), client_for_account(account) as client:
        for anketa_id in ANKETAS:
            obj = client.anketa_get(anketa_id).get("obj") or {}
            result += catalogue.sendsay_fields_parse(anketa_id, obj)
    return result


def _field(role: str, code: str) -> catalogue.MarketplaceField:
    try:
        return catalogue.catalogue_get(role, code)
    except KeyError:
        raise MappingError(f"Unknown marketplace field {role}.{code}.") from None


def _dynamic(item: catalogue.MarketplaceField) -> dict[str, str] | None:
    return dynamic_answers(item.dynamic) if item.dynamic else None


def field_mapping_save(
    *, account: SendsayAccount, role: str, field_code: str, sendsay_path: str,
    sendsay_fields: list[SendsayField] | None = None,
) -> FieldMapping | None:
    """Map `role.field_code` to `sendsay_path` (blank: remove the mapping).

    Raises `MappingError` when the Sendsay field does not exist, its type does not fit or it is
    already used by another field of the role. `sendsay_fields` saves a second fetch.
    """
    item = _field(role, field_code)
    if not sendsay_path:
        FieldMapping.objects.filter(account=account, role=role, field_code=field_code).delete()
        return None
    available = sendsay_fields if sendsay_fields is not None else sendsay_fields_fetch(
        account=account)
    target = next((f for f in available if f.path == sendsay_path), None)
    if target is None:
        raise MappingError(f"Sendsay has no field {sendsay_path}.")
    problem = catalogue.mapping_problem(item, target, _dynamic(item))
    if problem:
        raise MappingError(problem)
    taken = FieldMapping.objects.filter(account=account, role=role, sendsay_path=sendsay_path)
    other = taken.exclude(field_code=field_code).first()
    if other is not None:
        raise MappingError(f"{sendsay_path} is already mapped to {role}.{other.field_code}.")
    answers = {}
    if target.type in (QuestType.ONE, QuestType.MANY):
        answers, _missing = catalogue.answer_map(item, target, _dynamic(item))
    mapping, _created = FieldMapping.objects.update_or_create(
        account=account, role=role, field_code=field_code,
        defaults={"sendsay_path": target.path, "sendsay_type": target.type,
                  "sendsay_subtype": target.dtsubtype, "answer_map": answers},
    )
    return mapping


def custom_field_create(
    *, account: SendsayAccount, code: str, name: str, type: str, dtsubtype: str = "ys",
    answers: dict[str, str] | None = None,
) -> SendsayField:
    """Add the question `custom.<code>` to Sendsay's custom anketa (anketa.quest.add).

    `dtsubtype` applies to dates, `answers` (code -> label) to choice types. Raises
    `MappingError` for a bad code, type or missing answers; `SendsayError` (recorded) when
    Sendsay refuses, for example `error/anketa/quest/exists`.
    """
    if not catalogue.QUEST_ID_RE.match(code or ""):
        raise MappingError("The field code must start with a letter and hold only Latin "
                           "letters, digits and underscores (at most 64).")
    if type not in set(QuestType):
        raise MappingError(f"Unknown Sendsay field type {type!r}.")
    if not (name or "").strip():
        raise MappingError("The field needs a name.")
    quest: dict[str, Any] = {"id": code, "name": name.strip(), "type": type}
    if type == QuestType.FREE:
        quest["width"] = 256
    elif type == QuestType.DT:
        quest["dtsubtype"] = dtsubtype if dtsubtype in catalogue.DT_FORMATS else "ys"
    elif type in (QuestType.ONE, QuestType.MANY):
        if not answers:
            raise MappingError("A choice field needs its answers.")
        quest["answers"] = dict(answers)
    with errors_recorded(account), client_for_account(account) as client:
        reply = client.anketa_quest_add("custom", quest)
    created = reply.get("obj") if isinstance(reply.get("obj"), dict) else quest
    return catalogue.sendsay_fields_parse("custom", {"quests": {code: {**quest, **created}}})[0]


def custom_field_create_for(
    *, account: SendsayAccount, role: str, field_code: str, code: str = ""
) -> FieldMapping:
    """Create a custom Sendsay field with the type of `role.field_code` and map it there."""
    item = _field(role, field_code)
    name = item.label if item.role == catalogue.BUYER else f"{item.label} ({item.role})"
    spec = catalogue.quest_spec(item, quest_id=code or catalogue.default_quest_id(item),
                                name=name, dynamic=_dynamic(item))
    target = custom_field_create(
        account=account, code=spec["id"], name=spec["name"], type=spec["type"],
        dtsubtype=spec.get("dtsubtype", "ys"), answers=spec.get("answers"),
    )
    mapping = field_mapping_save(account=account, role=role, field_code=field_code,
                                 sendsay_path=target.path, sendsay_fields=[target])
    assert mapping is not None
    return mapping


def mapping_specs(*, account: SendsayAccount, role: str) -> list[MappingSpec]:
    return [
        MappingSpec(m.field_code, m.sendsay_path, m.sendsay_type, m.sendsay_subtype,
                    m.answer_map or {})
        for m in FieldMapping.objects.filter(account=account, role=role)
    ]


def buyer_preview(*, account: SendsayAccount, user) -> list[list[Any]]:
    """The ``[path, "set", value]`` triples `user` would be sent to Sendsay with."""
    specs = mapping_specs(account=account, role=catalogue.BUYER)
    return catalogue.datakey_triples(catalogue.BUYER, buyer_facts(user), specs)
