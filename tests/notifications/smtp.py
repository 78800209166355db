"""A real SMTP server that refuses every recipient with a given reply code."""

from contextlib import contextmanager

from aiosmtpd.controller import Controller

from sendsay_admin.devtools.smtp_sink import free_port


class _Refuse:
    def __init__(self, code: int) -> None:
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"{self.code} {'mailbox unavailable' if self.code >= 500 else 'try again later'}"


@contextmanager
def refusing_server(code: int):
    port = free_port()
    controller = Controller(_Refuse(code), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
