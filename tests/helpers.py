"""Small builders for test images (real files, written to the test MEDIA_ROOT), the one
polling helper, and a free port."""

from __future__ import annotations

import io
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.files.base import ContentFile
from PIL import Image as PILImage

T = TypeVar("T")


def jpeg_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_image(data: bytes, name: str = "test.jpg", **fields):
    from cms_images.models import Image

    image = Image(original_filename=name, **fields)
    image.file.save(name, ContentFile(data), save=False)
    image.save()
    return image


def photo_bytes(path: Path) -> bytes:
    return Path(path).read_bytes()


def eventually(
    probe: Callable[[], T],
    *,
    timeout: float = 15.0,
    interval: float = 0.2,
    check: Callable[[], None] | None = None,
) -> T:
    """probe()'s first truthy value within `timeout` seconds, else its last value.

    For what another process does after it commits: the worker marks an analysis done in the
    database first and writes the search index right after (the index is derived). `check()`
    runs before each wait and raises to give up early (the worker died)."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        if check:
            check()
        time.sleep(interval)
        value = probe()
    return value


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (suites may run side by side)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# IPTC-IIM datasets (record 2) that tests embed: keywords and the caption.
IPTC_KEYWORD, IPTC_CAPTION = 0x19, 0x78


def jpeg_with_iptc(photo: Path, datasets: list[tuple[int, str]]) -> bytes:
    """A real JPEG of `photo` carrying IPTC-IIM datasets (Photoshop APP13, resource 0x0404),
    as agencies send them; a dataset holds at most 32,767 bytes."""
    iim = b"".join(
        b"\x1c\x02" + bytes([tag]) + struct.pack(">H", len(v.encode())) + v.encode()
        for tag, v in datasets
    )
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    resource += iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    buffer = io.BytesIO()
    with PILImage.open(photo) as img:
        img.save(buffer, "JPEG")
    data = buffer.getvalue()
    app13 = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app13 + data[2:]
