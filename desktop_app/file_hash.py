"""A file's SHA-256, computed once per version of the file in this process.

The GUI hashes a dropped document for its audit entry and the worker hashes it again for the
result: the second time is a lookup. A version is the file's identity and change stamps (device,
inode, size, modification and change times): a file rewritten in place is hashed again. Only
hashes are kept in memory, never written anywhere.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict

REMEMBERED = 256  # hashes kept, most recent first out last
_lock = threading.Lock()  # one hash at a time: a second asker of the same file waits and gets the first's answer
_known: OrderedDict[tuple, str] = OrderedDict()


def file_version(path: str | os.PathLike) -> tuple:
    """What tells one version of a file from another (raises OSError when it is gone)."""
    info = os.stat(path)
    return (os.path.realpath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def file_sha256(path: str | os.PathLike) -> str:
    """The hex digest of the file's bytes. Raises OSError when it cannot be read."""
    with _lock:
        version = file_version(path)
        known = _known.get(version)
        if known is not None:
            _known.move_to_end(version)
            return known
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if file_version(path) == version:  # not changed while it was read: safe to reuse
            _known[version] = digest.hexdigest()
            while len(_known) > REMEMBERED:
                _known.popitem(last=False)
        return digest.hexdigest()
