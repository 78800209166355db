"""Django mail through `sendsay_admin.mail.EmailBackend`: Sendsay when active, SMTP otherwise."""

import base64

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives

from sendsay_admin.client import SendsayError
from sendsay_admin.mail import message_letter
from sendsay_admin.models import SenderAddress
from sendsay_admin.services import account_set_enabled

pytestmark = pytest.mark.django_db
SENDER = "hello@shop.example.ru"


@pytest.fixture
def backend(settings, smtp_sink):
    """Our backend, with Django's SMTP backend (to the real sink) as the fallback."""
    settings.EMAIL_BACKEND = "sendsay_admin.mail.EmailBackend"
    return smtp_sink


@pytest.fixture
def confirmed_sender(connected_account, sendsay_emulator):
    connected_account.refresh_from_db()
    sendsay_emulator.confirm_sender(SENDER)
    return SenderAddress.objects.create(email=SENDER, confirmed_in_sendsay=True)


def sends(emulator) -> list:
    return emulator.inspect()["sends"].get("email", [])


def test_module_off_sends_through_smtp(backend, sendsay_account, sendsay_emulator):
    SenderAddress.objects.create(email=SENDER, confirmed_in_sendsay=True)
    assert mail.send_mail("Reset", "Your link", SENDER, ["buyer@example.org"]) == 1
    backend.wait_for(1)
    assert backend.messages[0].subject == "Reset"
    assert backend.messages[0].rcpt_tos == ["buyer@example.org"]
    assert sends(sendsay_emulator) == []


def test_module_on_and_sender_confirmed_sends_through_sendsay(backend, confirmed_sender,
                                                              sendsay_emulator):
    assert mail.send_mail("Reset", "Your link", f"Shop <{SENDER}>",
                          ["buyer@example.org"], html_message="<p>Your link</p>") == 1
    [send] = sends(sendsay_emulator)
    assert send["group"] == "personal"
    assert send["recipients"][0]["email"] == "buyer@example.org"
    assert send["letter"]["subject"] == "Reset"
    assert send["letter"]["from.email"] == SENDER
    assert send["letter"]["from.name"] == "Shop"
    assert send["letter"]["message"] == {"html": "<p>Your link</p>", "text": "Your link"}
    assert backend.messages == []


def test_unconfirmed_sender_goes_through_smtp(backend, connected_account, sendsay_emulator):
    SenderAddress.objects.create(email=SENDER, confirmed_in_sendsay=False)
    mail.send_mail("Hi", "Body", SENDER, ["buyer@example.org"])
    backend.wait_for(1)
    assert sends(sendsay_emulator) == []


def test_module_disabled_goes_through_smtp(backend, confirmed_sender, connected_account,
                                           sendsay_emulator):
    account_set_enabled(account=connected_account, enabled=False)
    mail.send_mail("Hi", "Body", SENDER, ["buyer@example.org"])
    backend.wait_for(1)
    assert sends(sendsay_emulator) == []


def test_temporary_sendsay_failure_falls_back_to_smtp(backend, confirmed_sender,
                                                      sendsay_emulator):
    sendsay_emulator.control("fault", mode="http", status=503, action="issue.send", count=1)
    assert mail.send_mail("Hi", "Body", SENDER, ["buyer@example.org"]) == 1
    backend.wait_for(1)
    assert sends(sendsay_emulator) == []


def test_permanent_sendsay_error_is_raised_and_recorded(backend, confirmed_sender,
                                                        connected_account, sendsay_emulator):
    sendsay_emulator.control("fault", mode="error", action="issue.send",
                             error_id="error/sender/prohibited", explain="no", count=2)
    with pytest.raises(SendsayError, match="error/sender/prohibited"):
        mail.send_mail("Hi", "Body", SENDER, ["buyer@example.org"])
    assert connected_account.errors.get().error_id == "error/sender/prohibited"
    assert mail.send_mail("Hi", "Body", SENDER, ["b@example.org"], fail_silently=True) == 0
    assert backend.messages == []


def test_every_recipient_gets_a_personal_copy(backend, confirmed_sender, sendsay_emulator):
    EmailMessage("Hi", "Body", SENDER, ["a@example.org"], cc=["b@example.org"],
                 bcc=["c@example.org"]).send()
    emails = [s["recipients"][0]["email"] for s in sends(sendsay_emulator)]
    assert emails == ["a@example.org", "b@example.org", "c@example.org"]


def test_custom_headers_go_through_smtp_rather_than_being_lost(backend, confirmed_sender,
                                                               sendsay_emulator):
    EmailMessage("Hi", "Body", SENDER, ["a@example.org"], headers={"X-Campaign": "7"}).send()
    backend.wait_for(1)
    assert backend.messages[0].message["X-Campaign"] == "7"
    assert sends(sendsay_emulator) == []


def test_letter_carries_reply_to_html_and_attachments():
    message = EmailMultiAlternatives("Subj", "Text", "Shop <s@shop.example>", ["a@b.example"],
                                     reply_to=["Support <help@shop.example>"])
    message.attach_alternative("<b>Html</b>", "text/html")
    message.attach("note.txt", "hello", "text/plain")
    letter = message_letter(message)
    assert letter["message"] == {"html": "<b>Html</b>", "text": "Text"}
    assert (letter["reply.email"], letter["reply.name"]) == ("help@shop.example", "Support")
    [attach] = letter["attaches"]
    assert attach["name"] == "note.txt" and attach["mime-type"] == "text/plain"
    assert base64.b64decode(attach["content"]) == b"hello"
