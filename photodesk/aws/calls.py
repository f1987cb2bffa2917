"""One AWS request: charged to the run's budget, retried with exponential backoff while the
service throttles, and turned into a clear error when it is refused.

- Throttling (ThrottlingException, ProvisionedThroughputExceededException, …) and transient
  server errors: wait AWS_RETRY_BACKOFF seconds, doubling up to AWS_RETRY_MAX_BACKOFF, with
  jitter, up to AWS_MAX_ATTEMPTS requests; still throttled → `ProviderUnavailable`, which the
  task queue retries later.
- Refusals a retry cannot fix (access denied, invalid image, bad parameters) →
  `ProviderRefused`, an `AnalyzerError`: the pipeline records the analysis as failed with the
  message and keeps the image and its previous facts.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from photodesk.analysis.analyzers.base import AnalyzerError
from photodesk.aws import budget
from photodesk.conf import photodesk_settings

logger = logging.getLogger(__name__)

RETRYABLE = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "ProvisionedThroughputExceededException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalServerError",
        "InternalServerException",
        "ModelNotReadyException",
    }
)

HINTS = {
    "AccessDeniedException": "the AWS credentials in use are not allowed {iam}; see README, "
    "'Running on AWS', for the IAM permissions",
    "AccessDenied": "the AWS credentials in use are not allowed {iam}",
    "UnrecognizedClientException": "the AWS credentials are not valid",
    "InvalidS3ObjectException": "Rekognition cannot read the S3 object (bucket in another "
    "region, or no s3:GetObject for Rekognition)",
    "ImageTooLargeException": "the image is over Rekognition's size limit",
    "InvalidImageFormatException": "Rekognition accepts only JPEG and PNG",
}


class ProviderRefused(AnalyzerError):
    """AWS refused the request; retrying will not help until something is fixed."""


class ProviderUnavailable(RuntimeError):
    """AWS is throttling or unreachable after our retries; try again later."""


def api_name(client: Any, operation: str) -> str:
    return f"{client.meta.service_model.service_name}:{operation}"


def backoff_seconds(attempt: int) -> float:
    """Pause before retry `attempt` (1-based): doubling, capped, with full jitter."""
    first = photodesk_settings.AWS_RETRY_BACKOFF
    ceiling = min(photodesk_settings.AWS_RETRY_MAX_BACKOFF, first * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """`client.<operation>(**params)` with budget, backoff and clear errors."""
    api = api_name(client, operation)
    method = getattr(client, xform_name(operation))
    attempts = max(1, photodesk_settings.AWS_MAX_ATTEMPTS)
    # Charged once: a throttled request is neither processed nor billed, its retry is the call.
    budget.charge(api)
    for attempt in range(1, attempts + 1):
        try:
            return method(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "Error"), error.get("Message", str(exc))
            if code in RETRYABLE:
                if attempt < attempts:
                    pause = backoff_seconds(attempt)
                    logger.warning("%s: %s, retrying in %.1f s", api, code, pause)
                    time.sleep(pause)
                    continue
                raise ProviderUnavailable(
                    f"{api} still failing after {attempts} attempts: {code}: {message}"
                ) from exc
            hint = HINTS.get(code, "").format(iam=f"to call {api}")
            raise ProviderRefused(
                f"{api} refused: {code}: {message}" + (f" ({hint})" if hint else "")
            ) from exc
        except (NoCredentialsError, NoRegionError) as exc:
            raise ProviderRefused(f"{api} cannot be called: {exc}") from exc
        except BotoCoreError as exc:  # endpoint unreachable, timeouts
            raise ProviderUnavailable(f"{api} could not be called: {exc}") from exc
    raise AssertionError("unreachable")
