"""Chains of messages (onboarding, training ...), seller milestones and the warehouse flow."""
