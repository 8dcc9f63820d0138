"""The Kubernetes executor: the shards of a flood as the pods of an Indexed Job.

The Job comes from ``deploy/k8s/flood-job.yaml``: this module sets its name, the number of shards
(``completions`` = ``parallelism``), the image and the container's command (``python -m
entdrill.cli.flood --shard $(JOB_COMPLETION_INDEX)/N --report -``), creates it, waits for it to
finish, reads each pod's report (the last JSON line of its log) and merges them exactly.

This flood's options do not go in the Job: a Job's arguments are readable by anyone who may list
Jobs or Pods, and a target URL may carry a password (``http://user:pw@staging-ent``). They go in a
Secret of their own (``entdrill-flood-<run id>``, key ``options``, the JSON list of arguments),
which the container reads as ``ENTDRILL_CHILD_OPTIONS`` (:mod:`entdrill.child_options`); the
Secret is created before the Job and deleted after it, whatever happens.

The clients are the seam: anything with the methods of ``kubernetes.client.BatchV1Api`` and
``CoreV1Api`` used here will do (tests pass a fake). Each pod checks the guard itself (allow-list,
ceiling, consent) against the target it can reach; this process checks the allow-list and the
ceiling first.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any

import yaml

from entdrill import child_options, textfile
from entdrill.errors import EntdrillError, InvalidArgument
from entdrill.flood import report as report_module
from entdrill.flood.plan import FloodPlan
from entdrill.guard import ceiling
from entdrill.guard.allowlist import ENV as ALLOW_ENV
from entdrill.guard.allowlist import AllowList

log = logging.getLogger(__name__)
USERS_MOUNT = "/etc/entdrill/users/users.csv"
COMMAND = ["python", "-m", "entdrill.cli.flood"]  # reads ENTDRILL_CHILD_OPTIONS
OPTIONS_KEY = "options"
POLL_S = 2.0


def load_manifest(path: Path) -> dict[str, Any]:
    text = textfile.read_text(path, what="--job-manifest", kind="settings")
    try:
        manifest = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidArgument(f"--job-manifest {path}: not YAML ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "Job":
        raise InvalidArgument(f"--job-manifest {path}: expected a Kubernetes Job manifest")
    return manifest


def run_name(run_id: str) -> str:
    """The name of a run's Job and of the Secret holding its options."""
    return f"entdrill-flood-{run_id}"


def options_secret(plan: FloodPlan, *, run_id: str) -> dict[str, Any]:
    """The Secret holding ``plan``'s options, as the pods' command line would have held them."""
    argv = plan.options.to_argv()
    if plan.options.users:
        argv[argv.index("--users") + 1] = USERS_MOUNT
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": run_name(run_id), "labels": {"entdrill.run-id": run_id}},
        "type": "Opaque",
        "stringData": {OPTIONS_KEY: json.dumps(argv)},
    }


def job_for(
    plan: FloodPlan, manifest: dict[str, Any], *, image: str, run_id: str
) -> dict[str, Any]:
    """The Job running ``plan`` in ``plan.processes`` shards, its options read from the Secret
    ``options_secret`` makes."""
    shards = plan.processes
    job = copy.deepcopy(manifest)
    job["metadata"]["name"] = run_name(run_id)
    job["metadata"].setdefault("labels", {})["entdrill.run-id"] = run_id
    spec = job["spec"]
    spec["completionMode"] = "Indexed"
    spec["completions"] = spec["parallelism"] = shards
    container = spec["template"]["spec"]["containers"][0]
    if image:
        container["image"] = image
    container["command"] = list(COMMAND)
    container["args"] = ["--shard", f"$(JOB_COMPLETION_INDEX)/{shards}", "--report", "-"]
    env = {e["name"]: e for e in container.get("env", [])}
    for name in (ALLOW_ENV, ceiling.ENV):
        if os.environ.get(name):
            env[name] = {"name": name, "value": os.environ[name]}
    env[child_options.ENV] = {
        "name": child_options.ENV,
        "valueFrom": {"secretKeyRef": {"name": run_name(run_id), "key": OPTIONS_KEY}},
    }
    container["env"] = list(env.values())
    return job


def _field(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _status(job: Any) -> tuple[int, int]:
    status = _field(job, "status")
    return int(_field(status, "succeeded") or 0), int(_field(status, "failed") or 0)


def _pods(core: Any, namespace: str, name: str) -> list[str]:
    pods = core.list_namespaced_pod(namespace, label_selector=f"job-name={name}")
    items = pods.items if not isinstance(pods, dict) else pods["items"]
    return [p.metadata.name if not isinstance(p, dict) else p["metadata"]["name"] for p in items]


def parse_log(text: str) -> report_module.Report | None:
    """The report printed by a shard pod: the last line of its log that is a JSON object."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("format") == report_module.FORMAT:
                return data
    return None


def run(
    plan: FloodPlan,
    batch: Any,
    core: Any,
    *,
    manifest: dict[str, Any],
    namespace: str = "default",
    image: str = "",
    timeout_s: float | None = None,
    keep_job: bool = False,
    sleep: Any = time.sleep,
) -> report_module.Report:
    """Create the options' Secret and the Job, wait for the pods, merge their reports; delete
    the Secret whatever happens (and the Job, unless ``keep_job``)."""
    run_id = secrets.token_hex(4)
    job = job_for(plan, manifest, image=image, run_id=run_id)
    name = job["metadata"]["name"]
    core.create_namespaced_secret(namespace, body=options_secret(plan, run_id=run_id))
    try:
        batch.create_namespaced_job(namespace, body=job)
    except BaseException:
        core.delete_namespaced_secret(name, namespace)
        raise
    log.info("created Job %s/%s with %d shards", namespace, name, plan.processes)
    try:
        return _wait_and_merge(plan, batch, core, name, namespace, timeout_s, sleep)
    finally:
        try:
            if not keep_job:
                batch.delete_namespaced_job(name, namespace, propagation_policy="Background")
        finally:
            core.delete_namespaced_secret(name, namespace)


def _wait_and_merge(
    plan: FloodPlan,
    batch: Any,
    core: Any,
    name: str,
    namespace: str,
    timeout_s: float | None,
    sleep: Any,
) -> report_module.Report:
    shards = plan.processes
    limit = timeout_s or plan.schedule.duration_s + 2 * plan.options.timeout + 600
    deadline = time.monotonic() + limit
    while True:
        succeeded, failed = _status(batch.read_namespaced_job_status(name, namespace))
        if succeeded + failed >= shards:
            break
        if time.monotonic() > deadline:
            raise EntdrillError(f"Job {name} did not finish within {limit:g} s")
        sleep(POLL_S)
    reports, names, missing = [], [], []
    for pod in _pods(core, namespace, name):
        found = parse_log(core.read_namespaced_pod_log(pod, namespace))
        if found is None:
            missing.append(pod)
            continue
        reports.append(found)
        names.append(pod)
    if not reports:
        raise EntdrillError(f"no pod of Job {name} printed a report ({', '.join(missing)})")
    merged = report_module.merge(reports, names)
    if missing:
        merged.setdefault("notes", []).append(f"pods without a report: {', '.join(missing)}")
    merged["kubernetes"] = {"namespace": namespace, "job": name, "failed_pods": failed}
    return merged


def run_from_cli(
    plan: FloodPlan,
    token: str,
    *,
    allow: AllowList,
    namespace: str,
    image: str,
    job_manifest: str,
) -> report_module.Report:
    """``--executor kubernetes``: the allow-list and ceiling here, then the Job on the cluster."""
    for option, url in plan.url_options():
        allow.check(url, option)
    ceiling.check(plan.schedule.peak_rate())
    manifest = load_manifest(Path(job_manifest))
    from kubernetes import client, config

    try:
        config.load_kube_config()  # type: ignore[no-untyped-call]
    except Exception:
        try:
            config.load_incluster_config()  # type: ignore[no-untyped-call]
        except Exception as error:
            raise EntdrillError(f"no Kubernetes configuration found: {error}") from error
    return run(
        plan,
        client.BatchV1Api(),
        client.CoreV1Api(),
        manifest=manifest,
        namespace=namespace,
        image=image,
    )
