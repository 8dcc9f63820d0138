"""The Kubernetes executor at the client seam, and its manifest against the Kubernetes schemas."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import kubernetes_validate
import pytest
import yaml

from entdrill.errors import EntdrillError
from entdrill.flood import plan as plan_module
from entdrill.flood.executors import kubernetes_job
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer

MANIFEST = Path(__file__).parents[2] / "deploy" / "k8s" / "flood-job.yaml"


class FakeCluster:
    """BatchV1Api and CoreV1Api in one: each pod of a created Job runs its shard for real, with
    the command, arguments and environment its container spec gives it (values read from the
    Secrets the spec names, as the kubelet does)."""

    def __init__(self, run_pod: Any, fail_index: int | None = None) -> None:
        self.run_pod = run_pod
        self.fail_index = fail_index
        self.jobs: dict[str, dict[str, Any]] = {}
        self.secrets: dict[str, dict[str, str]] = {"entdrill-flood": {"consent-token": TOKEN}}
        self.created_secrets: list[dict[str, Any]] = []
        self.logs: dict[str, str] = {}
        self.deleted: list[str] = []
        self.refuse_jobs = False

    def create_namespaced_secret(self, namespace: str, body: dict[str, Any]) -> None:
        self.created_secrets.append(copy.deepcopy(body))
        self.secrets[body["metadata"]["name"]] = dict(body["stringData"])

    def delete_namespaced_secret(self, name: str, namespace: str) -> None:
        del self.secrets[name]

    def _env(self, container: dict[str, Any]) -> dict[str, str]:
        env = {}
        for item in container.get("env", []):
            if "value" in item:
                env[item["name"]] = item["value"]
            else:
                ref = item["valueFrom"]["secretKeyRef"]
                env[item["name"]] = self.secrets[ref["name"]][ref["key"]]
        return env

    def create_namespaced_job(self, namespace: str, body: dict[str, Any]) -> None:
        if self.refuse_jobs:
            raise RuntimeError("jobs.batch is forbidden")
        name = body["metadata"]["name"]
        self.jobs[name] = copy.deepcopy(body)
        container = body["spec"]["template"]["spec"]["containers"][0]
        for index in range(body["spec"]["completions"]):
            args = [a.replace("$(JOB_COMPLETION_INDEX)", str(index)) for a in container["args"]]
            pod = f"{name}-{index}-abcde"
            if index == self.fail_index:
                self.logs[pod] = "Error: something broke\n"
            else:
                output = self.run_pod(container["command"], args, self._env(container))
                self.logs[pod] = "starting\n" + output + "\n"

    def read_namespaced_job_status(self, name: str, namespace: str) -> Any:
        count = self.jobs[name]["spec"]["completions"]
        failed = 1 if self.fail_index is not None else 0
        return SimpleNamespace(status=SimpleNamespace(succeeded=count - failed, failed=failed))

    def list_namespaced_pod(self, namespace: str, label_selector: str) -> Any:
        job = label_selector.removeprefix("job-name=")
        names = [p for p in self.logs if p.startswith(job + "-")]
        return SimpleNamespace(
            items=[SimpleNamespace(metadata=SimpleNamespace(name=n)) for n in names]
        )

    def read_namespaced_pod_log(self, name: str, namespace: str) -> str:
        return self.logs[name]

    def delete_namespaced_job(self, name: str, namespace: str, **kwargs: Any) -> None:
        self.deleted.append(name)


def run_pod(command: list[str], args: list[str], env: dict[str, str]) -> str:
    """What the image does with the pod's command: the real shard process, its report on stdout."""
    assert command == ["python", "-m", "entdrill.cli.flood"]
    assert args[-2:] == ["--report", "-"]
    process = subprocess.run(
        [sys.executable, "-m", "entdrill.cli.flood", *args],
        env={**os.environ, **env, "ENTDRILL_RUNTIME_DIR": tempfile.mkdtemp()},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return process.stdout


def http_get_plan(target: str, processes: int = 3) -> plan_module.FloodPlan:
    return plan_module.build(
        plan_module.FloodOptions(
            target=target, scenario="http-get", rate=18, duration=0.5, processes=processes
        )
    )


def test_the_job_manifest_is_a_valid_kubernetes_job() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    kubernetes_validate.validate(manifest, "1.30.0", strict=True)


def test_the_job_for_a_plan_is_valid_and_its_options_are_in_a_secret(server: LiveServer) -> None:
    plan = http_get_plan(server.url)
    job = kubernetes_job.job_for(
        plan,
        kubernetes_job.load_manifest(MANIFEST),
        image="registry.example/entdrill:1",
        run_id="r1",
    )
    secret = kubernetes_job.options_secret(plan, run_id="r1")
    kubernetes_validate.validate(job, "1.30.0", strict=True)
    kubernetes_validate.validate(secret, "1.30.0", strict=True)
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == 3
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "entdrill.cli.flood"]
    assert container["args"] == ["--shard", "$(JOB_COMPLETION_INDEX)/3", "--report", "-"]
    [options] = [e for e in container["env"] if e["name"] == "ENTDRILL_CHILD_OPTIONS"]
    assert options["valueFrom"] == {"secretKeyRef": {"name": "entdrill-flood-r1", "key": "options"}}
    argv = json.loads(secret["stringData"]["options"])
    assert argv[argv.index("--target") + 1] == server.url
    assert secret["metadata"]["name"] == job["metadata"]["name"] == "entdrill-flood-r1"


def test_the_executor_creates_the_job_reads_every_pod_report_and_merges(server: LiveServer) -> None:
    cluster = FakeCluster(run_pod)
    merged = kubernetes_job.run(
        http_get_plan(server.url),
        cluster,
        cluster,
        manifest=kubernetes_job.load_manifest(MANIFEST),
        sleep=lambda s: None,
    )
    assert merged["shards"] == {"count": 3, "indices": [0, 1, 2], "complete": True}
    assert merged["totals"]["completed"] == 9 == len(server.state.load())
    assert cluster.deleted == list(cluster.jobs)
    assert list(cluster.secrets) == ["entdrill-flood"]  # the run's options are gone


def test_a_password_in_the_target_reaches_the_target_but_not_the_job(server: LiveServer) -> None:
    """Anyone who may read Jobs or Pods reads their command lines: the password travels in the
    run's Secret only, the pods still send it, and the Secret is deleted after the run."""
    password = "s3cret-basic-pw"
    target = server.url.replace("http://", f"http://drill:{password}@")
    cluster = FakeCluster(run_pod)
    merged = kubernetes_job.run(
        http_get_plan(target, processes=2),
        cluster,
        cluster,
        manifest=kubernetes_job.load_manifest(MANIFEST),
        sleep=lambda s: None,
    )
    [job] = cluster.jobs.values()
    assert password not in json.dumps(job)
    [secret] = cluster.created_secrets
    assert password in secret["stringData"]["options"]
    assert merged["totals"]["completed"] == 9 == len(server.state.load())
    expected = "Basic " + base64.b64encode(f"drill:{password}".encode()).decode()
    assert {s.authorization for s in server.state.load()} == {expected}
    assert password not in json.dumps(merged)
    assert list(cluster.secrets) == ["entdrill-flood"]


def test_the_secret_is_deleted_when_the_job_cannot_be_created(server: LiveServer) -> None:
    cluster = FakeCluster(run_pod)
    cluster.refuse_jobs = True
    with pytest.raises(RuntimeError, match="forbidden"):
        kubernetes_job.run(
            http_get_plan(server.url),
            cluster,
            cluster,
            manifest=kubernetes_job.load_manifest(MANIFEST),
            sleep=lambda s: None,
        )
    assert len(cluster.created_secrets) == 1
    assert list(cluster.secrets) == ["entdrill-flood"]
    assert server.state.load() == []


def test_a_pod_without_report_leaves_the_merge_incomplete_and_says_so(server: LiveServer) -> None:
    cluster = FakeCluster(run_pod, fail_index=1)
    merged = kubernetes_job.run(
        http_get_plan(server.url),
        cluster,
        cluster,
        manifest=kubernetes_job.load_manifest(MANIFEST),
        sleep=lambda s: None,
    )
    assert merged["shards"]["complete"] is False
    assert merged["shards"]["indices"] == [0, 2]
    assert "pods without a report" in merged["notes"][0]
    assert list(cluster.secrets) == ["entdrill-flood"]


def test_a_job_manifest_that_is_not_a_job_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text("kind: ConfigMap\n")
    with pytest.raises(EntdrillError, match="expected a Kubernetes Job manifest"):
        kubernetes_job.load_manifest(path)
