"""Sync to Sendsay: profile fields (member.set) and e-commerce events (ssec) through an outbox.

`record.sync_record` is called by `notifications.emit` inside the business transaction and
writes `SyncItem` rows; `deliver.sync_deliver` claims and sends them; `flush.sync_flush` (beat)
takes back lost rows and hands due ones to workers. `rules` is the pure table of what each
marketplace event means for Sendsay.
"""
