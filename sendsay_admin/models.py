"""Sendsay connection models (accounts, field mapping, senders) are added by the connection issue."""
