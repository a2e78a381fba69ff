"""The Kubernetes manifests render, follow the API's schemas, and hold the project's own values.

deploy/kubernetes/ is rendered by kustomize (``kubectl kustomize``) and each
object validated, strictly (a misspelt field fails), against the oldest and the
newest Kubernetes that kubernetes-validate ships schemas for. Then the rendered
objects are held to the settings: every variable they name is one the project
reads, every variable production requires is given, the grace periods cover the
shutdown timeouts, the ports are the binds', the connection budget counts the
replicas the cluster runs, and every container runs unprivileged on a read-only
root. What the pods do when started is proven in test_kubernetes_*.py.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from config.env import BASE_DIR, VARIABLES

from tests.support.image import FINAL, image_environment
from tests.support.kubernetes import (
    MANIFESTS,
    PRODUCTION,
    Object,
    Rendering,
    app_containers,
    pod_templates,
    production,
    render,
)

pytestmark = pytest.mark.processes  # kubectl renders them

# Read by a library or the image, not by config/env.py: where each is read.
LIBRARY_VARIABLES = {
    "DJANGO_SETTINGS_MODULE": "Django (the image sets production's)",
    "PROMETHEUS_MULTIPROC_DIR": "prometheus-client (deploy/gunicorn_config.py, config/celery.py)",
    "REMAP_SIGTERM": "Celery's billiard (the image sets SIGQUIT)",
}
# Custom resources: no schema in kubernetes-validate; optional, in their own component.
CUSTOM_API_GROUPS = ("monitoring.coreos.com/",)


def with_servicemonitor() -> Rendering:
    """The production overlay with the ServiceMonitor component, as the overlay's comment says."""
    with tempfile.TemporaryDirectory() as directory:
        overlay = os.path.relpath(PRODUCTION, directory)
        component = os.path.relpath(MANIFESTS / "components" / "servicemonitor", directory)
        (Path(directory) / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources: [{overlay}]\ncomponents: [{component}]\n"
        )
        return render(Path(directory))


def test_every_overlay_renders_and_follows_the_oldest_and_newest_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Imported here: `make test` collects this module too, and needs none of it.
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError, all_versions, schema_contents

    # Each schema file read once, not once per object (kubernetes-validate reads it each time).
    monkeypatch.setattr(
        kubernetes_validate.utils, "schema_contents", functools.cache(schema_contents)
    )
    versions = all_versions()
    oldest, newest = versions[0], versions[-1]
    renderings = {
        "base": render(MANIFESTS / "base"),
        "production": production(),
        "production + servicemonitor": with_servicemonitor(),
    }
    started = time.monotonic()
    checked = 0
    for name, rendering in renderings.items():
        for document in rendering.objects:
            for version in (oldest, newest):
                try:
                    kubernetes_validate.validate(document, version, strict=True)
                    checked += 1
                except SchemaNotFoundError:
                    assert document["apiVersion"].startswith(CUSTOM_API_GROUPS), (name, document)
                except kubernetes_validate.ValidationError as error:
                    pytest.fail(
                        f"{name}: {document['kind']} {document['metadata']['name']} is not "
                        f"valid Kubernetes {version}: {error.message} at "
                        f"{'.'.join(map(str, error.path))}"
                    )
    validated = time.monotonic() - started
    kinds = sorted({o["kind"] for o in renderings["production + servicemonitor"].objects})
    print(  # noqa: T201 - the figures `pytest -s` shows
        f"rendered in {', '.join(f'{r.seconds:.2f} s' for r in renderings.values())}; "
        f"{checked} validations ({oldest}, {newest}) in {validated:.2f} s; kinds: {kinds}"
    )
    assert {
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
    } <= set(kinds)


def names_in(rendering: Rendering, container: Object) -> dict[str, str]:
    """The variables a container gets from the manifests: its ConfigMaps, then its env."""
    variables: dict[str, str] = {}
    for source in container.get("envFrom", []):
        variables.update(rendering.config_map(source["configMapRef"]["name"]))
    variables.update({v["name"]: v.get("value", "") for v in container.get("env", [])})
    return variables


def read_by_the_project(name: str) -> bool:
    if name in VARIABLES or name in LIBRARY_VARIABLES:
        return True
    secret = name.removesuffix("_FILE")
    return name.endswith("_FILE") and secret in VARIABLES and VARIABLES[secret].secret


def test_the_manifests_name_only_variables_the_project_reads() -> None:
    rendering = production()
    unread = {
        f"{workload['metadata']['name']}/{container['name']}: {name}"
        for workload, container in app_containers(rendering)
        for name in names_in(rendering, container)
        if not read_by_the_project(name)
    }
    assert unread == set(), "config/env.py declares no such variable"


def test_every_process_gets_every_variable_production_requires() -> None:
    rendering = production()
    required = sorted(name for name, variable in VARIABLES.items() if variable.default is None)
    assert "DJANGO_SECRET_KEY" in required
    missing = {
        f"{workload['metadata']['name']}/{container['name']}: {name}"
        for workload, container in app_containers(rendering)
        for name in required
        if not ({name, f"{name}_FILE"} & {*names_in(rendering, container), *image_environment()})
    }
    assert missing == set()


def pre_stop_seconds(container: Object) -> int:
    """The preStop pause (exec sleep N), 0 without one."""
    hook = container.get("lifecycle", {}).get("preStop")
    if not hook:
        return 0
    command = hook["exec"]["command"]
    assert command[0] == "sleep", "only a pause belongs in preStop"
    return int(command[1])


def test_the_grace_period_is_what_the_processes_are_told_and_outlasts_their_shutdown() -> None:
    """SIGKILL comes terminationGracePeriodSeconds after deletion; preStop spends its part first.

    What is left is ORCHESTRATOR_GRACE_SECONDS, against which start-up holds the
    graceful and soft shutdown timeouts (config/settings/server.py, celery.py).
    """
    rendering = production()
    for workload, container in app_containers(rendering):
        pod = workload["spec"]["template"]["spec"]
        if container not in pod["containers"]:
            continue  # an init container is not stopped, it ends
        variables = names_in(rendering, container)
        told = int(
            variables.get("ORCHESTRATOR_GRACE_SECONDS")
            or VARIABLES["ORCHESTRATOR_GRACE_SECONDS"].default
            or 0
        )
        given = pod.get("terminationGracePeriodSeconds", 30) - pre_stop_seconds(container)
        assert given == told, (
            f"{workload['metadata']['name']}: the kubelet gives {given} s after SIGTERM, "
            f"the process is told ORCHESTRATOR_GRACE_SECONDS={told}"
        )
        for timeout in ("WEB_GRACEFUL_TIMEOUT", "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT"):
            value = float(variables.get(timeout) or VARIABLES[timeout].default or 0)
            assert value < given, f"{workload['metadata']['name']}: {timeout}={value} >= {given}"


def bind_ports(variables: dict[str, str]) -> set[int]:
    ports = set()
    for name, variable in VARIABLES.items():
        value = variables.get(name, variable.default or "") if name.endswith("_BIND") else ""
        if value:
            ports.add(int(value.rsplit(":", 1)[1]))
    return ports


def test_every_container_port_is_one_the_process_binds_and_metrics_ports_are_named() -> None:
    """A port no bind listens on would be probed and scraped in vain (WEB_BIND, *_METRICS_BIND)."""
    rendering = production()
    metrics_ports = set()
    for workload, container in app_containers(rendering):
        declared = {p["containerPort"]: p["name"] for p in container.get("ports", [])}
        assert set(declared) <= bind_ports(names_in(rendering, container)), workload["metadata"]
        metrics_ports |= {port for port, name in declared.items() if name == "metrics"}
    # The ServiceMonitor (components/servicemonitor) finds them by name, through the Services.
    service_ports = {
        p["targetPort"]
        for service in rendering.of_kind("Service")
        for p in service["spec"]["ports"]
        if p["name"] == "metrics"
    }
    assert len(metrics_ports) == 2, "the web's and the worker's"
    assert service_ports == {"metrics"}


def test_the_connection_budget_counts_the_replicas_the_cluster_runs() -> None:
    """core.E014 (run by the release's migrate) multiplies by WEB_INSTANCES and CELERY_WORKER_INSTANCES."""
    rendering = production()
    config = names_in(
        rendering, rendering.find("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]
    )
    autoscaler = rendering.find("HorizontalPodAutoscaler", "web")
    assert (
        autoscaler["spec"]["scaleTargetRef"]["name"]
        == rendering.find("Deployment", "web")["metadata"]["name"]
    )
    assert int(config["WEB_INSTANCES"]) == autoscaler["spec"]["maxReplicas"]
    assert (
        int(config["CELERY_WORKER_INSTANCES"])
        == rendering.find("Deployment", "worker")["spec"]["replicas"]
    )
    if settings.DATABASE_POOLING == "pgbouncer":
        # Each PgBouncer opens its own server pool to PostgreSQL.
        pgbouncers = rendering.find("Deployment", "pgbouncer")["spec"]["replicas"]
        assert int(config["PGBOUNCER_INSTANCES"]) == pgbouncers
    # A container sees the node's CPUs: 0 ("per CPU") would size the processes by the node.
    assert int(config["WEB_CONCURRENCY"]) > 0
    assert int(config["CELERY_WORKER_CONCURRENCY"]) > 0


def image_uid() -> int:
    (run,) = [i.arguments for i in FINAL if i.name == "RUN" and "useradd" in i.arguments]
    return int(re.search(r"--uid (\d+)", run).group(1))  # type: ignore[union-attr]


def test_every_container_runs_unprivileged_on_a_read_only_root() -> None:
    rendering = production()
    for workload, pod in pod_templates(rendering):
        name = workload["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            security: dict[str, Any] = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            assert set(container["resources"]) == {"requests", "limits"}, name
        writable = [v for v in pod["volumes"] if "emptyDir" in v]
        assert all(v["emptyDir"].get("sizeLimit") for v in writable), name
    for workload, _container in app_containers(rendering):
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == image_uid()


def test_pgbouncer_runs_where_the_project_uses_it_with_the_image_compose_runs() -> None:
    compose = BASE_DIR / "compose.override.yaml"
    pgbouncers = [
        d
        for d in production().of_kind("Deployment")
        if d["metadata"]["name"].endswith("-pgbouncer")
    ]
    if not compose.exists():
        assert pgbouncers == [], "this project reaches PostgreSQL without PgBouncer"
        return
    (image,) = re.findall(r"image: (edoburu/pgbouncer:\S+)", compose.read_text())
    (pgbouncer,) = pgbouncers
    assert [c["image"] for c in pgbouncer["spec"]["template"]["spec"]["containers"]] == [image]
