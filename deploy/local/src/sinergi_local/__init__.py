"""Local infrastructure for Sinergi without Docker."""
