"""/saved-searches/ and /alert-rules/ with the roles: journalists keep their own saved
searches and run them; only admins manage alert rules."""

from __future__ import annotations

from django_q.models import Schedule

from photodesk.alerts import schedules
from photodesk.models import AlertDelivery, AlertRule, SavedSearch

from .alerts_support import *  # noqa: F403
from .api_support import *  # noqa: F403

SEARCHES = "/api/v1/saved-searches/"
RULES = "/api/v1/alert-rules/"


def test_journalists_own_their_saved_searches_and_run_them(api, archive):
    journalist, reviewer = api("journalist"), api("reviewer")
    made = journalist.post(
        SEARCHES,
        {"name": "Cats", "query": "a cat", "limit": 3, "flagged": "exclude", "labels": []},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["owner"] == "journalist" and body["query"] == "a cat"

    # Only the owner sees it.
    assert [s["name"] for s in journalist.get(SEARCHES).json()["results"]] == ["Cats"]
    assert reviewer.get(SEARCHES).json()["results"] == []
    assert reviewer.get(body["url"]).status_code == 404
    assert reviewer.delete(body["url"]).status_code == 404

    results = journalist.get(body["results_url"])
    assert results.status_code == 200
    rows = results.json()["results"]
    assert 1 <= len(rows) <= 3 and archive["animal_cat_chelsea.jpg"] in [r["id"] for r in rows]

    changed = journalist.patch(body["url"], {"limit": 1}, format="json")
    assert (
        changed.status_code == 200
        and len(journalist.get(body["results_url"]).json()["results"]) == 1
    )
    assert journalist.delete(body["url"]).status_code == 204
    assert not SavedSearch.objects.exists()


def test_bad_saved_searches_are_refused(api):
    journalist = api("journalist")
    for bad, field in (
        ({"name": "x", "query": ""}, "query"),
        ({"name": "x", "query": "cats", "limit": 0}, "limit"),
        ({"name": "x", "query": "cats", "min_similarity": 2}, "min_similarity"),
        ({"name": "x", "query": "cats", "orientation": "round"}, "orientation"),
        ({"name": "x", "query": "cats", "people": [999999]}, "people"),
    ):
        answer = journalist.post(SEARCHES, bad, format="json")
        assert answer.status_code == 400 and field in str(answer.json()), (bad, answer.content)
    assert not SavedSearch.objects.exists()
    assert api("anonymous").get(SEARCHES).status_code == 401
    assert api("nobody").get(SEARCHES).status_code == 403


def test_only_admins_manage_alert_rules(api, smtp_inbox):
    rule = {
        "name": "Fire",
        "kind": "label",
        "label": "fire",
        "min_confidence": 80,
        "emails": "desk@example.org",
    }
    for who in ("journalist", "reviewer"):
        assert api(who).post(RULES, rule, format="json").status_code == 403
        assert api(who).get(RULES).status_code == 403
    admin = api("admin")
    made = admin.post(RULES, rule, format="json")
    assert made.status_code == 201, made.content
    url = made.json()["url"]

    sent = admin.post(url + "send-test/")
    assert sent.status_code == 200
    assert [d["channel"] for d in sent.json()] == ["email"] and sent.json()[0]["ok"]
    assert "Test of the alert rule “Fire”" in smtp_inbox.messages[0]["Subject"]
    assert AlertDelivery.objects.filter(test=True).count() == 1

    # A count rule puts the periodic check on the schedule.
    counted = admin.post(
        RULES, {**rule, "name": "Fire wave", "kind": "label_count", "threshold": 20}, format="json"
    )
    assert counted.status_code == 201
    assert Schedule.objects.filter(name=schedules.RULE_CHECK).count() == 1


def test_a_rule_without_what_it_needs_is_refused(api):
    admin = api("admin")
    for bad, field in (
        ({"name": "x", "kind": "label", "emails": "a@example.org"}, "label"),
        ({"name": "x", "kind": "person", "emails": "a@example.org"}, "person"),
        ({"name": "x", "kind": "flagged"}, "emails"),
        ({"name": "x", "kind": "volcano", "emails": "a@example.org"}, "kind"),
        ({"name": "x", "kind": "flagged", "webhook_url": "not a url"}, "webhook_url"),
    ):
        answer = admin.post(RULES, bad, format="json")
        assert answer.status_code == 400 and field in str(answer.json()), (bad, answer.content)
    assert not AlertRule.objects.exists()
