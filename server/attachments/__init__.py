"""Attachments: photos and documents as evidence, content-addressed by sha256."""
