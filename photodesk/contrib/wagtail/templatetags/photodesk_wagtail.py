from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from photodesk.admin import render_analysis
from photodesk.models import ImageLabel
from photodesk.people.admin import render_faces

register = template.Library()


@register.simple_tag
def photodesk_image_panels(image) -> SafeString:
    """Photodesk's analysis, tags (with their state) and faces of a Wagtail image."""
    labels = (
        ImageLabel.objects.filter(image=image, label__active=True)
        .exclude(state=ImageLabel.State.REJECTED)
        .select_related("label")
    )
    return render_to_string(
        "photodesk_wagtail/image_panels.html",
        {
            "analysis_html": render_analysis(image),
            "labels": labels,
            "faces_html": render_faces(image),
        },
    )
