"""`chains_advance`: send the due steps of every chain, hand Sendsay chains over, stop them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

import notifications
from chains import registry
from chains.models import ChainEnrolment, ChainStep, FinishReason
from notifications.events import event_spec
from notifications.exceptions import NotificationError

from .enrolment import _exit_codes, enrolments_exit
from .sendsay import enrolment_handover, module_active_for, sendsay_stops

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_BATCHES = 50
#: A Sendsay hand-over claimed by one run is not picked again by another for this long.
HANDOVER_LEASE = timedelta(minutes=10)


@dataclass
class AdvanceReport:
    """What one run did, in counts."""

    sent: int = 0
    completed: int = 0
    exited: int = 0
    handed_over: int = 0
    stopped: int = 0
    errors: int = 0


def chains_advance(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> AdvanceReport:
    """Advance every chain by what is due at `now` (beat runs it every minute).

    1. Every active enrolment whose exit condition holds is finished (one UPDATE).
    2. Due enrolments are claimed in batches (`select_for_update(skip_locked)`: two runs never
       share one), loaded with the exit condition evaluated in the same query (so it is checked
       right BEFORE each step), and per enrolment: the next letter is emitted with occurrence
       `chain:<enrolment>:<step>` (running twice sends once), the step after it scheduled, or
       the enrolment finished as completed. A chain handed to Sendsay is leased instead and,
       after the batch commits, handed over (`sequence.member.start` or the ssec event); with
       the Sendsay module off it runs its local steps.
    3. Enrolments that left a Sendsay-run chain are stopped there (`sequence.member.stop`).
    Emit errors finish that enrolment as ERROR with the reason; Sendsay errors are retried
    with backoff (see `services.sendsay`)."""
    now = now or timezone.now()
    report = AdvanceReport(exited=enrolments_exit(now=now))
    handovers: list[int] = []
    for _ in range(MAX_BATCHES):
        with transaction.atomic():
            batch = _due_batch(now, batch_size)
            handovers += _batch_advance(batch, now, report)
        if len(batch) < batch_size:
            break
    for enrolment_id in handovers:
        if enrolment_handover(enrolment_id=enrolment_id, now=now):
            report.handed_over += 1
    report.stopped = sendsay_stops(now=now)
    logger.info("chains advanced: %s", report)
    return report


def _claim(now: datetime, batch_size: int) -> list[int]:
    due = ChainEnrolment.objects.filter(
        finished_at__isnull=True, next_run_at__lte=now, chain__active=True
    ).order_by("next_run_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        of = ("self",) if connection.features.has_select_for_update_of else ()
        due = due.select_for_update(skip_locked=True, of=of)
    return list(due.values_list("pk", flat=True)[:batch_size])


def _due_batch(now: datetime, batch_size: int) -> list[ChainEnrolment]:
    """The claimed due enrolments with chain and recipient, `exited` computed in SQL."""
    ids = _claim(now, batch_size)
    if not ids:
        return []
    return list(
        ChainEnrolment.objects.filter(pk__in=ids)
        .annotate(exited=registry.exit_expression(_exit_codes()))
        .select_related("chain", "company__storefront", "user__buyer_profile__storefront")
        .order_by("next_run_at", "pk")
    )


def _steps(chain_ids: set[int]) -> dict[int, list[ChainStep]]:
    steps: dict[int, list[ChainStep]] = defaultdict(list)
    for step in ChainStep.objects.filter(chain_id__in=chain_ids).order_by("chain_id", "position"):
        steps[step.chain_id].append(step)
    return steps


def _batch_advance(batch: list[ChainEnrolment], now: datetime, report) -> list[int]:
    """Advance one claimed batch; return the ids leased for a Sendsay hand-over."""
    exited = [e.pk for e in batch if e.exited]
    if exited:
        report.exited += ChainEnrolment.objects.filter(pk__in=exited).update(
            finished_at=now, finish_reason=FinishReason.EXIT, next_run_at=None, attempts=0)
    steps = _steps({e.chain_id for e in batch})
    sendsay_on: dict[int | None, bool] = {}
    handovers = []
    for enrolment in (e for e in batch if not e.exited):
        if enrolment.chain.hands_over and module_active_for(enrolment, sendsay_on):
            enrolment.next_run_at = now + HANDOVER_LEASE
            enrolment.save(update_fields=["next_run_at"])
            handovers.append(enrolment.pk)
        elif not _first_step_early(enrolment, steps[enrolment.chain_id], now):
            _step_send(enrolment, steps[enrolment.chain_id], now, report)
    return handovers


def _first_step_early(enrolment: ChainEnrolment, steps: list[ChainStep], now: datetime) -> bool:
    """A Sendsay chain running here (module off) is due at once; its first local letter still
    waits its delay after the enrolment: reschedule it and say so."""
    if not steps or enrolment.next_step > steps[0].position:
        return False
    due = enrolment.enrolled_at + steps[0].delay
    if due <= now:
        return False
    enrolment.next_run_at = due
    enrolment.save(update_fields=["next_run_at"])
    return True


def _finish(enrolment: ChainEnrolment, reason: str, now: datetime, error: str = "") -> None:
    enrolment.finished_at, enrolment.finish_reason = now, reason
    enrolment.next_run_at, enrolment.last_error = None, error[:2000]


def _step_send(enrolment: ChainEnrolment, steps: list[ChainStep], now: datetime, report) -> None:
    """Emit the enrolment's next letter and schedule the one after it (or finish)."""
    pending = [step for step in steps if step.position >= enrolment.next_step]
    if not pending:
        _finish(enrolment, FinishReason.COMPLETED, now)
        report.completed += 1
    else:
        step = pending[0]
        try:
            with transaction.atomic():
                letter_emit(enrolment=enrolment, step=step, number=steps.index(step) + 1,
                            total=len(steps))
        except NotificationError as exc:
            logger.warning("chains: enrolment %s step %s failed: %s", enrolment.pk, step.pk, exc)
            _finish(enrolment, FinishReason.ERROR, now, error=str(exc))
            report.errors += 1
        else:
            report.sent += 1
            enrolment.next_step = step.position + 1
            if len(pending) > 1:
                enrolment.next_run_at = now + pending[1].delay
            else:
                _finish(enrolment, FinishReason.COMPLETED, now)
                report.completed += 1
    enrolment.save(update_fields=["next_step", "next_run_at", "finished_at", "finish_reason",
                                  "last_error"])


def letter_emit(*, enrolment: ChainEnrolment, step: ChainStep, number: int, total: int) -> list:
    """Emit one chain letter to the enrolment's recipient (occurrence `chain:<id>:<step>`).

    The payload carries `subject` (the step's override, else the chain's; empty means the
    letters' shared default subject) and `step` ({number, total}); the letter is the step's
    variant of its event. Raises the engine's `NotificationError` on a bad event or ref."""
    spec = event_spec(step.event)
    params = {"subject": step.subject or enrolment.chain.subject,
              "step": {"number": number, "total": total}}
    if spec.variant_ref:
        params[spec.variant_ref] = step.variant
    recipient = ({"company_id": enrolment.company_id} if enrolment.company_id
                 else {"user_id": enrolment.user_id})
    return notifications.emit(step.event, occurrence=f"chain:{enrolment.pk}:{step.pk}",
                              **recipient, **params)
