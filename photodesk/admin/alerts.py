"""Admin for watching the archive: saved searches (with their results), alert rules (with a
"Send test" button), the alerts sent, and reports (run now, their files to download)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from photodesk.alerts import digest, reports, saved, schedules
from photodesk.host import host
from photodesk.models import AlertDelivery, AlertRule, Report, ReportFile, SavedSearch


class ListField(forms.CharField):
    """A JSON list of words edited as comma-separated text."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return [part.strip() for part in (value or "").split(",") if part.strip()]


class SavedSearchForm(forms.ModelForm):
    rights = ListField(required=False, help_text="Comma-separated; empty: any rights.")
    labels = ListField(required=False, help_text="Comma-separated; images with all of them.")

    class Meta:
        model = SavedSearch
        fields = SavedSearch.EDITABLE_FIELDS


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    form = SavedSearchForm
    list_display = ("name", "query", "owner", "limit", "updated", "results_link")
    search_fields = ("name", "query")
    list_filter = ("owner",)
    autocomplete_fields = ("people",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="results")
    def results_link(self, obj: SavedSearch) -> str:
        url = reverse("admin:semantic_search_savedsearch_results", args=[obj.pk])
        return format_html('<a href="{}">Run</a>', url)

    def get_urls(self):
        results = self.admin_site.admin_view(self.results_view)
        return [
            path("<int:pk>/results/", results, name="semantic_search_savedsearch_results"),
            *super().get_urls(),
        ]

    def results_view(self, request, pk: int):
        search = get_object_or_404(SavedSearch, pk=pk)
        if not self.has_view_permission(request, search):
            raise PermissionDenied
        found = saved.run(search)
        rows = reports.result_rows(found)
        site = host()
        for row, result in zip(rows, found, strict=True):
            row["thumbnail"] = site.thumbnail_url(result.image)
            row["admin_url"] = site.image_admin_url(result.image)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Results of “{search}”",
            "search": search,
            "rows": rows,
        }
        return TemplateResponse(request, "semantic_search/saved_search_results.html", context)


class AlertRuleForm(forms.ModelForm):
    webhook_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Webhook URL"
    )

    class Meta:
        model = AlertRule
        fields = AlertRule.EDITABLE_FIELDS
        widgets = {"emails": forms.Textarea(attrs={"rows": 2})}


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    change_form_template = "semantic_search/alertrule_change_form.html"
    list_display = ("name", "kind", "active", "channels", "min_interval_minutes", "last_sent_at")
    list_filter = ("kind", "active")
    search_fields = ("name", "label")
    autocomplete_fields = ("person",)
    readonly_fields = ("from_settings", "checked_at", "last_sent_at")
    fieldsets = (
        (None, {"fields": ("name", "kind", "active")}),
        (
            "What to watch",
            {
                "fields": (
                    "label",
                    "min_confidence",
                    "person",
                    "saved_search",
                    "threshold",
                    "window_minutes",
                )
            },
        ),
        (
            "Where to send it",
            {"fields": ("emails", "webhook_url", "webhook_format", "min_interval_minutes")},
        ),
        ("State", {"fields": ("from_settings", "checked_at", "last_sent_at")}),
    )

    @admin.display(description="channels")
    def channels(self, obj: AlertRule) -> str:
        if obj.from_settings:
            return "the safety settings"
        return ", ".join(
            name
            for name, on in (("e-mail", obj.emails.strip()), ("webhook", obj.webhook_url))
            if on
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.kind not in AlertRule.EVENT_KINDS:
            schedules.ensure_rule_check()

    def get_urls(self):
        send_test = self.admin_site.admin_view(self.send_test_view)
        return [
            path("<int:pk>/send-test/", send_test, name="semantic_search_alertrule_send_test"),
            *super().get_urls(),
        ]

    def send_test_view(self, request, pk: int):
        """POST: send a test message on the rule's channels; say how each went."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        rule = get_object_or_404(AlertRule, pk=pk)
        if not self.has_change_permission(request, rule):
            raise PermissionDenied
        sent = digest.send_test(rule)
        if not sent:
            self.message_user(request, "This rule has no channel to send to.", messages.WARNING)
        for delivery in sent:
            if delivery.ok:
                text = f"Test sent by {delivery.channel} to {delivery.target}."
                self.message_user(request, text, messages.SUCCESS)
            else:
                text = f"Test by {delivery.channel} to {delivery.target} failed: {delivery.error}"
                self.message_user(request, text, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:semantic_search_alertrule_change", args=[pk]))


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "sent_at",
        "rule_name",
        "channel",
        "target",
        "subject",
        "event_count",
        "test",
        "ok",
    )
    list_filter = ("channel", "ok", "test", "rule_name")
    search_fields = ("subject", "target", "rule_name")
    date_hierarchy = "sent_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReportForm(forms.ModelForm):
    formats = forms.MultipleChoiceField(
        choices=[(f, f.upper()) for f in Report.FORMATS],
        widget=forms.CheckboxSelectMultiple,
        initial=["pdf"],
    )

    class Meta:
        model = Report
        fields = (
            "name",
            "saved_search",
            "include_counts",
            "formats",
            "frequency",
            "recipients",
            "active",
        )
        widgets = {"recipients": forms.Textarea(attrs={"rows": 2})}


class ReportFileInline(admin.TabularInline):
    model = ReportFile
    fields = ("created", "format", "download")
    readonly_fields = fields
    extra = 0
    can_delete = True
    max_num = 0

    @admin.display(description="file")
    def download(self, obj: ReportFile) -> str:
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.file.name.rsplit("/", 1)[-1])


@admin.action(description="Run the selected reports now")
def run_now(modeladmin, request, queryset) -> None:
    for report in queryset.select_related("saved_search"):
        files = reports.run(report)
        names = format_html_join(", ", "{}", ((f.file.name,) for f in files))
        modeladmin.message_user(request, format_html("{}: {}", report, names), messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportForm
    list_display = ("name", "saved_search", "frequency", "formats", "active", "last_run_at")
    list_filter = ("frequency", "active")
    inlines = [ReportFileInline]
    actions = [run_now]
    readonly_fields = ("last_run_at",)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        schedules.sync_report(obj)

    def delete_model(self, request, obj) -> None:
        schedules.drop_report(obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for pk in queryset.values_list("pk", flat=True):
            schedules.drop_report(pk)
        super().delete_queryset(request, queryset)
