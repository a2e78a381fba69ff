"""What the tests drive in the simulated pods (tests/support/kubelet.py): a slow view and a tick.

Apart from config.settings.production, which pod_settings.py imports whole.
Kept free of settings so the tests import the names too.
"""

import time

from django.http import HttpRequest, JsonResponse

# Sent by beat, run by nobody: the beat test counts the messages.
TICK_TASK = "tests.pods.tick"
TICK_SECONDS = 0.2
SLOWEST_SECONDS = 10


def slow(request: HttpRequest) -> JsonResponse:
    """Answers after ``?seconds=`` (at most SLOWEST_SECONDS): a request still in flight."""
    seconds = min(float(request.GET.get("seconds", "1")), SLOWEST_SECONDS)
    time.sleep(seconds)
    return JsonResponse({"slept": seconds})
