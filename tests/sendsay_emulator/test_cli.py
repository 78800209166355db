"""The command line starts a real server; the WSGI app is valid for any WSGI server."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import requests

from sendsay_admin.emulator import EmulatorState, make_app

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_serves_and_answers_ping():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sendsay_admin.emulator",
            "--port",
            str(port),
            "--account",
            "a:b",
            "--sender",
            "news@shop.example",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}/general/api/v100/json/a"
        deadline = time.monotonic() + 15
        while True:
            try:
                reply = requests.post(url, json={"action": "ping"}, timeout=2).json()
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.05)
        assert "pong" in reply
        senders = requests.post(
            url, json={"action": "issue.emailsender.list", "apikey": "b"}, timeout=2
        ).json()["list"]
        assert senders[0]["email"] == "news@shop.example" and senders[0]["confirmed"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "listening on" in process.stdout.read()


def test_make_app_is_a_valid_wsgi_application():
    state = EmulatorState()
    state.add_account("a", "b")
    app = validator(make_app(state))
    body = json.dumps({"action": "pong", "apikey": "b"}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/general/api/v100/json/a",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        return lambda data: None

    result = app(environ, start_response)
    payload = b"".join(result)
    result.close()
    assert seen["status"] == "200 OK"
    assert json.loads(payload)["account"] == "a"
