"""Naming a face cluster in a real browser (Playwright on Debian's Chromium)."""

from __future__ import annotations

import pytest

from photodesk import tasks
from photodesk.models import Face, Person
from photodesk.people import clustering

from .browser import log_in, save_screenshot
from .conftest import need
from .face_fixtures import FAST_ANALYZERS
from .face_scenes import available, make_scenes
from .helpers import make_image


@pytest.mark.browser
def test_a_reviewer_names_a_cluster_from_its_face_grid(
    live_server,
    browser_page,
    django_user_model,
    settings,
    separate_index,
    tmp_path,
    request,
):
    need(available(), "the face source photos in ../shared/photos are missing")
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": FAST_ANALYZERS}
    django_user_model.objects.create_superuser("desk", "d@example.com", "secret-pw")
    scenes = make_scenes(tmp_path / "scenes", ["p2083778090"], per_person=3, seed=5)
    images = [make_image(s.path.read_bytes(), s.path.name) for s in scenes]
    for image in images:
        tasks.analyze_now(image)
    clustering.recluster_all()
    cluster = Face.objects.get(image=images[0]).cluster
    assert cluster is not None
    page = browser_page
    try:
        log_in(page, live_server.url, "desk")
        page.goto(f"{live_server.url}/admin/semantic_search/facecluster/")
        page.click(f"a[href$='/facecluster/{cluster.pk}/change/']")
        assert page.locator("figure.cluster-face").count() == 3
        # one face is not this person
        wrong = Face.objects.get(image=images[2])
        page.click(f"figure[data-face='{wrong.pk}'] button[name=remove_face]")
        page.wait_for_selector("ul.messagelist")
        assert page.locator("figure.cluster-face").count() == 2
        page.fill("#id_new_name", "Nadia Rahman")
        page.click("input[name=name_cluster]")
        page.wait_for_selector("ul.messagelist")
        assert "Named 2 face(s) “Nadia Rahman”" in page.inner_text("ul.messagelist")
        person = Person.objects.get(name="Nadia Rahman")
        assert set(person.faces.values_list("image_id", flat=True)) == {
            images[0].pk,
            images[1].pk,
        }
    except Exception:
        save_screenshot(page, request)
        raise
