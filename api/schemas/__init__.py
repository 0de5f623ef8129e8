"""Request and response shapes that more than one module of the API uses.

A shape used by one router stays next to it; field types every shape shares are in `api.types`.
"""
