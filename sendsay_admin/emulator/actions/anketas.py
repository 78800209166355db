"""Anketas (profile questionnaires): the read-only `base` one, the empty `custom` one, and the
checks `member.set` runs on answers written to them.

[R] base is fixed and cannot be edited; custom starts empty; question types free, dt (with
dtsubtype ys|ym|yh|yd), 1m and nm (with an `answers` map) and int. [I] the exact base field list,
the gender answer codes and the reply shapes of `anketa.quest.add`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable

from ..errors import ApiError, invalid, missing
from ..state import Account
from .common import Context, require_str

QUEST_TYPES = ("free", "dt", "1m", "nm", "int")
DT_FORMATS = {
    "yd": "%Y-%m-%d",
    "yh": "%Y-%m-%d %H",
    "ym": "%Y-%m-%d %H:%M",
    "ys": "%Y-%m-%d %H:%M:%S",
}
#: `DT_FORMATS` with every field at its full width (what `_is_date` checks without strptime).
_DAY, _TWO = r"([0-9]{4})-([0-9]{2})-([0-9]{2})", r"([0-9]{2})"
DT_SHAPES = {
    "yd": re.compile(_DAY),
    "yh": re.compile(f"{_DAY} {_TWO}"),
    "ym": re.compile(f"{_DAY} {_TWO}:{_TWO}"),
    "ys": re.compile(f"{_DAY} {_TWO}:{_TWO}:{_TWO}"),
}
NAMES = {"base": "Базовая", "custom": "Дополнительная"}


def _free(qid: str, name: str) -> dict:
    return {"id": qid, "name": name, "type": "free", "width": 256}


BASE_QUESTS: dict[str, dict] = {
    "firstName": _free("firstName", "Имя"),
    "lastName": _free("lastName", "Фамилия"),
    "middleName": _free("middleName", "Отчество"),
    "name": _free("name", "Полное имя"),
    "gender": {
        "id": "gender",
        "name": "Пол",
        "type": "1m",
        "answers": {"1": "Мужской", "2": "Женский"},
    },
    "birthDate": {"id": "birthDate", "name": "Дата рождения", "type": "dt", "dtsubtype": "yd"},
    "phone": _free("phone", "Телефон"),
    "city": _free("city", "Город"),
    "region": _free("region", "Регион"),
    "country": _free("country", "Страна"),
    "address": _free("address", "Адрес"),
}


def quests_of(account: Account, anketa_id: str) -> dict[str, dict]:
    if anketa_id == "base":
        return BASE_QUESTS
    if anketa_id == "custom":
        return account.custom_quests
    raise ApiError("error/anketa/not_found", anketa_id)


def find_quest(account: Account, anketa_id: str, quest_id: str) -> dict:
    quest = quests_of(account, anketa_id).get(quest_id)
    if quest is None:
        raise ApiError("error/anketa/quest/not_found", f"{anketa_id}.{quest_id}")
    return quest


def check_answer(account: Account, anketa_id: str, quest_id: str, value: object) -> None:
    """Strict [I]: the value must fit the question's type."""
    answer_checker(account, anketa_id, quest_id)(value)


def answer_checker(account: Account, anketa_id: str, quest_id: str) -> Callable[[object], None]:
    """`check_answer` for one question, the question looked up once (an import checks a column
    of many rows with it). An unknown question gives a check that refuses every value."""
    try:
        quest = find_quest(account, anketa_id, quest_id)
    except ApiError:
        return lambda _value: find_quest(account, anketa_id, quest_id)  # raises again
    path, kind = f"{anketa_id}.{quest_id}", quest["type"]
    width, subtype, answers = (
        quest.get("width", 256),
        quest.get("dtsubtype", "yd"),
        quest.get("answers"),
    )

    def check(value: object) -> None:
        if value is None or value == "":
            return
        if kind == "free" and not (
            isinstance(value, str | int | float) and len(str(value)) <= width
        ):
            raise invalid(path, f"must be text of at most {width} characters")
        if kind == "int" and not _is_int(value):
            raise invalid(path, "must be an integer")
        if kind == "dt" and not _is_date(value, subtype):
            raise invalid(path, f"must be a date like {DT_FORMATS[subtype]}")
        if kind == "1m" and str(value) not in answers:
            raise invalid(path, f"must be one of the answer codes {sorted(answers)}")
        if kind == "nm":
            codes = value if isinstance(value, list) else [value]
            if any(str(code) not in answers for code in codes):
                raise invalid(path, f"answer codes must be among {sorted(answers)}")

    return check


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())


def _is_date(value: object, subtype: str) -> bool:
    text = str(value)
    # The usual shape (every field with all its digits) is checked without strptime, which
    # cost most of an import's time; anything else (one-digit fields...) goes to strptime.
    if match := DT_SHAPES[subtype].fullmatch(text):
        try:
            dt.datetime(*map(int, match.groups()))
        except ValueError:
            return False
        return True
    try:
        dt.datetime.strptime(text, DT_FORMATS[subtype])
    except ValueError:
        return False
    return True


def anketa_obj(account: Account, anketa_id: str) -> dict:
    quests = quests_of(account, anketa_id)
    return {
        "id": anketa_id,
        "param": {"name": NAMES[anketa_id]},
        "order": list(quests),
        "quests": copy.deepcopy(quests),
    }


def anketa_get(ctx: Context, params: dict) -> dict:
    return {"obj": anketa_obj(ctx.acc, require_str(params, "id"))}


def anketa_list(ctx: Context, params: dict) -> dict:
    return {"list": [{"id": key, "name": name} for key, name in NAMES.items()]}


def _new_quest(account: Account, raw: object) -> dict:
    if not isinstance(raw, dict):
        raise invalid("obj", "a question must be an object")
    name = require_str(raw, "name")
    kind = raw.get("type")
    if kind not in QUEST_TYPES:
        raise invalid("obj.type", f"{kind!r} is not one of {', '.join(QUEST_TYPES)}")
    qid = str(raw.get("id") or "")
    while not qid or (qid in account.custom_quests and not raw.get("id")):
        qid = f"q{account.next_id('quest')}"
    if qid in account.custom_quests:
        raise ApiError("error/anketa/quest/exists", f"custom.{qid}")
    quest: dict = {"id": qid, "name": name, "type": kind}
    if kind == "free":
        width = raw.get("width", 256)
        if not _is_int(width) or not 0 < int(width) <= 4096:
            raise invalid("obj.width", "must be an integer 1..4096")
        quest["width"] = int(width)
    elif kind == "dt":
        if raw.get("dtsubtype") not in DT_FORMATS:
            raise invalid("obj.dtsubtype", f"must be one of {', '.join(DT_FORMATS)}")
        quest["dtsubtype"] = raw["dtsubtype"]
    elif kind in ("1m", "nm"):
        answers = raw.get("answers")
        if not isinstance(answers, dict) or not answers:
            raise missing("obj.answers")
        quest["answers"] = {str(code): str(label) for code, label in answers.items()}
    return quest


def anketa_quest_add(ctx: Context, params: dict) -> dict:
    anketa_id = require_str(params, "anketa.id")
    quests_of(ctx.acc, anketa_id)
    if anketa_id == "base":
        raise ApiError("error/anketa/readonly", "the base anketa cannot be changed")
    raw = params.get("obj")
    if not raw:
        raise missing("obj")
    items = raw if isinstance(raw, list) else [raw]
    added: list[dict] = []
    for item in items:
        quest = _new_quest(ctx.acc, item)
        if any(q["id"] == quest["id"] for q in added):
            raise ApiError("error/anketa/quest/exists", f"custom.{quest['id']}")
        added.append(quest)
    for quest in added:
        ctx.acc.custom_quests[quest["id"]] = quest
    result = copy.deepcopy(added)
    return {"obj": result if isinstance(raw, list) else result[0]}


ACTIONS = {
    "anketa.get": anketa_get,
    "anketa.list": anketa_list,
    "anketa.quest.add": anketa_quest_add,
}
