"""Buyer journeys: confirmation, surveys, coupons and the detectors behind the time-based
buyer scenarios (abandoned cart, inactive buyer, birthday ...)."""
