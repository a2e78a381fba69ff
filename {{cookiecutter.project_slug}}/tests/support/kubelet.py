"""Run the rendered pods' containers on 127.0.0.1 the way a kubelet would, without a cluster.

What is taken from the rendered manifests (tests/support/kubernetes.py) and the
Dockerfile's final stage (tests/support/image.py), never typed again:
- the command: the container's ``command``/``args``, else the image's CMD;
- the environment: the image's ENV, then the ConfigMaps of ``envFrom``, then ``env``;
- the files: the code is a copy of the build context, read-only (the image's
  WORKDIR); each ``emptyDir`` is a fresh writable directory; each Secret volume
  a directory holding the projected keys, from a store the test gives (the
  platform's secret store); every other path is on a read-only root. Absolute
  paths in the environment are mapped onto these directories (TMPDIR and HOME too);
- the user: ``runAsUser``/``runAsGroup``, switched to with setpriv when the tests
  run as root (else the tests' own user, which the read-only modes bind as well);
- the ports: each ``*_BIND`` variable is moved to a free loopback port, and a
  container port is reachable only where such a bind listens on it;
- the probes: startup, readiness and liveness, each with its own delay, period,
  timeout and thresholds; the lifecycle: init containers to completion, then
  the container; on deletion the preStop hook, SIGTERM, and SIGKILL at
  ``terminationGracePeriodSeconds``.
What a pod gets that the manifests do not say, and why: DJANGO_SETTINGS_MODULE
names tests/deploy/pod_settings.py (production settings plus a slow view, a
long task and a fast schedule for the tests to drive); this run's queue and
cache prefix (CELERY_TASK_DEFAULT_QUEUE, CACHE_KEY_PREFIX: shared services,
and the manifests leave both unset); a worker's node name, which a real pod
takes from its own host name. Not simulated: the container's own network, PID
and mount namespaces, resource limits, the dropped capabilities and seccomp
(a switched user keeps CAP_DAC_READ_SEARCH where it must read an interpreter
under a private home directory, as on this machine: it reads, it never writes).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from config.env import BASE_DIR, VARIABLES

from tests.support.image import FINAL, build_context_ignores, image_environment
from tests.support.kubernetes import Object, Rendering
from tests.support.loopback import HOST, closed_port

POD_SETTINGS = "tests.deploy.pod_settings"
# Longest a test waits for one pod step (a start, a job) when the manifest allows more.
STEP_SECONDS = 60


def image_instruction(name: str) -> str:
    (found,) = [i.arguments for i in FINAL if i.name == name][-1:]
    return found


IMAGE_WORKDIR = image_instruction("WORKDIR")
IMAGE_CMD: list[str] = json.loads(image_instruction("CMD"))
IMAGE_HOME = f"/home/{image_instruction('USER')}"
VENV = Path(sys.prefix)
IMAGE_VENV = "/opt/venv"


def read_only(path: Path) -> None:
    """Take every write bit off ``path`` and what it holds."""
    for directory, _dirs, files in os.walk(path):
        for name in files:
            (Path(directory) / name).chmod(0o444)
        Path(directory).chmod(0o555)


def writable(path: Path) -> None:
    """Give the write bits back (so the test's directory can be removed)."""
    for directory, _dirs, files in os.walk(path):
        Path(directory).chmod(0o755)
        for name in files:
            (Path(directory) / name).chmod(0o644)


def copy_build_context(target: Path) -> Path:
    """The files the image's ``COPY . .`` takes (.dockerignore applied), read-only."""
    for directory, dirs, files in os.walk(BASE_DIR):
        relative = Path(directory).relative_to(BASE_DIR)
        dirs[:] = [d for d in dirs if not build_context_ignores(str(relative / d))]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            if not build_context_ignores(str(relative / name)):
                shutil.copy2(Path(directory) / name, target / relative / name)
    read_only(target)
    return target


def _reachable_by_others(path: Path) -> bool:
    """Whether any user may reach ``path`` (every directory on the way searchable by others)."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents)


def user_switch(security: Mapping[str, Any]) -> list[str]:
    """The setpriv prefix that runs a command as the pod's user, when the tests run as root."""
    uid = security.get("runAsUser")
    if security.get("runAsNonRoot"):
        assert uid not in (None, 0), "runAsNonRoot needs a non-root runAsUser the image has"
    if os.geteuid() != 0 or uid is None:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run the pods as their user", pytrace=False)
    gid = security.get("runAsGroup", uid)
    prefix = [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
    interpreter = Path(os.path.realpath(sys.executable))
    if not (
        _reachable_by_others(interpreter) and _reachable_by_others(Path(sys.base_prefix) / "x")
    ):
        prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return prefix


@dataclass
class Container:
    """One container of a pod, ready to start: its command, environment and ports."""

    name: str
    spec: Object
    argv: list[str]
    env: dict[str, str]
    ports: dict[str, int]  # container port (name and number) -> loopback port
    log: Path
    user: list[str]  # the setpriv prefix that switches to the pod's user, or nothing
    mounts: dict[str, Path]  # each mountPath's directory (or file) on this machine

    process: subprocess.Popen[bytes] | None = None

    def host_port(self, port: int | str) -> int | None:
        return self.ports.get(str(port))

    def words(self, command: list[str]) -> list[str]:
        """A command's words with the mount paths they name (a shell's ``> /etc/x``) mapped."""
        if not self.mounts:
            return list(command)
        hosts = {path.rstrip("/"): str(host) for path, host in self.mounts.items()}
        alternatives = "|".join(re.escape(path) for path in sorted(hosts, key=len, reverse=True))
        # One pass: a path put in is never mapped again; a path starts a word or follows > or =.
        pattern = re.compile(rf"(?<![\w/.-])({alternatives})(?=[/\s\"';]|$)")
        return [pattern.sub(lambda match: hosts[match.group(1)], word) for word in command]


@dataclass
class ProbeState:
    """One probe's schedule and its consecutive outcomes."""

    spec: Object
    started_at: float
    due: float = 0.0
    successes: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        self.due = self.started_at + float(self.spec.get("initialDelaySeconds", 0))

    def record(self, success: bool, now: float) -> None:
        self.due = now + float(self.spec.get("periodSeconds", 10))
        self.successes, self.failures = (
            (self.successes + 1, 0) if success else (0, self.failures + 1)
        )

    @property
    def succeeded(self) -> bool:
        return self.successes >= int(self.spec.get("successThreshold", 1))

    @property
    def failed(self) -> bool:
        return self.failures >= int(self.spec.get("failureThreshold", 3))


@dataclass
class Termination:
    pre_stop_seconds: float
    exit_seconds: float  # from SIGTERM to exit
    killed: bool
    returncode: int


@dataclass
class Pod:
    name: str
    workload: Object
    containers: list[Container]
    init: list[Container]
    volumes: dict[str, Path]  # each volume's directory on this machine
    started_at: float = 0.0
    ready_at: float | None = None
    deleted_at: float | None = None
    failure: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _prober: threading.Thread | None = None

    @property
    def main(self) -> Container:
        return self.containers[0]

    @property
    def ready(self) -> bool:
        return self.ready_at is not None and self.deleted_at is None

    @property
    def grace_seconds(self) -> int:
        return int(
            self.workload["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        )

    def url(self, port: str = "http") -> str:
        host_port = self.main.host_port(port)
        assert host_port is not None, f"{self.name} listens on no port {port!r}"
        return f"http://{HOST}:{host_port}"

    def tail(self) -> str:
        return "\n".join(
            f"--- {c.name}\n{c.log.read_text(errors='replace')[-3000:]}"
            for c in [*self.init, *self.containers]
            if c.log.exists()
        )


class Kubelet:
    """Starts pods of a rendering and stops every process it started when the block ends."""

    def __init__(
        self,
        rendering: Rendering,
        *,
        code: Path,
        secrets: Mapping[str, str],
        workspace: Path,
        isolation: Mapping[str, str],
    ) -> None:
        self.rendering = rendering
        self.code = code
        self.secrets = dict(secrets)
        self.workspace = workspace
        self.isolation = dict(isolation)
        self.pods: list[Pod] = []
        self._count = 0

    # --- building a pod ---

    def _filesystem(self, pod_dir: Path, pod: Object) -> dict[str, Path]:
        """Each volume's directory on this machine, by volume name."""
        volumes: dict[str, Path] = {}
        for volume in pod.get("volumes", []):
            directory = pod_dir / "volumes" / volume["name"]
            directory.mkdir(parents=True)
            if "emptyDir" in volume:
                directory.chmod(0o777)  # as the kubelet makes it
            elif "secret" in volume:
                for item in volume["secret"]["items"]:
                    if item["key"] not in self.secrets:
                        pytest.fail(
                            f"the Secret has no key {item['key']!r} that pod {pod_dir.name} "
                            "projects: the pod would not start",
                            pytrace=False,
                        )
                    (directory / item["path"]).write_text(self.secrets[item["key"]])
                    (directory / item["path"]).chmod(0o644)
            else:
                raise NotImplementedError(f"volume {volume['name']}: only emptyDir and secret")
            volumes[volume["name"]] = directory
        return volumes

    def _translator(self, root: Path, mounts: dict[str, Path]) -> Any:
        def translate(path: str, *, exists: bool = False) -> str:
            """A container path as this machine's path: a mount, the code, the venv or the root."""
            for mount_path in sorted(mounts, key=len, reverse=True):
                if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
                    return str(mounts[mount_path]) + path[len(mount_path.rstrip("/")) :]
            if path == IMAGE_WORKDIR or path.startswith(IMAGE_WORKDIR + "/"):
                return str(self.code) + path[len(IMAGE_WORKDIR) :]
            if path == IMAGE_VENV or path.startswith(IMAGE_VENV + "/"):
                return str(VENV) + path[len(IMAGE_VENV) :]
            on_root = root / path.lstrip("/")
            (on_root if exists else on_root.parent).mkdir(parents=True, exist_ok=True)
            return str(on_root)

        return translate

    def _container(
        self,
        pod_name: str,
        pod: Object,
        spec: Object,
        *,
        volumes: dict[str, Path],
        root: Path,
        pod_dir: Path,
    ) -> Container:
        mounts: dict[str, Path] = {}
        for mount in spec.get("volumeMounts", []):
            source = volumes[mount["name"]]
            mounts[mount["mountPath"]] = source / mount["subPath"] if "subPath" in mount else source
        translate = self._translator(root, mounts)

        env = image_environment()
        for source in spec.get("envFrom", []):
            env.update(self.rendering.config_map(source["configMapRef"]["name"]))
        for variable in spec.get("env", []):
            if "value" in variable:
                env[variable["name"]] = variable["value"]
            else:
                raise NotImplementedError(f"env {variable['name']}: only plain values")
        for name, value in self.isolation.items():
            assert name not in env, f"the manifests set {name}; the test would hide their value"
            env[name] = value
        env["DJANGO_SETTINGS_MODULE"] = POD_SETTINGS
        env = {
            name: translate(value) if value.startswith("/") else value
            for name, value in env.items()
        }

        # Ports: every bind moved to loopback; a container port answers where one listens.
        declared = {str(p["containerPort"]): p.get("name") for p in spec.get("ports", [])}
        ports: dict[str, int] = {}
        for name, variable in VARIABLES.items():
            if not name.endswith("_BIND"):
                continue
            value = env.get(name, variable.default or "")
            if not value:
                continue
            port = value.rsplit(":", 1)[1]
            host_port = closed_port()
            env[name] = f"{HOST}:{host_port}"
            if port in declared:
                ports[port] = host_port
                if declared[port]:
                    ports[str(declared[port])] = host_port

        env["TMPDIR"] = translate("/tmp", exists=True)  # noqa: S108
        env["HOME"] = translate(IMAGE_HOME, exists=True)
        env["PATH"] = os.pathsep.join([str(VENV / "bin"), os.environ["PATH"]])

        command, args = spec.get("command"), spec.get("args")
        argv = [*(command or []), *(args if args is not None else ([] if command else IMAGE_CMD))]
        if argv[:2] == ["celery", "-A"] and "worker" in argv:
            argv.append(f"--hostname=celery@{pod_name}")  # a pod's own host name
        security = {**pod.get("securityContext", {}), **spec.get("securityContext", {})}
        user = user_switch(security)
        return Container(
            spec["name"], spec, argv, env, ports, pod_dir / f"{spec['name']}.log", user, mounts
        )

    def pod(self, kind: str, name: str) -> Pod:
        """A pod of the workload, built but not started."""
        workload = self.rendering.find(kind, name)
        spec = workload["spec"]["template"]["spec"]
        self._count += 1
        pod_name = f"{workload['metadata']['name']}-{self._count}"
        pod_dir = self.workspace / pod_name
        root = pod_dir / "root"
        root.mkdir(parents=True)
        volumes = self._filesystem(pod_dir, spec)
        built = {
            c["name"]: self._container(
                pod_name, spec, c, volumes=volumes, root=root, pod_dir=pod_dir
            )
            for c in [*spec.get("initContainers", []), *spec["containers"]]
        }
        pod = Pod(
            pod_name,
            workload,
            containers=[built[c["name"]] for c in spec["containers"]],
            init=[built[c["name"]] for c in spec.get("initContainers", [])],
            volumes=volumes,
        )
        assert len(pod.containers) == 1, "one container per pod is simulated"
        read_only(root)
        self.pods.append(pod)
        return pod

    # --- running it ---

    def start_container(self, container: Container) -> subprocess.Popen[bytes]:
        """One container's process, started now (a test drives it; start() runs a pod)."""
        executable = shutil.which(container.argv[0], path=container.env["PATH"])
        assert executable, f"{container.argv[0]} is on no PATH of the image"
        with container.log.open("wb") as output:
            container.process = subprocess.Popen(
                [*container.user, executable, *container.words(container.argv[1:])],
                cwd=self.code,
                env=container.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return container.process

    def start(self, pod: Pod, *, init_deadline: float = STEP_SECONDS) -> Pod:
        """Init containers to completion, then the container, its probes polled in a thread."""
        for container in pod.init:
            process = self.start_container(container)
            try:
                returncode = process.wait(timeout=init_deadline)
            except subprocess.TimeoutExpired:
                pytest.fail(f"init container {container.name} still runs\n{pod.tail()}")
            if returncode != 0:
                pytest.fail(f"init container {container.name} exited {returncode}\n{pod.tail()}")
        pod.started_at = time.monotonic()
        self.start_container(pod.main)
        pod._prober = threading.Thread(target=self._probe_loop, args=(pod,), daemon=True)
        pod._prober.start()
        return pod

    def run_to_completion(self, pod: Pod, *, timeout: float = STEP_SECONDS) -> int:
        """A Job's pod: its container until it exits (bounded by activeDeadlineSeconds)."""
        deadline = min(timeout, self_deadline(pod.workload))
        pod.started_at = time.monotonic()
        try:
            return self.start_container(pod.main).wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{pod.name} ran past {deadline} s\n{pod.tail()}")

    def wait_ready(self, pod: Pod, *, timeout: float = STEP_SECONDS) -> float:
        """Seconds from the container's start to ready (its startup probe, then readiness)."""
        deadline = time.monotonic() + timeout
        while pod.ready_at is None:
            process = pod.main.process
            exited = process is not None and process.poll() is not None
            if pod.failure or exited or time.monotonic() > deadline:
                why = pod.failure or ("the process exited" if exited else f"not in {timeout} s")
                pytest.fail(f"{pod.name} never turned ready: {why}\n{pod.tail()}")
            time.sleep(0.05)
        return pod.ready_at - pod.started_at

    def delete(self, pod: Pod, *, before_sigterm: Callable[[], None] | None = None) -> Termination:
        """What the kubelet does on deletion: preStop, SIGTERM, SIGKILL after the grace period.

        ``before_sigterm`` runs once preStop has ended (a test sends a request then).
        """
        pod.deleted_at = time.monotonic()
        deadline = pod.deleted_at + pod.grace_seconds
        container = pod.main
        assert container.process is not None
        pre_stop = container.spec.get("lifecycle", {}).get("preStop")
        if pre_stop:
            assert set(pre_stop) == {"exec"}, "only an exec preStop hook is simulated"
            hook = self._exec(container, pre_stop["exec"]["command"], deadline - time.monotonic())
            assert hook == 0, f"preStop exited {hook}"
        pre_stop_seconds = time.monotonic() - pod.deleted_at
        if before_sigterm is not None:
            before_sigterm()
        container.process.send_signal(signal.SIGTERM)
        terminated_at = time.monotonic()
        killed = False
        try:
            returncode = container.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            killed = True
            os.killpg(container.process.pid, signal.SIGKILL)
            returncode = container.process.wait(timeout=10)
        pod._stop.set()
        return Termination(pre_stop_seconds, time.monotonic() - terminated_at, killed, returncode)

    def _exec(self, container: Container, command: list[str], timeout: float) -> int:
        """An exec hook or probe: the command in the container's environment and user."""
        executable = shutil.which(command[0], path=container.env["PATH"])
        assert executable, f"{command[0]} is on no PATH of the image"
        result = subprocess.run(
            [*container.user, executable, *container.words(command[1:])],
            cwd=self.code,
            env=container.env,
            capture_output=True,
            timeout=max(timeout, 0.1),
            check=False,
        )
        return result.returncode

    # --- probes ---

    def _check(self, container: Container, probe: Object) -> bool:
        """One probe, as the kubelet runs it: success within timeoutSeconds."""
        timeout = float(probe.get("timeoutSeconds", 1))
        if "exec" in probe:
            try:
                return self._exec(container, probe["exec"]["command"], timeout) == 0
            except subprocess.TimeoutExpired:
                return False
        action = probe.get("httpGet") or probe.get("tcpSocket")
        if action is None:
            raise NotImplementedError(f"probe {probe}")
        port = container.host_port(action["port"])
        if port is None:
            return False  # nothing listens on that port of the container
        if "tcpSocket" in probe:
            return _accepts(port, timeout)
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        headers = {h["name"]: h["value"] for h in action.get("httpHeaders", [])}
        try:
            connection.request("GET", action.get("path", "/"), headers=headers)
            return 200 <= connection.getresponse().status < 400
        except OSError:
            return False
        finally:
            connection.close()

    def _probe_loop(self, pod: Pod) -> None:
        """The pod's probes on their own schedules: startup first, then readiness and liveness."""
        spec = pod.main.spec
        states = {
            kind: ProbeState(spec[f"{kind}Probe"], pod.started_at)
            for kind in ("startup", "readiness", "liveness")
            if f"{kind}Probe" in spec
        }
        startup = states.pop("startup", None)
        while not pod._stop.is_set() and pod.deleted_at is None:
            now = time.monotonic()
            if startup is not None:
                if now >= startup.due:
                    startup.record(self._check(pod.main, startup.spec), now)
                if startup.failed:
                    pod.failure = "the startup probe failed: the kubelet restarts the container"
                    return
                if startup.succeeded:
                    startup = None
                    for state in states.values():
                        state.due = max(state.due, now)
                time.sleep(0.02)
                continue
            for state in states.values():
                if now >= state.due:
                    state.record(self._check(pod.main, state.spec), now)
            readiness = states.get("readiness")
            if readiness is None or (readiness.succeeded and pod.ready_at is None):
                pod.ready_at = pod.ready_at or now
            elif readiness.failed:
                pod.ready_at = None
            liveness = states.get("liveness")
            if liveness is not None and liveness.failed:
                pod.failure = "the liveness probe failed: the kubelet restarts the container"
                return
            time.sleep(0.02)

    def stop_all(self) -> None:
        for pod in self.pods:
            pod._stop.set()
            for container in [*pod.init, *pod.containers]:
                if container.process is None:
                    continue
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(container.process.pid, signal.SIGKILL)
                container.process.wait(timeout=10)
            if pod._prober is not None:
                pod._prober.join(timeout=5)
        for pod in self.pods:
            writable(self.workspace / pod.name)


def _accepts(port: int, timeout: float) -> bool:
    """A tcpSocket probe: the port takes a connection."""
    try:
        socket.create_connection((HOST, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def self_deadline(workload: Object) -> float:
    return float(workload["spec"].get("activeDeadlineSeconds", STEP_SECONDS))


@contextlib.contextmanager
def kubelet(
    rendering: Rendering,
    *,
    code: Path,
    secrets: Mapping[str, str],
    workspace: Path,
    isolation: Mapping[str, str],
) -> Iterator[Kubelet]:
    node = Kubelet(rendering, code=code, secrets=secrets, workspace=workspace, isolation=isolation)
    try:
        yield node
    finally:
        node.stop_all()
