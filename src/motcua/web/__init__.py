"""The web front: FastAPI app factory, templates and static assets shipped with the app."""
