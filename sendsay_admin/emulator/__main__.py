"""Command line: `python -m sendsay_admin.emulator --port 8001 --account demo:demo-api-key`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys

from ..gc_pacing import fewer_collections  # stdlib only, as the emulator
from .server import EmulatorServer
from .state import TARIFFS


def _account(text: str) -> tuple[str, str, str | None]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise argparse.ArgumentTypeError("use LOGIN:APIKEY or LOGIN:APIKEY:TARIFF")
    if len(parts) == 3 and parts[2] not in TARIFFS:
        raise argparse.ArgumentTypeError(f"tariff must be one of {', '.join(TARIFFS)}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sendsay_admin.emulator",
        description="A local Sendsay API emulator (in-memory; see /_inspect/page).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--account",
        action="append",
        type=_account,
        default=[],
        metavar="LOGIN:APIKEY[:TARIFF]",
        help="repeatable",
    )
    parser.add_argument(
        "--tariff",
        choices=TARIFFS,
        default="free",
        help="plan of accounts that do not name one (default: free)",
    )
    parser.add_argument(
        "--redirect-first",
        metavar="PREFIX",
        default=None,
        help='answer each login\'s first call with {"REDIRECT": PREFIX}',
    )
    parser.add_argument(
        "--track-step",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="a track advances one stage per poll or per SECONDS (0: polls only)",
    )
    parser.add_argument(
        "--sender",
        action="append",
        default=[],
        metavar="EMAIL",
        help="a sender address already confirmed on every account; repeatable",
    )
    args = parser.parse_args(argv)
    if args.redirect_first and not args.redirect_first.startswith("/"):
        parser.error("--redirect-first must be a path like /clu1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    accounts = [(login, key, tariff or args.tariff) for login, key, tariff in args.account]
    server = EmulatorServer(
        accounts,
        host=args.host,
        port=args.port,
        redirect_first=args.redirect_first,
        track_step_seconds=args.track_step,
        senders=args.sender,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logins = ", ".join(login for login, _key, _tariff in accounts) or "none"
    print(
        f"sendsay-emulator listening on http://{args.host}:{args.port} (accounts: {logins}; "
        f"inspect: http://{args.host}:{args.port}/_inspect/page)",
        flush=True,
    )
    # Fewer collections: an import of 5,000 rows makes some 100,000 short-lived containers, and
    # a collection of the older generations walks every member the state holds.
    with contextlib.suppress(KeyboardInterrupt), fewer_collections():
        server.serve_forever()


if __name__ == "__main__":
    main()
