"""Browser tests reuse the emulator fixtures; the browser fixtures live in tests/browser_fixtures."""

from tests.sendsay_admin.conftest import Emulator, sendsay_emulator

__all__ = ["Emulator", "sendsay_emulator"]
