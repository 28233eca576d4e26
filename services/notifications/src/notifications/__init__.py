"""Sinergi notifications: agencies subscribe to the case events that concern them and are told reliably, by
signed webhooks retried from the database until they acknowledge."""

SERVICE = "notifications"
