"""Photodesk's REST API (DRF), versioned under /api/v1/: see urls.py for the endpoints and
permissions.py for who may do what."""
