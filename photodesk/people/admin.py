"""Admin for people and faces: people with their face crops and photos, clusters shown as
face-crop grids to name in one go, faces to confirm or reject, merging people, the decision
log, and a faces panel for any image admin (FacesPanelMixin). Every decision goes through
photodesk.people.decisions (audited, human decisions win)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from photodesk.host import thumbnail_html
from photodesk.models import Face, FaceCluster, FaceDecision, Person
from photodesk.people import decisions, queries

SHOWN = Q(faces__state__in=Face.SHOWING_STATES)


def crop_html(face: Face, size: int = 72) -> SafeString:
    if not face.thumbnail:
        return format_html(
            '<span style="display:inline-block;width:{}px;height:{}px;background:#ddd" '
            'title="no crop (erased or not made)"></span>',
            size,
            size,
        )
    return format_html(
        '<img src="{}" alt="face {}" style="width:{}px;height:{}px;object-fit:cover;'
        'border-radius:4px" loading="lazy">',
        face.thumbnail.url,
        face.pk,
        size,
        size,
    )


def image_change_url(image) -> str:
    meta = image._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[image.pk])


class AliasesField(forms.CharField):
    """Aliases edited as one name per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class PersonForm(forms.ModelForm):
    aliases = AliasesField(
        required=False, help_text="Other names and spellings, one a line (or comma-separated)."
    )

    class Meta:
        model = Person
        fields = ("name", "aliases", "kind", "description", "external_ids")


class MergePeopleForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Person.objects.all(), label="Merge into")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ("name", "alias_list", "kind", "photos", "to_review", "updated")
    list_filter = ("kind",)
    search_fields = ("name", "search_names", "description")
    readonly_fields = ("face_grid", "photo_grid", "created", "updated")
    actions = ["merge_people_action"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_photos=Count("faces__image", filter=SHOWN, distinct=True),
                n_review=Count("faces", filter=Q(faces__state=Face.State.REVIEW), distinct=True),
            )
        )

    @admin.display(description="aliases")
    def alias_list(self, obj: Person) -> str:
        return ", ".join(obj.aliases)

    @admin.display(description="photos", ordering="n_photos")
    def photos(self, obj: Person) -> int:
        return obj.n_photos

    @admin.display(description="to review", ordering="n_review")
    def to_review(self, obj: Person) -> int:
        return obj.n_review

    @admin.display(description="Faces")
    def face_grid(self, obj: Person) -> SafeString:
        faces = list(obj.faces.select_related("image")[:60]) if obj.pk else []
        if not faces:
            return "—"
        face_url = "admin:semantic_search_face_change"
        return format_html_join(
            " ",
            '<a href="{}" title="{}">{}</a>',
            ((reverse(face_url, args=[f.pk]), f.get_state_display(), crop_html(f)) for f in faces),
        )

    @admin.display(description="Photos")
    def photo_grid(self, obj: Person) -> SafeString:
        if not obj.pk:
            return "—"
        images = queries.photos_of_person(obj)[:40]
        if not images:
            return "—"
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            ((image_change_url(img), thumbnail_html(img, 80)) for img in images),
        )

    @admin.action(description="Merge the selected people into another…")
    def merge_people_action(self, request, queryset):
        if not request.user.has_perm("semantic_search.change_person"):
            self.message_user(request, "You may not merge people.", messages.ERROR)
            return None
        form = MergePeopleForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            target = form.cleaned_data["target"]
            merged = 0
            for source in queryset.exclude(pk=target.pk):
                decisions.merge_people(source, target, request.user)
                merged += 1
            self.message_user(
                request, f"Merged {merged} person(s) into “{target}”.", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "people": list(queryset),
            "form": form,
            "title": "Merge people",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/semantic_search/person/merge.html", context)


class NameClusterForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, label="An existing person"
    )
    new_name = forms.CharField(max_length=200, required=False, label="…or a new person")
    kind = forms.ChoiceField(choices=Person.Kind.choices, initial=Person.Kind.PUBLIC)

    def clean(self):
        data = super().clean()
        if bool(data.get("person")) == bool((data.get("new_name") or "").strip()):
            raise forms.ValidationError("Choose an existing person or type a new name (one).")
        return data

    def person_to_name(self) -> Person:
        if self.cleaned_data["person"]:
            return self.cleaned_data["person"]
        name = self.cleaned_data["new_name"].strip()
        existing = Person.objects.named(name).first()
        return existing or Person.objects.create(name=name, kind=self.cleaned_data["kind"])


@admin.register(FaceCluster)
class FaceClusterAdmin(admin.ModelAdmin):
    """Unnamed faces grouped by the clustering task: name a cluster, remove a wrong face."""

    list_display = ("__str__", "grid", "size", "updated")
    list_per_page = 30

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_faces=Count("faces")).order_by("-n_faces")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("semantic_search.change_face")

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj) or request.user.has_perm(
            "semantic_search.view_face"
        )

    @admin.display(description="faces", ordering="n_faces")
    def size(self, obj: FaceCluster) -> int:
        return obj.n_faces

    @admin.display(description="")
    def grid(self, obj: FaceCluster) -> SafeString:
        faces = list(obj.faces.all()[:12])
        return format_html_join(" ", "{}", ((crop_html(f, 56),) for f in faces))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cluster = get_object_or_404(FaceCluster, pk=object_id)
        can_change = self.has_change_permission(request, cluster)
        form = NameClusterForm(request.POST if "name_cluster" in request.POST else None)
        if request.method == "POST":
            if not can_change:
                self.message_user(request, "You may not change faces.", messages.ERROR)
                return HttpResponseRedirect(request.path)
            if "remove_face" in request.POST:
                face = get_object_or_404(Face, pk=request.POST["remove_face"], cluster=cluster)
                decisions.remove_face_from_cluster(face, request.user)
                self.message_user(request, f"Removed face {face.pk} from the cluster.")
                if FaceCluster.objects.filter(pk=cluster.pk).exists():
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(reverse("admin:semantic_search_facecluster_changelist"))
            if form.is_valid():
                person = form.person_to_name()
                named = decisions.name_cluster(cluster, person, request.user)
                self.message_user(request, f"Named {named} face(s) “{person}”.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:semantic_search_facecluster_changelist"))
        faces = list(cluster.faces.select_related("image"))
        context = {
            **self.admin_site.each_context(request),
            "cluster": cluster,
            "faces": [(f, crop_html(f, 96), image_change_url(f.image)) for f in faces],
            "form": form,
            "can_change": can_change,
            "title": f"{cluster}: {len(faces)} face(s)",
            "opts": self.model._meta,
            "original": cluster,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/semantic_search/facecluster/name.html", context)


@admin.action(description="Confirm the proposed person of the selected faces")
def confirm_faces(modeladmin, request, queryset) -> None:
    faces = [f for f in queryset.select_related("person") if f.person_id]
    for face in faces:
        decisions.assign_face(face, face.person, request.user)
    modeladmin.message_user(request, f"Confirmed {len(faces)} face(s).", messages.SUCCESS)


@admin.action(description="Reject the person of the selected faces (never proposed again)")
def reject_faces(modeladmin, request, queryset) -> None:
    faces = [f for f in queryset.select_related("person") if f.person_id]
    for face in faces:
        decisions.reject_face(face, request.user)
    modeladmin.message_user(request, f"Rejected {len(faces)} face(s).", messages.SUCCESS)


class FaceForm(forms.ModelForm):
    class Meta:
        model = Face
        fields = ("person",)


@admin.register(Face)
class FaceAdmin(admin.ModelAdmin):
    """Every face; filter "Needs review" to confirm or reject proposals. Choosing a person on
    a face's page assigns it (a human decision)."""

    form = FaceForm
    list_display = ("crop", "image", "person", "state", "distance", "quality", "usable")
    list_filter = ("state", "usable", "expression", ("person", admin.RelatedOnlyFieldListFilter))
    search_fields = ("person__name", "person__search_names")
    list_select_related = ("person", "image")
    autocomplete_fields = ("person",)
    actions = [confirm_faces, reject_faces]
    readonly_fields = (
        "crop_large",
        "image",
        "box",
        "detection_confidence",
        "expression",
        "expression_confidence",
        "quality",
        "usable",
        "state",
        "distance",
        "cluster",
        "source",
        "embedding_model",
        "decided_by",
        "decided_at",
        "rejected",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="")
    def crop(self, obj: Face) -> SafeString:
        return crop_html(obj, 48)

    @admin.display(description="Face")
    def crop_large(self, obj: Face) -> SafeString:
        return crop_html(obj, 112)

    @admin.display(description="Rejected people")
    def rejected(self, obj: Face) -> str:
        return ", ".join(p.name for p in obj.rejected_people.all()) or "—"

    def save_model(self, request, obj, form, change) -> None:
        if "person" not in form.changed_data:
            return
        face = Face.objects.get(pk=obj.pk)
        if obj.person is None:
            if face.person_id:
                decisions.reject_face(face, request.user)
        else:
            decisions.assign_face(face, obj.person, request.user)


@admin.register(FaceDecision)
class FaceDecisionAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "person_name", "image_id_snapshot", "face")
    list_filter = ("action", "user", "at")
    search_fields = ("person_name",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def render_faces(image) -> SafeString:
    faces = (
        list(Face.objects.filter(image=image).select_related("person"))
        if image and image.pk
        else []
    )
    items = [
        (
            f,
            crop_html(f, 72),
            reverse("admin:semantic_search_face_change", args=[f.pk]),
            reverse("admin:semantic_search_person_change", args=[f.person_id])
            if f.person_id
            else "",
        )
        for f in faces
    ]
    return render_to_string("semantic_search/faces_panel.html", {"faces": items})


class FacesPanelMixin:
    """Add "photodesk_faces" to readonly_fields/fieldsets of an image ModelAdmin: the image's
    face crops with who they show (read-only; decisions are made on the face or person)."""

    @admin.display(description="Faces")
    def photodesk_faces(self, obj) -> SafeString:
        return render_faces(obj)
