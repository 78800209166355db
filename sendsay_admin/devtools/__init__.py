"""Development helpers that stand in for real infrastructure (a local SMTP sink)."""
