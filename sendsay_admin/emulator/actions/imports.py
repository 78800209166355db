"""member.import: parse `users.list` at once, apply the rows when the track finishes.

Formats [C]: `{"caption": [{"datakey": "member.email", "mode": "set"}, ...], "rows": [[...]]}`,
or CSV text whose first row is the header (`;`, `,` or tab separated). A URL is accepted and the
job then fails with `manage/member/import/probe/cant_get_url` (the emulator fetches nothing).
[I] the track result: `obj.result` = {total, ok, created, updated, skipped, failed,
skipped_limit} and `obj.errors` = [{row, email, id, explain}] (first 100). Rows over the free
plan's upload limit fail with `error/member/limit_exceeded` and count in `skipped_limit`.
[I] an empty cell of a `set` column clears that path of an existing member, like an empty
`set` in member.set (`datakey`); empty cells of other modes are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..errors import ApiError, invalid, missing, unsupported
from ..state import Account
from . import datakey, groups, members
from .common import ADDR_TYPES, Context, addr_type_of, choice, flag, normalize_address

IF_EXISTS = ("overwrite", "update", "ignore", "error", "must")
MAX_ERRORS = 100


def parse_users_list(raw: object) -> tuple[list[tuple[str, str]], list[list[object]]]:
    """Return (columns as (datakey, mode), rows). Columns are checked, rows are not."""
    if isinstance(raw, dict):
        caption, rows = raw.get("caption"), raw.get("rows")
        if not isinstance(caption, list) or not caption:
            raise missing("users.list.caption")
        if not isinstance(rows, list):
            raise missing("users.list.rows")
        columns = []
        for index, item in enumerate(caption):
            if not isinstance(item, dict) or not isinstance(item.get("datakey"), str):
                raise invalid(f"users.list.caption[{index}]", "must be {datakey, mode}")
            columns.append((item["datakey"], item.get("mode", "set")))
    elif isinstance(raw, str):
        columns, rows = _parse_csv(raw)
    else:
        raise invalid("users.list", "must be CSV text, a URL or {caption, rows}")
    _check_columns(columns)
    return columns, rows


def _parse_csv(text: str) -> tuple[list[tuple[str, str]], list[list[object]]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise missing("users.list")
    header = lines[0]
    delimiter = next((d for d in (";", "\t", ",") if d in header), ";")
    table = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    return [(name.strip(), "set") for name in table[0]], table[1:]


def _check_columns(columns: list[tuple[str, str]]) -> None:
    names = [name for name, _mode in columns]
    if "member.email" not in names:
        raise invalid("users.list", "the header/caption needs a member.email column")
    for name, mode in columns:
        if name.startswith("member.") and name not in ("member.email", "member.addr_type"):
            raise unsupported(f"import column {name}")
        if mode not in datakey.MODES:
            raise invalid("users.list.caption", f"mode {mode!r} of {name}")


def member_import(ctx: Context, params: dict) -> dict:
    raw = params.get("users.list")
    if raw in (None, "", {}):
        raise missing("users.list")
    options = {
        "addr_type": addr_type_of(params),
        "if_exists": choice(params, "if_exists", IF_EXISTS, "overwrite"),
        "confirm_needed": flag(params, "newbie.confirm"),
        "group": _auto_group(ctx.acc, params.get("auto_group")),
        "clean_group": flag(params, "clean_group"),
    }
    acc = ctx.acc
    if isinstance(raw, str) and raw.strip().lower().startswith(("http://", "https://", "ftp://")):

        def job() -> dict:
            raise ApiError("manage/member/import/probe/cant_get_url", raw)
    else:
        columns, rows = parse_users_list(raw)

        def job() -> dict:
            return run_import(acc, columns, rows, **options)

    return {"track.id": acc.new_track("member.import", job=job).id}


def _auto_group(account: Account, raw: object) -> str | None:
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, dict) or not raw.get("id"):
        raise invalid("auto_group", 'must be {"id": "<list id>"}')
    datakey.check_list_group(account, str(raw["id"]))
    return str(raw["id"])


def run_import(
    account: Account,
    columns: list[tuple[str, str]],
    rows: list,
    *,
    addr_type: str,
    if_exists: str,
    confirm_needed: bool,
    group: str | None,
    clean_group: bool,
) -> dict:
    """Apply every row; one bad row never stops the others. The caption is read and the
    datakey checks not depending on a value are made once for all the rows."""
    if group is not None:
        datakey.check_list_group(account, group)
        if clean_group:
            for member in list(account.members.values()):
                groups.leave(member, group)
    counts = dict.fromkeys(
        ("total", "ok", "created", "updated", "skipped", "failed", "skipped_limit"), 0
    )
    errors: list[dict] = []
    caption, checker = _Caption.of(columns), datakey.Checker(account)
    for number, row in enumerate(rows, start=1):
        counts["total"] += 1
        try:
            outcome = _import_row(
                account,
                caption,
                row,
                addr_type=addr_type,
                if_exists=if_exists,
                confirm_needed=confirm_needed,
                group=group,
                checker=checker,
            )
        except ApiError as exc:
            counts["failed"] += 1
            if exc.error_id == "error/member/limit_exceeded":
                counts["skipped_limit"] += 1
            if len(errors) < MAX_ERRORS:
                errors.append(
                    {"row": number, "email": _cell(columns, row, "member.email"), **exc.as_dict()}
                )
            continue
        counts[outcome] += 1
        counts["ok"] += outcome != "skipped"
    return {"result": counts, "errors": errors}


def _cell(columns: list[tuple[str, str]], row: object, name: str) -> object:
    names = [column for column, _mode in columns]
    if isinstance(row, list) and len(row) == len(columns):
        return row[names.index(name)]
    return None


@dataclass(frozen=True)
class _Caption:
    """An import's columns as each row reads them: the cells of the address and its type (the
    last column of that name) and the data columns (cell, path, mode)."""

    size: int
    email: int
    addr_type: int | None
    data: tuple[tuple[int, str, str], ...]

    @classmethod
    def of(cls, columns: list[tuple[str, str]]) -> _Caption:
        last = {name: index for index, (name, _mode) in enumerate(columns)}
        data = tuple(
            (index, name, mode)
            for index, (name, mode) in enumerate(columns)
            if not name.startswith("member.")
        )
        return cls(len(columns), last["member.email"], last.get("member.addr_type"), data)


def _import_row(
    account: Account,
    caption: _Caption,
    row: object,
    *,
    addr_type: str,
    if_exists: str,
    confirm_needed: bool,
    group: str | None,
    checker: datakey.Checker,
) -> str:
    if not isinstance(row, list) or len(row) != caption.size:
        raise ApiError("error/import/row_length", f"expected {caption.size} cells")
    row_type = (row[caption.addr_type] if caption.addr_type is not None else None) or addr_type
    if row_type not in ADDR_TYPES:
        raise invalid("member.addr_type", str(row_type))
    key = (row_type, normalize_address(row[caption.email], row_type, "member.email"))
    exists = key in account.members
    if exists and if_exists == "ignore":
        return "skipped"
    triples = [
        (name, mode, row[index])
        for index, name, mode in caption.data
        if row[index] not in (None, "") or (exists and mode == "set")  # clears an existing one
    ]
    if group is not None:
        triples.append((f"-group.{group}", "set", 1))
    members.upsert(
        account,
        key,
        if_exists="update" if if_exists == "ignore" else if_exists,
        confirm_needed=confirm_needed,
        triples=triples,
        checker=checker,
    )
    return "updated" if exists else "created"


ACTIONS = {"member.import": member_import}
