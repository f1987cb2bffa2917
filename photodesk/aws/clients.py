"""boto3 clients made from the Photodesk settings, one per service and configuration.

botocore's own "standard" retry mode (AWS_BOTOCORE_MAX_ATTEMPTS) handles connection errors,
5xx and quick throttling retries inside one call; `calls.call` adds a slower exponential
backoff on throttling on top (a backfill that hits the account's TPS quota should wait, not
fail). Tests install stubbed clients with `override` (botocore Stubber), never our code.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from photodesk.conf import photodesk_settings

_lock = threading.Lock()
_clients: dict[tuple, Any] = {}
_overrides: dict[str, Any] = {}


def client(service: str) -> Any:
    """The boto3 client for `service` ("rekognition", "comprehend", "bedrock-runtime")."""
    if service in _overrides:
        return _overrides[service]
    region = photodesk_settings.AWS_REGION
    endpoint = (photodesk_settings.AWS_ENDPOINT_URLS or {}).get(service)
    attempts = photodesk_settings.AWS_BOTOCORE_MAX_ATTEMPTS
    timeout = photodesk_settings.AWS_TIMEOUT
    key = (service, region, endpoint, attempts, timeout)
    with _lock:
        made = _clients.get(key)
        if made is None:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "total_max_attempts": attempts},
                connect_timeout=timeout,
                read_timeout=timeout,
                user_agent_extra="photodesk",
            )
            # A session per client: boto3's default session is not thread-safe.
            made = boto3.session.Session().client(
                service, region_name=region, endpoint_url=endpoint, config=config
            )
            _clients[key] = made
    return made


@contextmanager
def override(service: str, replacement: Any) -> Iterator[Any]:
    """Use `replacement` (a stubbed client) for `service` inside the block."""
    previous = _overrides.get(service)
    _overrides[service] = replacement
    try:
        yield replacement
    finally:
        if previous is None:
            _overrides.pop(service, None)
        else:
            _overrides[service] = previous
