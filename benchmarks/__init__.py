"""``make bench``: the platform's speed and memory, each against a bare baseline run side by side on the same
machine in the same process tree (docs/benchmarks.md)."""
