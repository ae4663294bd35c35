"""The HTTP service: application factory, configuration, error handling and the `lmi` command."""
