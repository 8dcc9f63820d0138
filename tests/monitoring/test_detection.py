"""Matching injections with the alerts Alertmanager listed (pure), and reading its API."""

from __future__ import annotations

from entdrill.monitoring.alerts import Alert, AlertWatch, Seen, parse_alerts, parse_time
from entdrill.monitoring.detection import Injection, detect, experiment_summary
from entdrill.testing import free_port

T0 = 1_800_000_000.0


def seen(name: str, starts: float, gone: float | None = None, **labels: str) -> Seen:
    alert = Alert(f"fp-{name}-{starts}", name, {"alertname": name, **labels}, starts)
    return Seen(alert, starts + 0.5, gone or starts + 1, gone)


BRIDGE_DOWN = Injection("1-video_bridge_outage", "bridge_down", "bridge", T0, T0 + 20)


def test_the_first_alert_of_the_service_and_component_after_injection_is_the_detection() -> None:
    alerts = [
        seen("BridgeDown", T0 + 9, T0 + 25, service="video", job="backup-bridge"),
        seen("EntDown", T0 + 1, T0 + 25, service="ent", job="ent"),
        seen("BridgeDown", T0 + 4.5, T0 + 26, service="video", job="bridge"),
        seen("BridgeDown", T0 - 30, T0 - 20, service="video", job="bridge"),  # an older one
    ]
    found = detect(BRIDGE_DOWN, alerts, [], watched_from=T0 - 5, watched_until=T0 + 40)
    assert (found.status, found.alert, found.detected_after_s) == ("detected", "BridgeDown", 4.5)
    assert found.resolved_after_s == 6.0  # gone 26 s after, rolled back at 20 s


def test_no_alert_while_alertmanager_was_read_all_along_is_not_detected() -> None:
    found = detect(BRIDGE_DOWN, [], [], watched_from=T0 - 5, watched_until=T0 + 40)
    assert (found.status, found.detected_after_s) == ("not_detected", None)


def test_a_gap_in_reading_alertmanager_makes_silence_unknown_never_not_detected() -> None:
    gaps = [(T0 + 3, T0 + 6)]
    found = detect(
        BRIDGE_DOWN, [], gaps, watched_from=T0 - 5, watched_until=T0 + 40, problem="refused"
    )
    assert (found.status, found.why, found.detected_after_s) == ("unknown", "refused", None)
    never = detect(BRIDGE_DOWN, [], [], watched_from=None, watched_until=T0 + 40)
    assert never.status == "unknown"


def test_a_replica_alert_names_the_replica_and_a_storm_matches_any_ent_alert() -> None:
    killed = Injection("2-server_loss", "kill_replica", "ent-2", T0, T0 + 30)
    other = [seen("EntReplicaDown", T0 + 3, service="ent", component="ent-1", job="exporter")]
    assert detect(killed, other, [], watched_from=T0, watched_until=T0 + 60).status == (
        "not_detected"
    )
    right = [seen("EntReplicaDown", T0 + 3, service="ent", component="ent-2", job="exporter")]
    assert detect(killed, right, [], watched_from=T0, watched_until=T0 + 60).status == "detected"
    storm = Injection("1-login_storm", "storm", "ent", T0, T0 + 30)
    latency = [seen("EntLoginLatencyHigh", T0 + 12, service="ent")]
    result = detect(storm, latency, [], watched_from=T0, watched_until=T0 + 60)
    assert (result.status, result.detected_after_s) == ("detected", 12.0)


def test_an_experiment_summary_is_its_fastest_detection_or_why_there_is_none() -> None:
    one = detect(BRIDGE_DOWN, [seen("BridgeDown", T0 + 7, service="video")], [],
                 watched_from=T0, watched_until=T0 + 40)  # fmt: skip
    two = detect(BRIDGE_DOWN, [], [(T0, T0 + 50)], watched_from=T0, watched_until=T0 + 40)
    assert experiment_summary([two, one])["detected_after_s"] == 7.0
    assert experiment_summary([two])["detection"] == "unknown"
    assert experiment_summary([])["detection"] == ""


def test_alertmanager_times_and_alerts_are_read_from_its_api_v2() -> None:
    assert parse_time("2026-12-06T20:10:53.628123456Z") == parse_time("2026-12-06T20:10:53.628123Z")
    body = [
        {"fingerprint": "ab", "startsAt": "2026-12-06T20:10:53.628Z",
         "labels": {"alertname": "BridgeDown", "job": "bridge", "service": "video"}},
        {"labels": "not a mapping"},
    ]  # fmt: skip
    [alert] = parse_alerts(body)
    assert (alert.name, alert.fingerprint, alert.labels["job"]) == ("BridgeDown", "ab", "bridge")
    assert alert.starts_at == parse_time("2026-12-06T20:10:53.628Z")


def test_an_unreachable_alertmanager_leaves_a_gap_and_says_why() -> None:
    watch = AlertWatch(f"http://127.0.0.1:{free_port()}", poll_s=0.05)
    watch.start()
    watch.stop()
    seen_alerts, gaps = watch.snapshot()
    assert seen_alerts == [] and gaps
    assert watch.problem.startswith("cannot read Alertmanager at http://127.0.0.1:")
