"""The read-only JSON API over published claims, described by an OpenAPI document."""
