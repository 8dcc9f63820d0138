"""The Kubernetes executor at the client seam, and its manifest against the Kubernetes schemas."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import kubernetes_validate
import pytest
import yaml

from entdrill.errors import EntdrillError
from entdrill.flood import plan as plan_module
from entdrill.flood.executors import kubernetes_job
from tests.flood.conftest import flood
from tests.flood.servers import LiveServer

MANIFEST = Path(__file__).parents[2] / "deploy" / "k8s" / "flood-job.yaml"


class FakeCluster:
    """BatchV1Api and CoreV1Api in one: each pod of a created Job 'runs' one shard for real."""

    def __init__(self, run_shard: Any, fail_index: int | None = None) -> None:
        self.run_shard = run_shard
        self.fail_index = fail_index
        self.jobs: dict[str, dict[str, Any]] = {}
        self.logs: dict[str, str] = {}
        self.deleted: list[str] = []

    def create_namespaced_job(self, namespace: str, body: dict[str, Any]) -> None:
        name = body["metadata"]["name"]
        self.jobs[name] = body
        count = body["spec"]["completions"]
        for index in range(count):
            args = [
                a.replace("$(JOB_COMPLETION_INDEX)", str(index))
                for a in body["spec"]["template"]["spec"]["containers"][0]["args"]
            ]
            pod = f"{name}-{index}-abcde"
            if index == self.fail_index:
                self.logs[pod] = "Error: something broke\n"
            else:
                self.logs[pod] = "starting\n" + self.run_shard(args) + "\n"

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


def shard_runner(server: LiveServer) -> Any:
    import json

    def run(args: list[str]) -> str:
        assert args[0] == "flood" and args[-2:] == ["--report", "-"]
        shard = args[args.index("--shard") + 1]
        report = flood(target=server.url, scenario="http-get", rate=18, duration=0.5, shard=shard)
        return json.dumps(report)

    return run


def test_the_job_manifest_is_a_valid_kubernetes_job() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    kubernetes_validate.validate(manifest, "1.30.0", strict=True)


def test_the_job_for_a_plan_is_valid_and_runs_one_shard_per_pod(server: LiveServer) -> None:
    options = plan_module.FloodOptions(
        target=server.url, scenario="http-get", rate=18, duration=0.5, processes=3
    )
    plan = plan_module.build(options)
    job = kubernetes_job.job_for(
        plan,
        kubernetes_job.load_manifest(MANIFEST),
        image="registry.example/entdrill:1",
        run_id="r1",
    )
    kubernetes_validate.validate(job, "1.30.0", strict=True)
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == 3
    args = job["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--shard") + 1] == "$(JOB_COMPLETION_INDEX)/3"
    assert args[args.index("--target") + 1] == server.url


def test_the_executor_creates_the_job_reads_every_pod_report_and_merges(server: LiveServer) -> None:
    cluster = FakeCluster(shard_runner(server))
    plan = plan_module.build(
        plan_module.FloodOptions(
            target=server.url, scenario="http-get", rate=18, duration=0.5, processes=3
        )
    )
    merged = kubernetes_job.run(
        plan,
        cluster,
        cluster,
        manifest=kubernetes_job.load_manifest(MANIFEST),
        sleep=lambda s: None,
    )
    assert merged["shards"] == {"count": 3, "indices": [0, 1, 2], "complete": True}
    assert merged["totals"]["completed"] == 9 == len(server.state.load())
    assert cluster.deleted == list(cluster.jobs)


def test_a_pod_without_report_leaves_the_merge_incomplete_and_says_so(server: LiveServer) -> None:
    cluster = FakeCluster(shard_runner(server), fail_index=1)
    plan = plan_module.build(
        plan_module.FloodOptions(
            target=server.url, scenario="http-get", rate=18, duration=0.5, processes=3
        )
    )
    merged = kubernetes_job.run(
        plan,
        cluster,
        cluster,
        manifest=kubernetes_job.load_manifest(MANIFEST),
        sleep=lambda s: None,
    )
    assert merged["shards"]["complete"] is False
    assert merged["shards"]["indices"] == [0, 2]
    assert "pods without a report" in merged["notes"][0]


def test_a_job_manifest_that_is_not_a_job_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text("kind: ConfigMap\n")
    with pytest.raises(EntdrillError, match="expected a Kubernetes Job manifest"):
        kubernetes_job.load_manifest(path)
