"""Routing's domain: the agency directory and the rules that refer a case to agencies. Pure, no I/O."""
