"""A local Sendsay API emulator: pure-Python WSGI, stdlib only, in-memory, strict.

Run it with `python -m sendsay_admin.emulator --port N --account LOGIN:APIKEY`, or in tests with
`EmulatorServer({"login": "key"}, port=0).start()` (`.url`, `.api_url(login)`, `.state`,
`.stop()`). `make_app(state)` gives the bare WSGI callable. Modules: `server` (threaded
HTTP/1.1 server, TCP_NODELAY), `app` (routing, encodings, auth, REDIRECT, faults, envelope),
`state` (accounts, one lock), `records` (dataclasses), `actions/` (one module per area, a
registry), `control` (`/_control/<command>`), `inspection` (`/_inspect`, `/_inspect/page`).

Facts it follows (marked [R]/[C] in ../../shared/reference/sendsay-api.md): the endpoint
`/general/api/v100/json/<login>` with a JSON body and the legacy form encoding
(`apiversion=100&json=1&request=...&request.id=...`) on `/`; the key in
`Authorization: sendsay apikey=KEY` or body `apikey`; `error/auth/failed` + `wrong_credentials`;
`{"REDIRECT": "/cluN"}` and the same request re-sent under that prefix; the error envelope
`{"errors": [{"id", "explain"}]}` and the common fields `request.id` (echo or `fake-<UUID>`),
`duration`, `_ehid`; `ping` without auth; `pong` fields; the `sys.settings.get` keys; 200
contacts on the free plan; member.set `datakey` triples and modes, legacy `obj`,
`newbie.confirm`, `return_fresh_obj`; permanent member ids; `member.exists` -> `{"list":
{addr: 1|0}}`; member.import formats and `auto_group`; group.create/list/get/clean parameters;
the base (read-only) and custom anketas and question types; `issue.emailsender.set` with
`obj.name`/`label`, free-mail domains refused, `error/sender/unknown|onmoderation|prohibited`,
`error/draft/emptyfromemail`; issue.send forms (personal + email, masssending + users.list,
group + draft.id) and its reply; track statuses (negative = final); stat.uni select/filter and
the issue.* fields; sequence.member.start/stop; the ssec event table and transaction rules.

Guesses [I] (each module's docstring lists its own): `too_many_auth_parameters` as the explain
of `error/auth/failed`; API errors as HTTP 200; REDIRECT on a login's first call only (the
control command `redirect` also offers always/loop); the emulator's own error ids
(`error/params/missing|invalid`, `error/action/unknown`, `error/request/json`,
`error/member/not_found|exists|limit_exceeded|already_confirmed`, `error/group/not_found|exists|
wrong_type`, `error/anketa/not_found|readonly`, `error/anketa/quest/not_found|exists`,
`error/draft/not_found`, `error/track/not_found`, `error/stat/field_unknown`,
`error/ssec/invalid`, `error/emulator/unsupported` for things the real API may do but the
emulator does not); the free limit read as uploads; if_exists `must`; reply shapes of member.set
(fresh), member.get, group.create/get, anketa.quest.add, issue.emailsender.*, issue.draft.*,
track.get results of an import, stat.uni rows and the ssec endpoint; track pacing 0 -> 2 -> -1;
the base anketa field list; non-email channel keys; unconfirmed/unknown recipients recorded
rather than refused; `batch` taking `do`. Sessions, `login` and passwords are not emulated.
"""

from .app import make_app
from .server import EmulatorServer
from .state import EmulatorState

__all__ = ["EmulatorServer", "EmulatorState", "make_app"]
