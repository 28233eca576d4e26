"""Sinergi reporting: case statistics for regional action plans (RAD), built only from events."""

SERVICE = "reporting"
