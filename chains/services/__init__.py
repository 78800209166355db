"""Services of the chain engine, the seller milestones and the warehouse flow."""

from .advance import AdvanceReport, chains_advance, letter_emit
from .enrolment import chains_trigger, enrolments_cancel, enrolments_exit, recipient_exits_apply
from .milestones import milestones_record
from .sendsay import enrolment_handover, sendsay_stops
from .warehouse import (
    labels_ready_announce,
    stock_check_request,
    stock_checks_for_placement,
    stock_confirmed_announce,
)

__all__ = [
    "AdvanceReport",
    "chains_advance",
    "chains_trigger",
    "enrolment_handover",
    "enrolments_cancel",
    "enrolments_exit",
    "labels_ready_announce",
    "letter_emit",
    "milestones_record",
    "recipient_exits_apply",
    "sendsay_stops",
    "stock_check_request",
    "stock_checks_for_placement",
    "stock_confirmed_announce",
]
