"""Sinergi routing service."""
