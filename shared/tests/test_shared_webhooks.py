import pytest

from shared.webhooks import SignatureError, sign, verify

BODY = b'{"event_type":"referral.created"}'


def test_a_signature_verifies_over_the_raw_body() -> None:
    header = sign("s3cret-s3cret-s3cret", BODY, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify("s3cret-s3cret-s3cret", header, BODY, now=1_700_000_010) == 1_700_000_000


@pytest.mark.parametrize(
    ("secret", "body", "now", "reason"),
    [
        ("another-secret-xx", BODY, 1_700_000_000, "no v1 signature"),
        ("s3cret-s3cret-s3cret", BODY + b" ", 1_700_000_000, "no v1 signature"),
        ("s3cret-s3cret-s3cret", BODY, 1_700_000_000 + 301, "tolerance"),
    ],
)
def test_wrong_secret_changed_body_or_replay_is_refused(secret: str, body: bytes, now: int, reason: str) -> None:
    header = sign("s3cret-s3cret-s3cret", BODY, timestamp=1_700_000_000)
    with pytest.raises(SignatureError, match=reason):
        verify(secret, header, body, now=now)


def test_a_header_without_timestamp_is_refused() -> None:
    with pytest.raises(SignatureError, match="timestamp"):
        verify("s", "v1=abc", BODY)
