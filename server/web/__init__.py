"""The web edge: the app factory, request bodies, errors, the OpenAPI document, the built PWA."""
