"""Intake's domain: pure rules about reports and cases, no I/O."""
