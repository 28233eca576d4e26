"""``python -m sinergi_local.chaos.s3_server -H HOST -p PORT``: moto's S3 server (moto_server's options) with
ListObjectsV2 made fast enough for Tansu's ``s3://`` storage, which lists a partition's record objects on every
fetch, one 1,000-key page after another, however many there are.

Stock moto 5.2.5 scans and sorts the whole bucket for each page and renders each page through its generic,
botocore-model serializer (which re-parses every key's timestamp with dateutil): about 0.35 s per page here,
so with a few thousand records per partition a fetch takes seconds and the platform falls behind. So:

- each bucket's key store also keeps its key names sorted, so a page is a ``bisect`` and a slice;
- ListObjectsV2 answers are written directly as the XML moto would send (same elements, order and tokens);
- the backend a request's host maps to is worked out once, not twice a request.

Everything else (conditional puts with If-None-Match / If-Match, ETags, gets, deletes, ListObjects v1) is moto's
own code, untouched."""

from __future__ import annotations

import bisect
import functools
import sys
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import moto.s3.models
import moto.server
from moto import settings
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import BaseResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.s3.exceptions import InvalidContinuationToken, MethodNotAllowed
from moto.s3.models import FakeBucket, FakeDeleteMarker, FakeKey, FakeTableStorageBucket, S3Backend
from moto.s3.responses import S3Response
from moto.s3.utils import _VersionedKeyStore

# moto answers fetch-owner=true with this fixed owner.
OWNER = ("<Owner><DisplayName>webfile</DisplayName>"
         "<ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>")


class IndexedKeyStore(_VersionedKeyStore):
    """moto's key store (a dict of key name -> versions) that also keeps its names sorted. These three methods are
    the only ways moto's S3 code adds or removes a name; the lock keeps dict and index in step across the server's
    request threads."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.lock = threading.Lock()

    def __setitem__(self, key: str, value: Any) -> None:
        with self.lock:
            if key not in self:
                bisect.insort(self.names, key)
            super().__setitem__(key, value)

    def setlist(self, key: Any, list_: Any) -> None:
        with self.lock:
            if key not in self:
                bisect.insort(self.names, key)
            super().setlist(key, list_)

    def pop(self, key: str) -> None:  # type: ignore[override]
        with self.lock:
            super().pop(key)
            index = bisect.bisect_left(self.names, key)
            if index < len(self.names) and self.names[index] == key:
                del self.names[index]

    def __delitem__(self, key: str) -> None:
        self.pop(key)

    def between(self, prefix: str, after: str | None) -> list[str]:
        """The names that start with ``prefix`` and sort after ``after``, in order (a snapshot)."""
        with self.lock:
            start = bisect.bisect_left(self.names, prefix)
            if after is not None:
                start = max(start, bisect.bisect_right(self.names, after))
            # Cutting every name to the prefix's length keeps them sorted, so bisect finds the prefix's end.
            end = bisect.bisect_right(self.names, prefix, start, key=_cut(len(prefix)))
            return self.names[start:end]


def _cut(length: int) -> Callable[[str], str]:
    return lambda name: name[:length]


def list_objects_v2(
    self: S3Backend, *, bucket: FakeBucket, prefix: str | None, delimiter: str | None,
    continuation_token: str | None, start_after: str | None, max_keys: int,
) -> tuple[list[FakeKey | str], bool, str | None]:
    """moto's S3Backend.list_objects_v2 (keys and common prefixes after the token, merged in name order; the same
    continuation tokens), reading only the page it returns plus one name from the sorted index."""
    if isinstance(bucket, FakeTableStorageBucket):
        raise MethodNotAllowed()
    keys = bucket.keys
    if not isinstance(keys, IndexedKeyStore):  # a bucket made before install(): moto's own way
        page, truncated, token = _moto_list_objects_v2(self, bucket, prefix, delimiter, continuation_token,
                                                       start_after, max_keys)
        return list(page), truncated, token
    prefix = prefix or ""
    after = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
    names = keys.between(prefix, after)
    results: list[FakeKey | str] = []
    index = 0
    # One more than a page tells _truncate_result whether the listing is truncated.
    while index < len(names) and len(results) <= max_keys:
        name = names[index]
        index += 1
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        if cut >= 0:
            folder = name[:cut + len(delimiter or "")]
            # The rest of this folder's keys come next: skip them. A folder at or before the token was listed.
            index = bisect.bisect_right(names, folder, index, key=_cut(len(folder)))
            if after is None or folder > after:
                results.append(folder)
            continue
        key = keys.get(name)
        if isinstance(key, FakeKey) and not isinstance(key, FakeDeleteMarker):
            results.append(key)
    page, truncated, token = self._truncate_result(results, max_keys)
    return page, truncated, token


def list_objects_v2_response(self: S3Response) -> TYPE_RESPONSE:
    """moto's S3Response.list_objects_v2 (the same query parameters and XML), without its serializer."""
    bucket = self.backend.get_bucket(self.bucket_name)
    continuation_token = self.querystring.get("continuation-token", [None])[0]
    if continuation_token == "":
        raise InvalidContinuationToken()
    prefix = self._get_querystring(self.request, self.uri).get("prefix", [None])[0]
    if isinstance(prefix, bytes):
        prefix = prefix.decode("utf-8")
    delimiter = self.querystring.get("delimiter", [None])[0]
    fetch_owner = self.querystring.get("fetch-owner", [False])[0]
    max_keys = int(self.querystring.get("max-keys", [settings.get_s3_default_max_keys()])[0])
    start_after = self.querystring.get("start-after", [None])[0]
    encoding_type = self.querystring.get("encoding-type", [None])[0]
    page, truncated, next_token = self.backend.list_objects_v2(
        bucket=bucket, prefix=prefix, delimiter=delimiter, continuation_token=continuation_token,
        start_after=start_after, max_keys=max_keys,
    )
    url = encoding_type == "url"
    xml = ['<?xml version="1.0" encoding="utf-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
           f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"]
    folders = []
    for item in page:
        if not isinstance(item, FakeKey):
            folders.append(urllib.parse.quote(item) if url else item)
            continue
        xml.append(f"<Contents>{_contents(item, encoding_type)}{OWNER if fetch_owner else ''}</Contents>")
    shown_prefix = (urllib.parse.quote(prefix) if url else prefix) if prefix else ""
    xml.append(f"<Name>{escape(bucket.name)}</Name><Prefix>{escape(shown_prefix)}</Prefix>")
    if delimiter:
        xml.append(f"<Delimiter>{escape(delimiter)}</Delimiter>")
    xml.append(f"<MaxKeys>{max_keys}</MaxKeys>")
    if delimiter:
        xml.extend(f"<CommonPrefixes><Prefix>{escape(folder)}</Prefix></CommonPrefixes>" for folder in folders)
    if encoding_type:
        xml.append(f"<EncodingType>{escape(encoding_type)}</EncodingType>")
    xml.append(f"<KeyCount>{len(page)}</KeyCount>")
    if next_token:
        xml.append(f"<NextContinuationToken>{next_token}</NextContinuationToken>")
    if not continuation_token and start_after:
        xml.append(f"<StartAfter>{escape(start_after)}</StartAfter>")
    xml.append("</ListBucketResult>")
    return 200, {"Content-Type": "application/xml"}, "".join(xml)


def _contents(key: FakeKey, encoding_type: str | None) -> str:
    """A key's fields in a listing, kept on the key while they stay the same: Tansu lists every record object again
    on every fetch, and formatting them (the timestamp most) is most of a page's cost."""
    stamp = (key.last_modified, key.etag, key.size, key.checksum_algorithm, key.storage_class, encoding_type)
    cached = vars(key).get("_listed")
    if cached is not None and cached[0] == stamp:
        return str(cached[1])
    fields = (f"<Key>{escape(key.safe_name(encoding_type))}</Key><LastModified>{key.last_modified_ISO8601}"
              f"</LastModified><ETag>{escape(key.etag)}</ETag>"
              + (f"<ChecksumAlgorithm>{key.checksum_algorithm}</ChecksumAlgorithm>" if key.checksum_algorithm else "")
              + f"<Size>{key.size}</Size><StorageClass>{key.storage_class}</StorageClass>")
    vars(key)["_listed"] = (stamp, fields)
    return fields


_moto_list_objects_v2 = S3Backend.list_objects_v2
_moto_enrich_response = BaseResponse._enrich_response


def enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    """moto's BaseResponse._enrich_response, which sets the request id header and rewrites ``<RequestId>`` in the
    body with a regular expression tried at every position of it, even when the body has none: 40% of the
    server's time under Tansu's listings (a page of 1,000 keys is about 250 kB). Here the regular expression runs
    only on a body that has the element."""
    if isinstance(body, str) and "<RequestId>" in body:
        return _moto_enrich_response(headers, body)
    return _moto_enrich_response(headers, b"")[0], body


def install() -> None:
    """Patch moto in this process; buckets made from now on get the indexed key store."""
    moto.s3.models._VersionedKeyStore = IndexedKeyStore  # type: ignore[attr-defined,assignment]  # read by FakeBucket()
    S3Backend.list_objects_v2 = list_objects_v2  # type: ignore[assignment,method-assign]
    S3Response.list_objects_v2 = list_objects_v2_response  # type: ignore[method-assign]
    BaseResponse._enrich_response = staticmethod(enrich_response)  # type: ignore[method-assign]
    # Which backend serves a host never changes, but moto works it out again for every request, under a lock,
    # stat-ing each of its ~90 service folders twice: a quarter of the server's time under Tansu's load.
    DomainDispatcherApplication.get_backend_for_host = functools.cache(  # type: ignore[method-assign]
        DomainDispatcherApplication.get_backend_for_host)


def main(argv: list[str] | None = None) -> None:
    install()
    moto.server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
