"""Celery task of the journeys: one task runs one detector by name (beat passes the name)."""

from __future__ import annotations

import logging

from celery import shared_task

from .detectors import detector_run

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def run_detector(name: str) -> dict:
    """Run the journey detector `name` (a key of `journeys.detectors.DETECTORS`). Idempotent:
    a rerun after a crash sends only what the first run did not."""
    report = detector_run(name=name)
    return {"detector": report.detector, "enabled": report.enabled,
            "candidates": report.candidates, "sent": report.sent, "messages": report.messages,
            "failed": len(report.failed)}
