"""A rolling update of the web Deployment, run as a kubelet would run it: no request fails.

The rendered web pod (tests/support/kubelet.py) is started: its init container
waits for the migrations, gunicorn starts as the image's user on a read-only
code copy, and its probes are polled with their own periods until it is ready.
A load balancer on loopback sends a bounded load to every ready pod. Then the
rollout: the release Job runs while a new pod starts beside the old one; the
new pod joins once ready; the old one is deleted: the balancer still sends to it
for a moment (endpoints propagate), its preStop pause covers that, then SIGTERM,
and a request in flight at that moment is answered before it exits, well within
the grace period. Without the preStop pause, requests meet a closed port; with
a wrong probe path the pod never turns ready.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.support.kubelet import Kubelet, Pod
from tests.support.loopback import HOST

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

# How long the balancer goes on sending to a deleted pod (endpoint propagation).
PROPAGATION_SECONDS = 1.0
# The load: two clients, each at most this many requests, a short pause between.
CLIENTS, MOST_REQUESTS, PAUSE_SECONDS = 2, 1000, 0.05
IN_FLIGHT_SECONDS = 1.0


def get(pod: Pod, path: str, host: str, *, port: str = "http", timeout: float = 10) -> int:
    """One request as the ingress sends it (TLS ended before it, said in X-Forwarded-Proto)."""
    connection = http.client.HTTPConnection(
        HOST, int(pod.url(port).rsplit(":", 1)[1]), timeout=timeout
    )
    try:
        connection.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@dataclass
class Balancer:
    """Round robin over the ready pods, and over deleted ones until their removal propagates."""

    host: str
    pods: list[Pod] = field(default_factory=list)
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def in_rotation(self) -> list[Pod]:
        now = time.monotonic()
        return [
            pod
            for pod in self.pods
            if pod.ready_at is not None
            and (pod.deleted_at is None or now - pod.deleted_at < PROPAGATION_SECONDS)
        ]

    def send(self, path: str) -> None:
        pods = self.in_rotation()
        if not pods:
            with self._lock:
                self.failed.append("no pod in rotation")
            return
        pod = pods[next(self._turn) % len(pods)]
        try:
            status = get(pod, path, self.host)
            problem = None if status == 200 else f"{pod.name}: {status}"
        except OSError as error:
            problem = f"{pod.name}: {error!r}"
        with self._lock:
            self.sent += 1
            if problem:
                self.failed.append(problem)

    def load(self, stop: threading.Event) -> None:
        paths = itertools.cycle(["/health/ready", "/slow?seconds=0"])
        for _ in range(MOST_REQUESTS):
            if stop.is_set():
                return
            self.send(next(paths))
            time.sleep(PAUSE_SECONDS)


def test_a_rolling_update_fails_no_request_and_answers_the_one_in_flight(node: Kubelet) -> None:
    rendering = node.rendering
    host = rendering.config_map(
        rendering.find("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["envFrom"][
            0
        ]["configMapRef"]["name"]
    )["DJANGO_ALLOWED_HOSTS"].split(",")[0]
    old = node.start(node.pod("Deployment", "web"))
    old_ready = node.wait_ready(old)
    balancer = Balancer(host, [old])
    stop = threading.Event()
    clients = [threading.Thread(target=balancer.load, args=(stop,)) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        # The release Job migrates while the new pod starts; its init container waits for it.
        release = node.pod("Job", "release")
        released: list[int] = []
        job = threading.Thread(target=lambda: released.append(node.run_to_completion(release)))
        job.start()
        new = node.start(node.pod("Deployment", "web"))
        new_ready = node.wait_ready(new)
        balancer.pods.append(new)
        job.join(timeout=120)
        assert released == [0], release.tail()
        # The scraper's port answers too (WEB_METRICS_BIND, the port named metrics).
        assert get(new, "/metrics", host, port="metrics", timeout=5) == 200
        time.sleep(0.5)  # both in rotation

        answers: list[int] = []

        def in_flight() -> None:
            """Sent straight to the old pod just before SIGTERM, as a slow straggler."""
            request = threading.Thread(
                target=lambda: answers.append(get(old, f"/slow?seconds={IN_FLIGHT_SECONDS}", host))
            )
            request.start()
            time.sleep(0.3)  # in the server
            in_flight_threads.append(request)

        in_flight_threads: list[threading.Thread] = []
        termination = node.delete(old, before_sigterm=in_flight)
        for request in in_flight_threads:
            request.join(timeout=15)
        time.sleep(0.5)  # the load goes on against the new pod alone
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
    print(  # noqa: T201 - the figures `pytest -s` shows
        f"web ready after {old_ready:.2f} s and {new_ready:.2f} s; old pod: preStop "
        f"{termination.pre_stop_seconds:.2f} s, exit {termination.exit_seconds:.2f} s after "
        f"SIGTERM; {balancer.sent} requests, {len(balancer.failed)} failed"
    )
    assert answers == [200], f"the in-flight request was cut off\n{old.tail()}"
    assert not termination.killed, f"SIGKILLed at the grace period\n{old.tail()}"
    assert termination.returncode == 0, old.tail()
    assert termination.pre_stop_seconds + termination.exit_seconds < old.grace_seconds
    assert balancer.failed == [], balancer.failed[:10]
    assert balancer.sent > 100, "a load, not a handful of requests"
