"""Sinergi routing: refers each reported case to the right agency's queue (an agency, never a person)."""

SERVICE = "routing"
