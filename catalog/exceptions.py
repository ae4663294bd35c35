"""Errors of the catalog domain: plain exceptions that carry what went wrong."""

from catalog.fields import RowError


class CatalogError(Exception):
    """Base of the domain's errors; `str(error)` is a sentence for the user."""


class UnreadableCatalog(CatalogError):
    """The file as a whole cannot be read: its encoding, its JSON, its header."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class InvalidMapping(CatalogError):
    """The column mapping names an unknown field, or a column the file does not have."""


class InvalidCatalog(CatalogError):
    """Rows failed their checks and the upload refuses bad rows (the default): nothing was changed."""

    def __init__(self, errors: list[RowError], rows: int):
        super().__init__(
            f"{len(errors):,} problem(s) in {rows:,} row(s); nothing was changed. Fix them, or upload with "
            "on_error=skip to import the good rows."
        )
        self.errors = errors
        self.rows = rows


class TooManyRows(CatalogError):
    def __init__(self, rows: int, limit: int):
        super().__init__(f"The catalog has {rows:,} rows; at most {limit:,} are accepted in one upload.")
        self.rows = rows
        self.limit = limit


class VersionNotFound(CatalogError):
    def __init__(self, institution: str, number: int):
        super().__init__(f"{institution} has no catalog version {number}.")
        self.institution = institution
        self.number = number


class CourseNotFound(CatalogError):
    def __init__(self, reference: str):
        super().__init__(
            f"No course {reference!r} in the current catalogs; a course is named <institution slug>:<course_id>."
        )
        self.reference = reference


class UploadCancelled(CatalogError):
    def __init__(self) -> None:
        super().__init__("The service stopped before this upload ran; nothing was changed. Upload it again.")


class UploadInterrupted(CatalogError):
    def __init__(self) -> None:
        super().__init__(
            "The service process running this upload stopped before it ended; the catalog is unchanged. "
            "Upload it again."
        )
