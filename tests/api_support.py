"""Users in each role, API clients for them, and builders of upload files.

Import the fixtures into a test module: `from .api_support import *  # noqa: F403`.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.cache import cache
from PIL import Image as PILImage
from rest_framework.test import APIClient

ROLES = ("journalist", "reviewer", "admin")
WHO = ("anonymous", "nobody", *ROLES)

__all__ = ["ROLES", "WHO", "api", "fresh_throttles", "role_users"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def role_users(db):
    """One user per role (the groups `manage.py photodesk_roles` creates), and "nobody":
    signed in, no role."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from photodesk.roles import role_group

    call_command("photodesk_roles", stdout=io.StringIO())
    users = {"nobody": User.objects.create_user("nobody", password="pw-nobody")}
    for role in ROLES:
        user = User.objects.create_user(role, password=f"pw-{role}")
        user.groups.add(role_group(role))
        users[role] = user
    return users


@pytest.fixture
def api(role_users):
    """api(who) → an APIClient signed in as that role (token auth), or anonymous."""
    from rest_framework.authtoken.models import Token

    def client_for(who: str) -> APIClient:
        client = APIClient()
        if who != "anonymous":
            token, _ = Token.objects.get_or_create(user=role_users[who])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def encoded(fmt: str, size=(96, 64), color=(30, 120, 200), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, color).save(buffer, fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid 1-bit PNG of width x height zeros: a few hundred KB that would need
    width*height pixels of memory once decoded (a decompression bomb)."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height (above the pixel limit, below Pillow's bomb error) with
    almost no data: must be refused by its dimensions before anything is decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )
