"""Integrations of Photodesk with content-management systems built on Django."""
