"""The member data tree: `datakey` triples [path, mode, value], legacy `obj`, and reads by path.

Paths are dotted (`base.firstName`, `custom.q1`, `-group.pl1`). Writes are checked before they
are applied: `-group.<id>` must name an existing list group, `base.*`/`custom.*` an existing
question with a value of its type (strict [I]), and `ssec` values are e-commerce events.
`set` with an empty value ("" or null) clears the path: it reads as never set [I: no source in
sendsay-api.md says how a value is removed; `set` itself is [R]].
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from ..errors import ApiError, invalid
from ..state import Account
from . import anketas

#: [R] set, push, merge; [R] unshift (2024 release notes); delete [I].
MODES = ("set", "push", "merge", "unshift", "delete")
#: Value types `apply` stores without a copy (immutable).
ATOMIC = frozenset({str, int, float, bool, type(None)})


def parse(raw: object, name: str = "datakey") -> list[tuple[str, str, object]]:
    """Validate the shape of a `datakey` write list."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid(name, "must be a list of [path, mode, value] triples")
    triples = []
    for index, item in enumerate(raw):
        if not isinstance(item, list) or len(item) not in (2, 3):
            raise invalid(f"{name}[{index}]", "must be [path, mode, value]")
        path, mode = item[0], item[1]
        value = item[2] if len(item) == 3 else None
        if not isinstance(path, str) or not path or path.startswith(".") or path.endswith("."):
            raise invalid(f"{name}[{index}]", f"bad path {path!r}")
        if mode not in MODES:
            raise invalid(f"{name}[{index}]", f"mode {mode!r} is not one of {', '.join(MODES)}")
        if len(item) == 2 and mode != "delete":
            raise invalid(f"{name}[{index}]", "a value is required")
        triples.append((path, mode, value))
    return triples


def check(account: Account, triples: list[tuple[str, str, object]]) -> None:
    """Refuse writes to unknown groups or questions before anything changes."""
    Checker(account)(triples)


class Checker:
    """`check` with the work that does not depend on the value done once per (path, mode):
    an import checks its rows with one, as nothing changes the groups or questions while it
    runs (the state's lock is held)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.checks: dict[tuple[str, str], Callable[[object], None]] = {}

    def __call__(self, triples: Iterable[tuple[str, str, object]]) -> None:
        checks = self.checks
        for path, mode, value in triples:
            check = checks.get((path, mode))
            if check is None:
                check = checks[(path, mode)] = _checker(self.account, path, mode)
            check(value)


def _checker(account: Account, path: str, mode: str) -> Callable[[object], None]:
    parts = path.split(".")
    if parts[0] == "-group":
        if len(parts) > 1:
            return _once(lambda: check_list_group(account, parts[1]))

        def groups_object(value: object) -> None:
            if mode != "delete" and not isinstance(value, dict):
                raise invalid(path, "must be an object {group id: 1|0}")
            for gid in list(value or {}):
                check_list_group(account, gid)

        return groups_object
    if parts[0] not in ("base", "custom") or mode == "delete":
        return _accept
    if len(parts) == 1:

        def answers_object(value: object) -> None:
            if not isinstance(value, dict):
                raise invalid(path, "must be an object of answers")
            for quest_id, answer in value.items():
                anketas.check_answer(account, parts[0], quest_id, answer)

        return answers_object
    if len(parts) == 2 and mode == "set":
        return anketas.answer_checker(account, parts[0], parts[1])
    return _once(lambda: anketas.find_quest(account, parts[0], parts[1]))


def _accept(_value: object) -> None:
    return None


def _once(check: Callable[[], object]) -> Callable[[object], None]:
    """A check that does not read the value: run now; when it passes every value passes,
    else each call raises its error again."""
    try:
        check()
    except ApiError:
        return lambda _value: check()
    return _accept


def check_list_group(account: Account, gid: str) -> None:
    group = account.groups.get(gid)
    if group is None:
        raise ApiError("error/group/not_found", gid)
    if group.type != "list":
        raise ApiError("error/group/wrong_type", f"{gid} is a {group.type}, not a list")


def apply(tree: dict, path: str, mode: str, value: object) -> None:
    *parents, leaf = path.split(".")
    # An empty `set` clears the path [I], see the module docstring.
    removing = mode == "delete" or (mode == "set" and value in (None, ""))
    node = tree
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            if removing:
                return
            child = node[part] = {}
        node = child
    if type(value) is list and all(type(item) in ATOMIC for item in value):
        value = list(value)  # what deepcopy makes of it, without its memo (answer codes)
    elif type(value) not in ATOMIC:  # deepcopy returns these themselves
        value = copy.deepcopy(value)
    if removing:
        node.pop(leaf, None)
    elif mode == "set":
        node[leaf] = value
    elif mode == "merge":
        if not isinstance(value, dict):
            raise invalid(path, "merge needs an object value")
        current = node.get(leaf)
        node[leaf] = deep_merge(current if isinstance(current, dict) else {}, value)
    else:  # push / unshift: a list value adds its items [I]
        current = node.get(leaf)
        items = current if isinstance(current, list) else [] if current is None else [current]
        added = value if isinstance(value, list) else [value]
        node[leaf] = items + added if mode == "push" else added + items


def deep_merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def apply_obj(tree: dict, obj: dict, *, overwrite: bool) -> None:
    """Legacy АВО `obj`: overwrite replaces each named anketa, update merges into it [I]."""
    for key, value in obj.items():
        if overwrite or not isinstance(value, dict):
            tree[key] = copy.deepcopy(value)
        else:
            current = tree.get(key)
            tree[key] = deep_merge(current if isinstance(current, dict) else {}, value)


def obj_triples(obj: object) -> list[tuple[str, str, object]]:
    """An `obj` checked the same way as datakey writes of its top-level keys."""
    if not isinstance(obj, dict):
        raise invalid("obj", "must be an object")
    return [(key, "set", value) for key, value in obj.items()]


def normalize_groups(tree: dict) -> None:
    """Membership flags: 0 / "0" / empty mean "not a member" and are dropped."""
    groups = tree.get("-group")
    if isinstance(groups, dict):
        tree["-group"] = {gid: 1 for gid, flag in groups.items() if flag not in (0, "0", "", None)}
        if not tree["-group"]:
            del tree["-group"]


def read(tree: dict, path: str) -> tuple[bool, object]:
    node: object = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, copy.deepcopy(node)


def select(tree: dict, wanted: object) -> dict:
    """`member.get` datakey: "*" for all, one path, or a list of paths; missing paths omitted."""
    if wanted in (None, "", []):
        return {}
    if wanted == "*":
        return copy.deepcopy(tree)
    paths = [wanted] if isinstance(wanted, str) else wanted
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise invalid("datakey", 'must be "*", a path or a list of paths')
    selected = {}
    for path in paths:
        found, value = read(tree, path)
        if found:
            selected[path] = value
    return selected
