"""Photodesk's plugin: analyse images in the background and find them by meaning."""
