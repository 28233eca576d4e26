"""Sinergi intake: accepts reports from every channel, opens cases, protects the people in them."""

SERVICE = "intake"
