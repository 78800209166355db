"""Fixtures: one real emulator on a free port for the session, reset before every test."""

from __future__ import annotations

import pytest
import requests

from sendsay_admin.emulator import EmulatorServer

LOGIN, KEY = "acme", "key-acme"
PAID_LOGIN, PAID_KEY = "bigshop", "key-bigshop"
ACCOUNT_COMMANDS = {"confirm_sender", "confirm_member", "set_stats", "add_draft"}


class Api:
    """A keep-alive requests.Session talking to one account of the emulator."""

    def __init__(self, server: EmulatorServer, login: str, key: str) -> None:
        self.server, self.login, self.key = server, login, key
        self.session = requests.Session()
        self.url = server.api_url(login)

    def call(self, action: str, params: dict | None = None, **kwargs) -> dict:
        body = {"action": action, **(params or {}), **kwargs}
        response = self.session.post(
            self.url, json=body, headers={"Authorization": f"sendsay apikey={self.key}"}, timeout=10
        )
        assert response.status_code == 200, response.text
        return response.json()

    def ok(self, action: str, params: dict | None = None, **kwargs) -> dict:
        reply = self.call(action, params, **kwargs)
        assert "errors" not in reply, reply
        return reply

    def error(self, action: str, params: dict | None = None, **kwargs) -> dict:
        reply = self.call(action, params, **kwargs)
        assert "errors" in reply, reply
        return reply["errors"][0]

    def control(self, command: str, **body) -> dict:
        if command in ACCOUNT_COMMANDS:
            body.setdefault("login", self.login)
        response = self.session.post(f"{self.server.url}/_control/{command}", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def inspect(self) -> dict:
        return self.session.get(f"{self.server.url}/_inspect", timeout=10).json()

    def account(self) -> dict:
        return self.inspect()["accounts"][self.login]

    def wait_track(self, track_id: str, polls: int = 5) -> dict:
        for _ in range(polls):
            obj = self.ok("track.get", id=track_id)["obj"]
            if obj["status"] < 0:
                return obj
        raise AssertionError(f"track {track_id} did not finish: {obj}")

    def confirmed_sender(self, email: str = "news@shop.example") -> str:
        self.control("confirm_sender", login=self.login, email=email)
        return email


@pytest.fixture(scope="session")
def emulator_server():
    server = EmulatorServer(
        {LOGIN: KEY, PAID_LOGIN: {"apikey": PAID_KEY, "tariff": "paid"}},
        port=0,
        track_step_seconds=0,
    ).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    state = emulator_server.state
    state.reset()
    with state.lock:
        for login in list(state.accounts):
            if login not in (LOGIN, PAID_LOGIN):
                del state.accounts[login]
        state.redirect_prefix, state.redirect_mode = None, "off"
        state.track_step_seconds = 0
    return emulator_server


@pytest.fixture
def api(emulator):
    client = Api(emulator, LOGIN, KEY)
    yield client
    client.session.close()


@pytest.fixture
def paid_api(emulator):
    client = Api(emulator, PAID_LOGIN, PAID_KEY)
    yield client
    client.session.close()
