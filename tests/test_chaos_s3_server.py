"""The chaos suite's S3 server (moto with an indexed ListObjectsV2) answers as stock moto does: the same listings,
page by page, for random keys, prefixes, delimiters, start-after and page sizes, after puts and deletes, in a
plain and a versioned bucket; and it keeps the conditional puts Tansu relies on. Both servers run as processes."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sinergi_local import processes

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


def _serve(name: str, module: str, run_dir: Path) -> Any:
    port = processes.free_port()
    pid = processes.start(name, [sys.executable, "-m", module, "-H", "127.0.0.1", "-p", str(port)], run_dir=run_dir)
    processes.wait_for_port(port, timeout=30, name=name, pid=pid, log=run_dir / "logs" / f"{name}.log")
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", **CREDENTIALS)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    run_dir = tmp_path_factory.mktemp("s3")
    try:
        yield _serve("stock-moto", "moto.server", run_dir), _serve("indexed-moto", "sinergi_local.chaos.s3_server",
                                                                   run_dir)
    finally:
        for name in ("stock-moto", "indexed-moto"):
            processes.stop(name, run_dir=run_dir)


def _listing(client: Any, bucket: str, **query: Any) -> list[tuple[list[str], list[str], bool]]:
    """Every page: its keys, its common prefixes, whether it said it was truncated."""
    pages, token = [], None
    while True:
        page = client.list_objects_v2(Bucket=bucket, **query, **({"ContinuationToken": token} if token else {}))
        pages.append(([item["Key"] for item in page.get("Contents", [])],
                      [item["Prefix"] for item in page.get("CommonPrefixes", [])], page["IsTruncated"]))
        if not page["IsTruncated"] or len(pages) > 200:
            return pages
        token = page["NextContinuationToken"]


@pytest.mark.parametrize("versioned", [False, True], ids=["plain", "versioned"])
def test_listings_are_stock_moto_s(servers: tuple[Any, Any], versioned: bool) -> None:
    rng = random.Random(7)
    bucket = f"listing-{'versioned' if versioned else 'plain'}"
    for client in servers:
        client.create_bucket(Bucket=bucket)
        if versioned:
            client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    names: list[str] = []
    for _ in range(150):
        if names and rng.random() < 0.2:
            name = names.pop(rng.randrange(len(names)))
            for client in servers:
                client.delete_object(Bucket=bucket, Key=name)
        else:
            name = "".join(rng.choice("ab/.x") for _ in range(rng.randint(1, 6)))
            names.append(name)
            for client in servers:
                client.put_object(Bucket=bucket, Key=name, Body=b"v")
    stock, indexed = servers
    for _ in range(60):
        query = {key: value for key, value in {
            "Prefix": rng.choice([None, "a", "a/", "b/", "ab", "/", "x"]),
            "Delimiter": rng.choice([None, None, "/", ".", "b"]),
            "StartAfter": rng.choice([None, None, "a", "a/", "a/b", "b", "ab/"]),
            "MaxKeys": rng.choice([1, 2, 3, 5, 1000]),
        }.items() if value is not None}
        assert _listing(indexed, bucket, **query) == _listing(stock, bucket, **query), query


def test_conditional_puts_are_kept(servers: tuple[Any, Any]) -> None:
    _, indexed = servers
    indexed.create_bucket(Bucket="conditional")
    first = indexed.put_object(Bucket="conditional", Key="watermark.json", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError, match="PreconditionFailed"):
        indexed.put_object(Bucket="conditional", Key="watermark.json", Body=b"2", IfNoneMatch="*")
    second = indexed.put_object(Bucket="conditional", Key="watermark.json", Body=b"2", IfMatch=first["ETag"])
    with pytest.raises(ClientError, match="PreconditionFailed"):
        indexed.put_object(Bucket="conditional", Key="watermark.json", Body=b"3", IfMatch=first["ETag"])
    assert second["ETag"] != first["ETag"]
    assert indexed.get_object(Bucket="conditional", Key="watermark.json")["Body"].read() == b"2"



@pytest.mark.parametrize("body", ["<Error><RequestId>placeholder</RequestId></Error>", "<ListBucketResult/>", b"\x00"])
def test_answers_get_their_request_id_as_moto_gives_it(body: str | bytes) -> None:
    # The indexed server skips moto's rewrite of <RequestId> where a body has none; where it has one, it is done.
    from sinergi_local.chaos.s3_server import enrich_response

    headers, enriched = enrich_response({"status": "200"}, body)
    request_id = headers["x-amzn-requestid"]
    assert (headers["status"], len(request_id)) == ("200", 52)
    expected = body.replace("placeholder", request_id) if isinstance(body, str) else body
    assert enriched == expected
