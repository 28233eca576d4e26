"""Reporting's domain: what a case contributes to statistics and how statistics may be asked for; no I/O."""
