"""Sinergi reporting service."""
