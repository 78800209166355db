"""Sync to Sendsay: profile fields (member.set) and e-commerce events (ssec) through an outbox.

`record.sync_record` is called by `notifications.emit` inside the business transaction and
writes `SyncItem` rows; `flush.sync_flush` (beat, every few seconds) hands due rows to workers
in batches and takes back lost ones; `deliver.sync_deliver` claims and sends them. `rules` is
the pure table of what each marketplace event means for Sendsay.
"""
