"""The expert panel: moderator, specialists and synthesis over the tenant's own data.

Empty until the panel lands (its own issue); the package exists so the layout is the architecture.
"""
