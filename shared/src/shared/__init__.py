"""What Sinergi's services share, and nothing else: event contracts, messaging, telemetry, settings and
database helpers."""
