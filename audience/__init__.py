"""Audience: segments of buyers, sellers and administrators built from marketplace data."""
