"""Alert rules end to end: matched as analyses finish or on the schedule, delivered to a real
SMTP server and a real webhook on loopback, once per rule and interval."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_q.models import Schedule

from photodesk import tasks
from photodesk.alerts import digest, matching, schedules
from photodesk.conf import photodesk_settings
from photodesk.models import AlertDelivery, AlertEvent, AlertRule, ImageAnalysis, ImageLabel, Label

from .alerts_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS
from .helpers import jpeg_bytes, make_image


def fire_label() -> Label:
    label = Label.objects.filter(slug="fire").first()
    return label or Label.objects.create(name="fire", slug="fire")


def one_file() -> str:
    """One small stored JPEG the bulk images share (their model reads its size)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save("burst/fire.jpg", ContentFile(jpeg_bytes()))


def burst_of_fire(count: int, start: dt.datetime) -> list[int]:
    """`count` images labelled "fire", their analyses finished within one minute: made in
    bulk, no model runs (the rules read what analyses store)."""
    from cms_images.models import Image

    file = one_file()
    images = Image.objects.bulk_create(
        Image(file=file, original_filename=f"fire-{i}.jpg", title=f"Fire {i}", width=64, height=48)
        for i in range(count)
    )
    step = dt.timedelta(seconds=59) / count
    ImageAnalysis.objects.bulk_create(
        ImageAnalysis(
            image=image,
            status=ImageAnalysis.Status.DONE,
            started_at=start + i * step,
            finished_at=start + i * step,
        )
        for i, image in enumerate(images)
    )
    label = fire_label()
    ImageLabel.objects.bulk_create(
        ImageLabel(image=image, label=label, confidence=91.0, state=ImageLabel.State.AUTO)
        for image in images
    )
    return [image.pk for image in images]


@pytest.mark.django_db
def test_a_burst_of_500_fire_images_sends_one_digest(smtp_inbox, webhook, settings):
    rule = AlertRule.objects.create(
        name="Fire",
        kind=AlertRule.Kind.LABEL,
        label="fire",
        min_confidence=80,
        emails="desk@example.org",
        webhook_url=webhook.url,
        min_interval_minutes=15,
    )
    ids = burst_of_fire(500, timezone.now())

    started = time.perf_counter()
    for pk in ids:  # each analysis's queued check, as the worker runs it
        tasks.check_alerts(pk)
    checked = time.perf_counter() - started

    # 500 events, one flush scheduled: the digest delay after the first.
    assert AlertEvent.objects.filter(rule=rule, sent_at=None).count() == 500
    (flush,) = Schedule.objects.filter(name=schedules.flush_name(rule.pk))
    first = AlertEvent.objects.filter(rule=rule).earliest("created").created
    assert flush.next_run == first + dt.timedelta(seconds=photodesk_settings.ALERT_DIGEST_SECONDS)
    assert not smtp_inbox.messages and not webhook.bodies  # nothing before the flush

    started = time.perf_counter()
    assert tasks.flush_alerts(rule.pk) == 2  # e-mail and webhook: one message each
    flushed = time.perf_counter() - started

    (message,) = smtp_inbox.messages
    assert message["Subject"] == "[Photodesk] Fire: 500 new matches"
    body = message.get_content()
    assert "Fire 0: fire (91 %)" in body and "… and 400 more" in body
    (posted,) = webhook.bodies
    assert posted["count"] == 500 and len(posted["events"]) == 500
    assert {e["label"] for e in posted["events"]} == {"fire"}
    assert AlertDelivery.objects.filter(rule=rule, event_count=500, ok=True).count() == 2

    # The same images again (re-analysed): already announced, nothing new.
    assert tasks.check_alerts(ids[0]) == 0
    # One more within the minimum interval waits for it, in the next digest.
    more = burst_of_fire(1, timezone.now())
    tasks.check_alerts(more[0])
    assert tasks.flush_alerts(rule.pk) == 0 and len(smtp_inbox.messages) == 1
    (later,) = Schedule.objects.filter(name=schedules.flush_name(rule.pk))
    rule.refresh_from_db()
    assert later.next_run == rule.last_sent_at + dt.timedelta(minutes=15)
    print(f"\n500 events checked in {checked:.2f} s, one digest sent in {flushed:.2f} s")


@pytest.mark.django_db
def test_count_rules_fire_once_per_window(smtp_inbox):
    burst_of_fire(12, timezone.now() - dt.timedelta(minutes=5))
    rule = AlertRule.objects.create(
        name="Fire wave",
        kind=AlertRule.Kind.LABEL_COUNT,
        label="fire",
        threshold=10,
        window_minutes=30,
        emails="desk@example.org",
    )
    quiet = AlertRule.objects.create(
        name="Failures", kind=AlertRule.Kind.FAILURES, threshold=3, emails="ops@example.org"
    )
    assert tasks.check_alert_rules() == 1
    assert tasks.check_alert_rules() == 0  # the same window: de-duplicated
    assert tasks.flush_alerts(rule.pk) == 1 and tasks.flush_alerts(quiet.pk) == 0
    (message,) = smtp_inbox.messages
    assert "12 images labelled fire in the last 30 minutes" in message["Subject"]


@pytest.mark.django_db
def test_failures_above_n_per_hour(smtp_inbox):
    from cms_images.models import Image

    file = one_file()
    images = Image.objects.bulk_create(Image(file=file) for i in range(4))
    ImageAnalysis.objects.bulk_create(
        ImageAnalysis(image=image, status=ImageAnalysis.Status.FAILED, error="Truncated")
        for image in images
    )
    rule = AlertRule.objects.create(
        name="Failing", kind=AlertRule.Kind.FAILURES, threshold=3, emails="ops@example.org"
    )
    assert tasks.check_alert_rules() == 1
    tasks.flush_alerts(rule.pk)
    assert "4 analyses failed in the last hour" in smtp_inbox.messages[0]["Subject"]


def test_an_analysed_photo_alerts_through_email_and_a_slack_webhook(
    archive, separate_index, settings, smtp_inbox, webhook, django_capture_on_commit_callbacks
):
    """The real path: a photo analysed by the models, its check queued after the commit
    (inline here), a label rule matched, sent at once (no earlier message)."""
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    cat = ImageAnalysis.objects.get(image_id=archive["animal_cat_chelsea.jpg"])
    label = ImageLabel.objects.visible().filter(image_id=cat.image_id).first().label
    rule = AlertRule.objects.create(
        name="Seen",
        kind=AlertRule.Kind.LABEL,
        label=label.name,
        emails="desk@example.org, pictures@example.org",
        webhook_url=webhook.url,
        webhook_format=AlertRule.WebhookFormat.SLACK,
    )
    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat3.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.analyze_now(image)
    (message,) = smtp_inbox.messages
    assert smtp_inbox.envelopes[0][1] == ["desk@example.org", "pictures@example.org"]
    assert label.name in message["Subject"]
    (posted,) = webhook.bodies
    assert set(posted) == {"text"} and label.name in posted["text"]  # Slack's shape
    assert AlertEvent.objects.get(rule=rule).image_id == image.pk


def test_a_saved_search_gains_new_results(archive, smtp_inbox, django_user_model):
    from photodesk.models import SavedSearch

    owner = django_user_model.objects.create_user("desk")
    search = SavedSearch.objects.create(owner=owner, name="Cats", query="a cat", limit=3)
    rule = AlertRule.objects.create(
        name="New cats",
        kind=AlertRule.Kind.SAVED_SEARCH,
        saved_search=search,
        emails="desk@example.org",
    )
    # Everything in the demo archive was analysed after the rule "last ran".
    AlertRule.objects.filter(pk=rule.pk).update(checked_at=timezone.now() - dt.timedelta(days=3))
    assert tasks.check_alert_rules() == 1
    events = AlertEvent.objects.filter(rule=rule)
    assert 1 <= events.count() <= 3
    assert archive["animal_cat_chelsea.jpg"] in {e.image_id for e in events}
    assert tasks.check_alert_rules() == 0  # nothing analysed since
    tasks.flush_alerts(rule.pk)
    assert "“a cat”" in smtp_inbox.messages[0].get_content()


@pytest.mark.django_db
def test_the_safety_settings_are_a_rule_that_can_be_tested(smtp_inbox, webhook, settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "SAFETY_NOTIFY_EMAILS": ["safety@example.org"],
        "SAFETY_WEBHOOK_URL": webhook.url,
    }
    assert matching.wanted()
    rule = matching.settings_rule()
    assert rule.kind == AlertRule.Kind.FLAGGED and rule.from_settings
    sent = digest.send_test(rule)
    assert [d.channel for d in sent] == ["email", "webhook"] and all(d.ok for d in sent)
    assert smtp_inbox.envelopes[0][1] == ["safety@example.org"]
    assert webhook.bodies[0]["event"] == "photodesk.alert.test"


@pytest.mark.django_db
def test_a_dead_webhook_is_recorded_not_raised(smtp_inbox):
    from .helpers import free_port

    rule = AlertRule.objects.create(
        name="Dead", kind=AlertRule.Kind.FLAGGED, webhook_url=f"http://127.0.0.1:{free_port()}/"
    )
    (delivery,) = digest.send_test(rule)
    assert not delivery.ok and "Connection refused" in delivery.error


@pytest.mark.django_db
def test_a_named_person_appearing_alerts_once(smtp_inbox):
    from photodesk.models import Face, Person

    (image_id,) = burst_of_fire(1, timezone.now())
    mayor = Person.objects.create(name="Ada Mayor")
    rule = AlertRule.objects.create(
        name="The mayor", kind=AlertRule.Kind.PERSON, person=mayor, emails="desk@example.org"
    )
    assert tasks.check_alerts(image_id) == 0  # nobody shown yet
    Face.objects.create(
        image_id=image_id,
        box=[1, 1, 20, 20],
        detection_confidence=0.99,
        person=mayor,
        state=Face.State.CONFIRMED,
    )
    assert tasks.check_alerts(image_id) == 1
    assert tasks.check_alerts(image_id) == 0  # once per image
    tasks.flush_alerts(rule.pk)
    assert smtp_inbox.messages[0]["Subject"] == "[Photodesk] The mayor: Fire 0 shows Ada Mayor"


@pytest.mark.django_db
def test_a_person_named_after_the_analysis_alerts_too(
    smtp_inbox, settings, django_user_model, django_capture_on_commit_callbacks
):
    """Faces named later, in review or by naming a cluster, reach the person rules."""
    from photodesk.models import Face, FaceCluster, Person
    from photodesk.people import decisions

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    reviewer = django_user_model.objects.create_user("face-reviewer")
    in_review, in_cluster, other = burst_of_fire(3, timezone.now())
    mayor = Person.objects.create(name="Ada Mayor")
    stranger = Person.objects.create(name="Someone Else")
    rule = AlertRule.objects.create(
        name="The mayor", kind=AlertRule.Kind.PERSON, person=mayor, emails="desk@example.org"
    )
    cluster = FaceCluster.objects.create()
    faces = {
        image_id: Face.objects.create(
            image_id=image_id,
            box=[1, 1, 20, 20],
            detection_confidence=0.99,
            cluster=cluster if image_id == in_cluster else None,
        )
        for image_id in (in_review, in_cluster, other)
    }
    for image_id in faces:
        assert tasks.check_alerts(image_id) == 0  # analysed: nobody named yet

    with django_capture_on_commit_callbacks(execute=True):
        decisions.assign_face(faces[in_review], mayor, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert decisions.name_cluster(cluster, mayor, reviewer) == 1
    with django_capture_on_commit_callbacks(execute=True):
        decisions.assign_face(faces[other], stranger, reviewer)
    events = AlertEvent.objects.filter(rule=rule)
    assert sorted(events.values_list("image_id", flat=True)) == [in_review, in_cluster]

    # Named again (confirmed twice, re-analysed): still once per image.
    with django_capture_on_commit_callbacks(execute=True):
        decisions.assign_face(faces[in_review], mayor, reviewer)
    assert tasks.check_alerts(in_review) == 0
    assert events.count() == 2
    # The first was sent at once (inline); the second waits for the rule's minimum interval.
    (message,) = smtp_inbox.messages
    assert message["Subject"] == "[Photodesk] The mayor: Fire 0 shows Ada Mayor"
    assert list(events.filter(sent_at=None).values_list("image_id", flat=True)) == [in_cluster]
