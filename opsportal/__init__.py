"""The operations-portal server: configuration, the ASGI app and the `opsportal` command."""
