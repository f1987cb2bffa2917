"""System checks for the AWS providers (run by `manage.py check` and at startup): a site that
selected an AWS provider learns about a missing region, missing credentials or an impossible
Bedrock dimension before the first analysis fails."""

from __future__ import annotations

from django.core.checks import Error, Warning, register

from ..conf import photodesk_settings

AWS_PATHS = ("semantic_search.analyzers.aws.", "semantic_search.aws.")


def uses_aws() -> bool:
    paths = [*photodesk_settings.ANALYZERS, photodesk_settings.TEXT_EMBEDDER]
    return any(str(path).startswith(AWS_PATHS) for path in paths)


@register()
def check_aws(app_configs, **kwargs) -> list:
    if not uses_aws():
        return []
    import boto3

    messages = []
    session = boto3.session.Session()
    if not (photodesk_settings.AWS_REGION or session.region_name):
        messages.append(
            Error(
                "An AWS provider is selected but no AWS region is set.",
                hint="Set PHOTODESK['AWS_REGION'] (or AWS_REGION / AWS_DEFAULT_REGION).",
                id="photodesk.E020",
            )
        )
    if session.get_credentials() is None:
        messages.append(
            Warning(
                "An AWS provider is selected but boto3 finds no credentials here.",
                hint="Give the worker an IAM role, or set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.",
                id="photodesk.W021",
            )
        )
    if str(photodesk_settings.TEXT_EMBEDDER).startswith("semantic_search.aws."):
        from .bedrock import titan_text_embedder

        try:
            titan_text_embedder()
        except ValueError as exc:
            messages.append(Error(str(exc), id="photodesk.E022"))
    return messages
