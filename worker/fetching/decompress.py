"""Content-Encoding decoding with a cap on the decoded size, enforced while inflating.

httpx inflates each network chunk in full (a 64 KB chunk of a gzip bomb becomes about 64 MB
before the caller can count it). Here every ``decompress`` call is given ``max_length``, so no
more than the cap is ever held in memory. We advertise gzip and deflate only; anything else a
server sends unasked is refused.
"""

from __future__ import annotations

import zlib

from worker.errors import PermanentFetchError

ACCEPT_ENCODING = "gzip, deflate"
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # auto-detects a gzip or a zlib header


class TooLargeError(PermanentFetchError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"response larger than the cap of {limit} bytes", reason="too_large")


class CappedDecoder:
    """Feeds raw body chunks in, returns decoded bytes; raises TooLargeError past ``limit``,
    or with ``truncate`` returns no more than ``limit`` bytes in all and sets ``full``."""

    def __init__(self, content_encoding: str | None, limit: int, *, truncate: bool = False) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise PermanentFetchError(
                f"unsupported Content-Encoding {content_encoding!r}", reason="bad_encoding"
            )
        self.coding = codings[0] if codings else None
        self.limit = limit
        self.truncate = truncate
        self.full = False
        # the encoded stream ended and bytes other than a next gzip member followed: the rest
        # of the body is ignored (and need not be read)
        self.ended = False
        self.size = 0
        self._inflater: zlib._Decompress | None = None
        if self.coding is not None:
            self._inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
        self._raw_deflate_tried = False

    def feed(self, chunk: bytes) -> bytes:
        if self.ended:
            return b""
        if self._inflater is None:
            return self._count(chunk)
        out = bytearray()
        # an inflater at its end would keep every further byte as "unused data", unbounded
        data = self._next_member(chunk) if self._inflater.eof else chunk
        while data:
            try:
                piece = self._inflater.decompress(data, self.limit - self.size + 1)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._raw_deflate_tried and not self.size:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise PermanentFetchError(
                    f"corrupt {self.coding} body: {exc}", reason="bad_encoding"
                ) from exc
            out += self._count(piece)
            if self.full:
                break
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                data = self._next_member(self._inflater.unused_data)
        return bytes(out)

    def _next_member(self, data: bytes) -> bytes:
        """What follows the end of the stream: a next gzip member (a new inflater for it), or
        trailing bytes, ignored as browsers do (``ended``)."""
        if not data:
            return b""
        if self.coding == "deflate" or not b"\x1f\x8b".startswith(data[:2]):
            self.ended = True
            return b""
        self._inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
        return data

    def finish(self) -> bytes:
        if self._inflater is None or self.full or self.ended:
            return b""
        return self._count(self._inflater.flush())

    def _count(self, piece: bytes) -> bytes:
        room = self.limit - self.size
        if len(piece) > room:
            if not self.truncate:
                raise TooLargeError(self.limit)
            piece = piece[:room]
            self.full = True
        self.size += len(piece)
        return piece
