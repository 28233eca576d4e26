"""The consumer settings the tests' services run with."""

from __future__ import annotations

# Tansu lets a consumer into a new group after half its session timeout, and into a group it was in before (a test
# starting an app that an earlier test stopped) only once the old member's session has expired: 3 s and 11 s at
# the 6 s the platform runs with. The tests' apps heartbeat often enough for a shorter one (1.5 s and about 4.5 s).
# A join not done in 30 s is tried again with a fresh member (shared.messaging.join_together). Tansu answers a
# waiting fetch only when its wait ends, so an idle consumer fetches 1000/wait times a second: at the services' 10
# ms, the two or three platforms and the in-process apps of a run kept about a core busy doing nothing; at 50 ms a
# hop waits a little longer and the machine works on the tests.
TEST_KAFKA_SETTINGS = {"KAFKA_SESSION_TIMEOUT_MS": "3000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
                       "KAFKA_GROUP_JOIN_TIMEOUT_SECONDS": "30", "KAFKA_FETCH_MAX_WAIT_MS": "50"}
