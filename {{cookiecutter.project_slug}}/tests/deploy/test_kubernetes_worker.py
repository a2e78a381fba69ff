"""A worker pod, deleted while it runs a task, hands the task back within the grace period.

The rendered worker pod is started as a kubelet would (tests/support/kubelet.py):
the image's ENV (REMAP_SIGTERM among it), the ConfigMap's soft shutdown timeout,
the Secret's files, a read-only code copy, the image's user; its startup probe
(the metrics port) polled until it answers. A task that outlasts the soft
shutdown is running when the pod is deleted: the worker waits the soft timeout,
then puts the task back on the queue and exits, before the grace period's
SIGKILL. Without the image's REMAP_SIGTERM it would wait for the task and be
killed; without the emptyDir on /tmp it never starts (its metrics directory).
"""

from __future__ import annotations

import pytest

from tests.core.worker.shutdown_worker import nap
from tests.support.broker import queue_take_messages
from tests.support.kubelet import Kubelet
from tests.support.processes import wait_until

pytestmark = [
    pytest.mark.processes,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("task_queue"),
]

# Longer than any soft shutdown timeout below the grace period: it never ends by itself.
LONG_NAP = 120.0


def test_a_deleted_worker_pod_requeues_its_running_task_before_the_grace_period(
    node: Kubelet,
) -> None:
    pod = node.pod("Deployment", "worker")
    node.start(pod)
    ready = node.wait_ready(pod)
    traces = pod.volumes["tmp"] / "traces"
    traces.mkdir()
    traces.chmod(0o777)
    nap.delay(LONG_NAP, str(traces), "long")
    wait_until((traces / "long.started").exists, "the task to start", [pod.main.log])
    termination = node.delete(pod)
    assert not termination.killed, f"SIGKILLed at the grace period\n{pod.tail()}"
    assert termination.returncode == 0, pod.tail()
    requeued: list[list[object]] = []

    def back_on_the_queue() -> bool:
        requeued.extend(args for _headers, args in queue_take_messages())
        return bool(requeued)

    wait_until(back_on_the_queue, "the task back on the queue", [pod.main.log])
    print(  # noqa: T201 - the figures `pytest -s` shows
        f"worker ready after {ready:.2f} s; exit {termination.exit_seconds:.2f} s after SIGTERM "
        f"(grace {pod.grace_seconds} s)"
    )
    assert [args[2] for args in requeued] == ["long"]
    assert not (traces / "long.done").exists()
