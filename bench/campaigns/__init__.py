"""Campaign e-mails per second to a real SMTP sink through the resumable SMTP job (issue 6 §5).

`python -m bench.campaigns --recipients 20000` seeds that many buyers into a PostgreSQL
database of its own (`bench_campaigns`, created when missing; `--database-url` for another),
starts an SMTP sink in a separate process, then measures, each run in a fresh process:

* unthrottled: a campaign to every buyer; the job (claim, cursor batches, render, one SMTP
  connection, one UPDATE per message) runs in-process, as one Celery task run would, with no
  time slice; listing the recipients (streamed INSERT ... SELECT) is timed separately;
* throttled: a campaign to `--throttle-recipients` buyers of a second storefront at
  `--throttle-rate` messages/s; the sink's arrival times give the achieved rate.

Medians of `--repeat` runs; the sink verifies every address arrived exactly once. The load
average before each run is recorded: the machine is shared.
"""
