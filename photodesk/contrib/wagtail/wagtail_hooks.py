"""Wagtail hooks: the panel's endpoints under /admin/photodesk/, and Photodesk's review pages
(label review queue, people, labels) in Wagtail's menu."""

from __future__ import annotations

from django.urls import NoReverseMatch, include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from photodesk.contrib.wagtail import views


@hooks.register("register_admin_urls")
def photodesk_urls() -> list:
    return [path("photodesk/", include((views.urlpatterns, "photodesk_wagtail")))]


class AdminPageItem(MenuItem):
    """A Photodesk page of the Django admin, shown to those who may view it there."""

    def __init__(self, label: str, url_name: str, permission: str, **kwargs) -> None:
        super().__init__(label, "", **kwargs)
        self.url_name = url_name
        self.permission = permission

    def is_shown(self, request) -> bool:
        user = request.user
        return user.is_staff and user.has_perm(self.permission) and bool(self.resolved_url())

    def resolved_url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # the site does not mount Django's admin
            return ""

    def render_component(self, request):
        self.url = self.resolved_url()
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def photodesk_menu() -> SubmenuMenuItem:
    items = [
        AdminPageItem(
            "Label review queue",
            "admin:semantic_search_reviewitem_changelist",
            "semantic_search.view_reviewitem",
            icon_name="tasks",
            order=100,
        ),
        AdminPageItem(
            "People",
            "admin:semantic_search_person_changelist",
            "semantic_search.view_person",
            icon_name="group",
            order=200,
        ),
        AdminPageItem(
            "Unnamed faces",
            "admin:semantic_search_facecluster_changelist",
            "semantic_search.view_facecluster",
            icon_name="user",
            order=300,
        ),
        AdminPageItem(
            "Labels",
            "admin:semantic_search_label_changelist",
            "semantic_search.view_label",
            icon_name="tag",
            order=400,
        ),
    ]
    return SubmenuMenuItem("Photodesk", Menu(items=items), icon_name="image", order=350)
