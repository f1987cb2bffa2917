"""POST /api/v1/auth/token/: a token for a username and password, with failed attempts
throttled per client address (throttles.LoginRateThrottle).

Imported only when the site installs rest_framework.authtoken (urls.py): its Token model
cannot be loaded otherwise.
"""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from photodesk.api.throttles import LoginRateThrottle


class TokenView(ObtainAuthToken):
    # DRF's view, plus the login throttle: a wrong password counts, a right one does not.

    throttle_classes = (LoginRateThrottle,)

    def get_throttles(self) -> list[BaseThrottle]:
        self.login_throttles = super().get_throttles()  # kept: post() records the failures
        return self.login_throttles

    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            for throttle in self.login_throttles:
                throttle.failed()
            raise
