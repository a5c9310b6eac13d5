"""Checksums as a backup's manifest records them: the size and sha256 of a stream, read in chunks."""

import hashlib

CHUNK = 1024 * 1024


def sha256_of(stream):
    """(size, sha256 hex digest) of what is left to read in the binary `stream`."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()
