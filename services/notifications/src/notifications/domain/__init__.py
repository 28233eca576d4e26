"""Notifications domain: pure rules about who is told what, and when to try again. No I/O."""
