"""Errors of the accounts domain: plain exceptions that carry what went wrong."""


class AccountsError(Exception):
    """Base of the domain's errors; `str(error)` is a sentence for the user."""


class InstitutionNotFound(AccountsError):
    def __init__(self, reference: str):
        super().__init__(f"No institution has the id or slug {reference!r}.")
        self.reference = reference


class DuplicateInstitution(AccountsError):
    def __init__(self, slug: str):
        super().__init__(f"An institution already has the slug {slug!r}; choose another with --slug.")
        self.slug = slug


class InvalidSlug(AccountsError):
    def __init__(self, slug: str):
        super().__init__(f"{slug!r} is not a slug: use 1 to 60 lowercase letters, digits and hyphens.")
        self.slug = slug


class PortalNotFound(AccountsError):
    def __init__(self, reference: str):
        super().__init__(f"No portal has the id or slug {reference!r}.")
        self.reference = reference


class KeyNotFound(AccountsError):
    def __init__(self, prefix: str):
        super().__init__(f"No active API key starts with {prefix!r}.")
        self.prefix = prefix


class NotAuthenticated(AccountsError):
    """No key, or a key that is unknown or revoked."""


class NotAllowed(AccountsError):
    """A valid key whose role may not do this."""
