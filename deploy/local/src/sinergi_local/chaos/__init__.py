"""The chaos suite (issue 8): N reports submitted while every service is SIGKILLed and restarted at random
moments, PostgreSQL restarted once and the broker restarted once (Tansu on its persistent ``s3://`` storage,
backed by moto's S3 server); then every accepted report is checked against the truth. The definitions of
lost, duplicated and redelivered are in README.md, "Chaos".

``python -m sinergi_local.chaos --reports N`` (``make chaos``); ``driver.run`` in-process.
"""
