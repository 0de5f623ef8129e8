"""The FastAPI application: auth, the risk model's API, and the web client."""
