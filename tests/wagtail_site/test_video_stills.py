"""A video's frame made a still on a Wagtail site: a complete Wagtail image (size, hash,
collection, title from the video), linked to its video and time."""

from __future__ import annotations

import pytest

from tests.video_fixtures import save_cafe_video

pytest.importorskip("av")


@pytest.mark.django_db
def test_a_video_frame_becomes_a_wagtail_image(tmp_path, settings):
    from wagtail.images import get_image_model

    from photodesk.analysis.video.stills import make_still
    from photodesk.models import VideoStill
    from tests.wagtail_site.models import Video

    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    video = Video(title="Harbour café", credit="Newsroom")
    save_cafe_video(video, tmp_path, analyse=False)

    still = make_still(video, 4.0)

    image = get_image_model().objects.get(pk=still.pk)
    assert (image.width, image.height) == (480, 360)
    assert image.file_size > 0 and image.file_hash
    assert image.collection_id is not None
    assert image.title == "Harbour café at 00:04"
    assert VideoStill.objects.get(image_id=image.pk).video_id == video.pk
    assert image.get_rendition("max-165x165").url  # Wagtail can render it
