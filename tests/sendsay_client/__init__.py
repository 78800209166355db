"""Unit tests of the pure Sendsay client (HTTP mocked with `responses`; no database)."""
