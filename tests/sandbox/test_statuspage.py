"""The status page: incidents posted with the token are shown to everyone, escaped, until resolved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from entdrill.sandbox.statuspage import Incidents, InvalidIncident, render_page
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import Reply, component, http


class Page:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def post(self, body: object, token: str | None = "") -> Reply:
        return http(
            "POST",
            self.base + "/api/incidents",
            body=body,
            token=token if token != "" else self.token,
        )

    def patch(self, incident_id: str, body: object) -> Reply:
        return http(
            "PATCH", f"{self.base}/api/incidents/{incident_id}", body=body, token=self.token
        )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    directory = tmp_path_factory.mktemp("status-sandbox")
    state = prepare_sandbox_dir(directory, free_config())
    with component("statuspage", directory) as base:
        yield Page(base, state.secrets.status_token)


def test_posted_incident_is_shown_escaped_then_resolved_off_the_active_list(page: Page) -> None:
    incident = {
        "title": "Visio <b>indisponible</b>",
        "body": "Classes basculées sur la salle de secours <script>alert(1)</script> & Slack",
        "status": "investigating",
        "components": ["video-bridge"],
    }
    created = page.post(incident)
    assert created.status == 201
    posted = created.json()
    assert posted["id"] and posted["created_at"].endswith("Z") and posted["resolved_at"] is None
    assert posted["title"] == incident["title"] and posted["components"] == ["video-bridge"]

    html = http("GET", page.base + "/").text
    assert "Visio &lt;b&gt;indisponible&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Slack" in html
    assert "<script>" not in html and "<b>indisponible" not in html
    active = http("GET", page.base + "/api/incidents").json()["active"]
    assert posted["id"] in [i["id"] for i in active]

    monitoring = page.patch(
        posted["id"], {"status": "monitoring", "body": "Rétabli, sous surveillance"}
    )
    assert monitoring.status == 200 and monitoring.json()["status"] == "monitoring"
    assert "Rétabli, sous surveillance" in http("GET", page.base + "/").text

    resolved = page.patch(posted["id"], {"status": "resolved"}).json()
    assert resolved["resolved_at"] is not None
    assert [u["status"] for u in resolved["updates"]] == ["investigating", "monitoring", "resolved"]
    listing = http("GET", page.base + "/api/incidents").json()
    assert posted["id"] not in [i["id"] for i in listing["active"]]
    assert posted["id"] in [i["id"] for i in listing["recent"]]
    assert "indisponible" not in http("GET", page.base + "/").text
    assert http("GET", f"{page.base}/api/incidents/{posted['id']}").json()["status"] == "resolved"


def test_posting_needs_the_status_token(page: Page) -> None:
    for token in ("wrong", None):
        reply = page.post({"title": "x"}, token=token)
        assert reply.status == 401 and "token" in reply.json()["error"]
    assert (
        http("PATCH", page.base + "/api/incidents/inc-1", body={"status": "resolved"}).status == 401
    )


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"body": "no title"}, "title is required"),
        ({"title": "x", "status": "panicking"}, "status must be one of"),
        ({"title": "x", "components": "video"}, "components must be a list"),
        ({"title": "x", "colour": "red"}, "unknown field(s) colour"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_invalid_incidents_are_refused_with_400_naming_the_field(
    page: Page, body: object, named: str
) -> None:
    reply = page.post(body)
    assert reply.status == 400
    assert named in reply.json()["error"]


def test_unknown_incident_is_404(page: Page) -> None:
    assert page.patch("inc-999999", {"status": "resolved"}).status == 404
    assert http("GET", page.base + "/api/incidents/inc-999999").status == 404


def test_page_says_all_is_well_without_active_incidents() -> None:
    incidents = Incidents()
    assert "Tous les services fonctionnent normalement" in render_page(incidents.active())
    incident = incidents.open({"title": "ENT lent", "status": "resolved"}, 100.0)
    assert incident.resolved_at is not None and incidents.active() == []
    assert incidents.recent(100.0 + 8 * 86_400) == []  # a week later it is no longer recent
    with pytest.raises(InvalidIncident):
        incidents.open({"title": ""}, 0.0)
