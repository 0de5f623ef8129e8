"""Declarative tenant workflows: the document format (`definition`), pure and shared by the API
(validation, preview) and the pipeline (`assets.workflows`, which evaluates them)."""
