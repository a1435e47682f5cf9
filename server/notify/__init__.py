"""Notifications: subscriptions, the outbox planner, templates, the sender (apprise) and its doorbell."""
