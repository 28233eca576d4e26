"""Sinergi notifications service."""
