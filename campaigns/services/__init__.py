"""Services of campaigns: launch and state changes, the job run, Sendsay sends and statistics,
preview and test sends."""

from .job import Outcome, campaign_claim, campaign_release, recipients_recover
from .lifecycle import (
    campaign_enqueue,
    campaign_launch,
    campaign_pause,
    campaign_problems,
    campaign_resume,
    campaigns_dispatch_due,
)
from .materialise import recipients_materialise
from .preview import PreviewResult, campaign_preview, campaign_send_test
from .run import RunReport, campaign_run
from .sendsay import campaign_stats_refresh, recipients_skip_opted_out

__all__ = [
    "Outcome",
    "PreviewResult",
    "RunReport",
    "campaign_claim",
    "campaign_enqueue",
    "campaign_launch",
    "campaign_pause",
    "campaign_preview",
    "campaign_problems",
    "campaign_release",
    "campaign_resume",
    "campaign_run",
    "campaign_send_test",
    "campaign_stats_refresh",
    "campaigns_dispatch_due",
    "recipients_materialise",
    "recipients_recover",
    "recipients_skip_opted_out",
]
