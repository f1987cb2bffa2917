"""An OpenSearch outage, for real: the node is stopped, images are saved and deleted, the node
is started again, and the scheduled retries bring the index back in step with the database.

The test starts a node of its own (a free port, its own data directory) and stops only that
one: never the shared node at OPENSEARCH_URL. (About a minute: three node starts and stops.)"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from photodesk.models import ImageAnalysis, IndexRemoval
from photodesk.search.index import get_index
from photodesk.search.index.base import IndexUnavailable

from .conftest import DEMO_PHOTOS
from .helpers import make_image
from .opensearch_support import new_alias, node_is_up, own_node, use_opensearch


@pytest.mark.django_db
def test_images_saved_while_opensearch_is_down_are_indexed_when_it_returns(
    archive, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    from cms_images.models import Image
    from photodesk.search.service import search_images

    with own_node() as node:
        use_opensearch(
            settings, new_alias(), node.url, OPENSEARCH_MAX_RETRIES=0, OPENSEARCH_TIMEOUT=5
        )
        settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True, "INDEX_RETRY_SECONDS": 0}
        call_command("reindex", no_progress=True, stdout=StringIO())
        index = get_index()
        doomed = archive["food_coffee_cup.jpg"]
        stopped = node.script("stop")
        assert stopped.returncode == 0 and not node_is_up(node.url), stopped.stderr
        try:
            with django_capture_on_commit_callbacks(execute=True):
                image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), "c.jpg")
            with django_capture_on_commit_callbacks(execute=True):
                Image.objects.get(pk=doomed).delete()
            # Saving and analysing worked; only the index writes wait.
            assert ImageAnalysis.objects.get(image=image).status == ImageAnalysis.Status.DONE
            retries = Schedule.objects.filter(func="photodesk.tasks.sync_index")
            assert [int(s.args.split(",")[0]) for s in retries] == [image.pk]
            # The delete's removal waits in the outbox, with one retry of its own.
            assert IndexRemoval.objects.filter(image_key=str(doomed)).exists()
            assert Schedule.objects.filter(func="photodesk.tasks.drain_index_outbox").count() == 1
            with pytest.raises(IndexUnavailable):
                index.count()
        finally:
            started = node.script("start")
            assert started.returncode == 0, started.stderr
        # The worker's scheduler runs the due retries; in-process (django-q's sync mode).
        monkeypatch.setattr(Conf, "SYNC", True)
        scheduler(broker=get_broker())
        assert not Schedule.objects.filter(func="photodesk.tasks.sync_index").exists()
        assert not IndexRemoval.objects.exists()
        assert image.pk in index.ids() and doomed not in index.ids()
        assert image.pk in [r.image.pk for r in search_images("a cat", limit=2)]
