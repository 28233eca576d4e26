"""Indonesia's districts (kecamatan) and villages (desa/kelurahan), by their Kemendagri codes.

There are about 7,300 districts and 84,000 villages, so they are kept small: a level's codes are one sorted
array of integers (``62.13.01.2003`` is ``6213012003``), eight bytes a code, looked up by bisection; the
children of a regency or district are a contiguous run in it. Names are only needed to show a region, so they are
read apart, on the first ask, into one UTF-8 string with an array of offsets (``SubRegionNames``).

The files ship with this package (in shared, so that every service reads the same list) as
``shared/regions/districts.csv.gz`` and ``villages.csv.gz``: comment lines naming the decree, the npm package they
were taken from, the sha256 of the lines that follow, and the licence, then the package's CSV byte for byte.
Reading a file checks that sha256 and that each code's parent column is its prefix, so nesting
can be answered from the code alone.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from io import BytesIO

REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$", re.ASCII)
DISTRICT_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$", re.ASCII)
VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", re.ASCII)

_SHA256_PREFIX = b"# sha256:"


@dataclass(frozen=True)
class Level:
    """How one level's file is laid out: its name, its code's shape and its CSV header."""

    resource: str
    pattern: re.Pattern[str]
    header: bytes
    parent: re.Pattern[str]  # the shape of the code of the level above
    width: int  # how many digits a code has


DISTRICTS = Level("districts.csv.gz", DISTRICT_CODE, b"code,regency_code,name", REGENCY_CODE, width=6)
VILLAGES = Level("villages.csv.gz", VILLAGE_CODE, b"code,district_code,name", DISTRICT_CODE, width=10)


def as_number(code: str) -> int:
    return int(code.replace(".", ""))


class SubRegionCodes:
    """The codes of one level, sorted, as integers."""

    def __init__(self, level: Level, codes: array[int], source: str) -> None:
        self.level = level
        self.source = source
        self._codes = codes

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str) or self.level.pattern.fullmatch(code) is None:
            return False
        return self._index(as_number(code)) is not None

    def __len__(self) -> int:
        return len(self._codes)

    def index_of(self, code: str) -> int | None:
        """Where ``code`` sits in the sorted codes, or None if it is not one."""
        if self.level.pattern.fullmatch(code) is None:
            return None
        return self._index(as_number(code))

    def under(self, parent_code: str) -> tuple[str, ...]:
        """The codes whose parent is ``parent_code`` (a regency for districts, a district for villages), sorted."""
        if self.level.parent.fullmatch(parent_code) is None:
            return ()
        digits = parent_code.replace(".", "")
        scale = 10 ** (self.level.width - len(digits))
        start = bisect_left(self._codes, int(digits) * scale)
        end = bisect_left(self._codes, (int(digits) + 1) * scale)
        return tuple(_dotted(self._codes[i], self.level) for i in range(start, end))

    def _index(self, number: int) -> int | None:
        index = bisect_left(self._codes, number)
        return index if index < len(self._codes) and self._codes[index] == number else None


class SubRegionNames:
    """The names of one level, in the order of its sorted codes: one string and the offsets into it."""

    def __init__(self, codes: SubRegionCodes, text: bytes, offsets: array[int]) -> None:
        self._codes = codes
        self._text = text
        self._offsets = offsets

    def name_of(self, code: str) -> str | None:
        index = self._codes.index_of(code)
        if index is None:
            return None
        return self._text[self._offsets[index] : self._offsets[index + 1]].decode()


def read_codes(level: Level, packed: bytes | None = None) -> SubRegionCodes:
    """A level's codes from its shipped file (or ``packed``, the bytes of such a file), checked as they are read
    (see ``_rows``)."""
    numbers: array[int] = array("q")
    rows = _rows(level, packed)
    source = next(rows)[1]
    for code, _ in rows:
        number = as_number(code)
        # The package lists each level sorted by code; relying on it keeps the load to one pass and one array.
        if numbers and number <= numbers[-1]:
            raise ValueError(f"{level.resource}: code {code} is out of order or appears twice")
        numbers.append(number)
    return SubRegionCodes(level, numbers, source)


def read_names(codes: SubRegionCodes) -> SubRegionNames:
    text = bytearray()  # UTF-8, a byte a letter for nearly every name (a str builder would take four)
    offsets: array[int] = array("I", [0])
    rows = _rows(codes.level)
    next(rows)
    for _, name in rows:  # in the order of the codes, which read_codes checked
        text += name.encode()
        offsets.append(len(text))
    return SubRegionNames(codes, bytes(text), offsets)


def _rows(level: Level, packed: bytes | None = None) -> Iterator[tuple[str, str]]:
    """First ``("", decree)``, then the file's rows as (code, name), streamed from the gzip file. After the last
    row it checks the lines against the sha256 the header records, and raises if they differ."""
    shipped = files("shared.regions") / level.resource
    with BytesIO(packed) if packed is not None else shipped.open("rb") as raw, gzip.GzipFile(fileobj=raw) as lines:
        comments = []
        line = lines.readline()
        while line.startswith(b"#"):
            comments.append(line.rstrip(b"\n"))
            line = lines.readline()
        yield "", _one(level, comments, b"# decree:").decode()
        recorded = _one(level, comments, _SHA256_PREFIX).decode()
        digest = hashlib.sha256(line)
        if line.rstrip(b"\n") != level.header:
            raise ValueError(f"{level.resource} must start with the header {level.header.decode()}")
        for line in lines:
            digest.update(line)
            yield _row(level, line.decode("utf-8").rstrip("\n"))
    if digest.hexdigest() != recorded:
        raise ValueError(f"{level.resource}: its lines do not match the sha256 its header records")


def _one(level: Level, comments: list[bytes], prefix: bytes) -> bytes:
    found = [line.removeprefix(prefix).strip() for line in comments if line.startswith(prefix)]
    if len(found) != 1 or not found[0]:
        raise ValueError(f"{level.resource} must have exactly one {prefix.decode()!r} line")
    return found[0]


def _row(level: Level, line: str) -> tuple[str, str]:
    # A few names hold a comma and are quoted ("Lubuk Pakam I,II"): only those go through the csv module.
    fields = next(csv.reader([line])) if '"' in line else line.split(",")
    if len(fields) != 3:
        raise ValueError(f"{level.resource}: row {line!r} does not have 3 fields")
    code, parent, name = fields
    if level.pattern.fullmatch(code) is None or code.rpartition(".")[0] != parent or not name:
        raise ValueError(f"{level.resource}: row {line!r} is not a code under its parent with a name")
    return code, name


def _dotted(number: int, level: Level) -> str:
    digits = f"{number:0{level.width}d}"
    return ".".join(digits[start:end] for start, end in ((0, 2), (2, 4), (4, 6), (6, level.width)) if start < end)


# Read on the first ask, not at import: a service that never sees a district or village code never pays for them.
@cache
def district_codes() -> SubRegionCodes:
    return read_codes(DISTRICTS)


@cache
def village_codes() -> SubRegionCodes:
    return read_codes(VILLAGES)


@cache
def district_names() -> SubRegionNames:
    return read_names(district_codes())


@cache
def village_names() -> SubRegionNames:
    return read_names(village_codes())
