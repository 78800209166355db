"""Celery task of the chain engine: beat runs `chains_advance` every minute."""

from __future__ import annotations

from celery import shared_task

from .services import chains_advance as advance


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def chains_advance() -> None:
    """Send due chain letters, hand over / stop Sendsay chains (see the service)."""
    advance()
