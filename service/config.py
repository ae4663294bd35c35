"""Configuration from environment variables (see the README for the table of settings)."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matching.backends import Backend
from matching.vector_index import available_cores
from service.http.cors import origin_list, valid_origins
from service.http.rate_limit import RateLimitSettings, valid_limits

Limits = Annotated[str, AfterValidator(valid_limits)]
Origins = Annotated[str, AfterValidator(valid_origins)]
# The environment of a server that tests or benchmarks drive from one address faster than people would.
UNLIMITED_RATES = dict.fromkeys(
    ("LMI_RATE_LIMIT_ADDRESS", "LMI_RATE_LIMIT_KEY", "LMI_RATE_LIMIT_PAGE", "LMI_RATE_LIMIT_VISIT"), "1000000/second"
)


class Settings(BaseSettings):
    # populate_by_name: Settings(matcher_backend="none") works as well as LMI_MATCHER_BACKEND=none.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("../shared/data"),
        validation_alias=AliasChoices("LMI_DATA_DIR"),
        description="Folder holding the public reference data (NOC, OaSIS, COPS, Job Bank…).",
    )
    database_url: str = Field(
        default="sqlite:///var/lmi.sqlite3",
        validation_alias=AliasChoices("DATABASE_URL"),
        description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://user@host:5432/db.",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        validation_alias=AliasChoices("LMI_DB_POOL_SIZE"),
        description="Database connections each worker process keeps open (its requests run on a pool of 40 "
        "threads; those beyond the connections wait for one).",
    )
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        le=200,
        validation_alias=AliasChoices("LMI_DB_MAX_OVERFLOW"),
        description="Connections a worker may open beyond LMI_DB_POOL_SIZE when busy, closed when returned. Every "
        "worker of every host may hold pool + overflow: keep workers × (pool + overflow) under PostgreSQL's "
        "max_connections.",
    )
    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("LMI_HOST"))
    port: int = Field(default=8000, validation_alias=AliasChoices("LMI_PORT"))
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", validation_alias=AliasChoices("LMI_LOG_LEVEL")
    )
    cache_max_age: int = Field(
        default=3600,
        validation_alias=AliasChoices("LMI_CACHE_MAX_AGE"),
        description="Cache-Control max-age, in seconds, of reference responses.",
    )
    matcher_backend: Backend = Field(
        default="e5",
        validation_alias=AliasChoices("LMI_MATCHER_BACKEND"),
        description='Embedding model of the matcher; "none" matches on words only (no embeddings).',
    )
    index_dir: Path = Field(
        default=Path("var/index"),
        validation_alias=AliasChoices("LMI_INDEX_DIR"),
        description="Folder caching the embedding index of the titles (built on first start).",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        gt=0,
        validation_alias=AliasChoices("LMI_MAX_BODY_BYTES"),
        description="Largest request body accepted, in bytes (a batch of 1,000 long titles is well under it).",
    )
    max_catalog_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        validation_alias=AliasChoices("LMI_MAX_CATALOG_BYTES"),
        description="Largest catalog upload accepted, in bytes.",
    )
    max_institution_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        validation_alias=AliasChoices("LMI_MAX_INSTITUTION_SHARE"),
        description="Largest share of the first ten recommended programs one institution may take.",
    )
    learning_arm: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        validation_alias=AliasChoices("LMI_LEARNING_ARM"),
        description="Variant name (such as learning) of the experiment arm that re-ranks programs from what people "
        "chose for the occupation (trusted clicks, inquiries and referrals); requests carrying it get it. Unset: off.",
    )
    learning_arm_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        validation_alias=AliasChoices("LMI_LEARNING_ARM_SHARE"),
        description="Share of sessions put in the learning arm when a request names no variant (by a hash of its "
        "session_id; a request without one is not); 0: only requests naming the arm.",
    )
    retag_on_startup: bool = Field(
        default=True,
        validation_alias=AliasChoices("LMI_RETAG_ON_STARTUP"),
        description="Tag again, in the background at start-up, the catalogs tagged under another skill space.",
    )
    upload_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        validation_alias=AliasChoices("LMI_UPLOAD_WAIT_SECONDS"),
        description="How long a catalog upload is waited for before it is answered as a job (202).",
    )
    startup_wait_seconds: float | None = Field(
        default=20.0,
        ge=0,
        validation_alias=AliasChoices("LMI_STARTUP_WAIT_SECONDS"),
        description="How long the start waits for the models; when they take longer (a first start builds "
        "them), the service answers meanwhile with words-only job-title matching. None: wait for them.",
    )
    link_secret: str | None = Field(
        default=None,
        min_length=16,
        validation_alias=AliasChoices("LMI_LINK_SECRET"),
        description="Key signing the tracked links (/r/…); unset, one is generated on the first run and kept "
        "in the database.",
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        validation_alias=AliasChoices("LMI_PUBLIC_URL"),
        description="The service's address as people reach it (https://lmi.example.ca); tracked links are "
        "absolute with it, relative (/r/…) without.",
    )
    event_retention_days: int = Field(
        default=400,
        ge=1,
        validation_alias=AliasChoices("LMI_EVENT_RETENTION_DAYS"),
        description="Days events are kept (400 covers a year-over-year comparison of a month); older ones are "
        "deleted daily and refused at ingest.",
    )
    suppress_below: int = Field(
        default=10,
        ge=1,
        validation_alias=AliasChoices("LMI_SUPPRESS_BELOW"),
        description="Counts under this, in analytics for analyst and institution keys, are suppressed.",
    )
    round_to: int = Field(
        default=5,
        ge=1,
        validation_alias=AliasChoices("LMI_ROUND_TO"),
        description="Published counts, for analyst and institution keys, are rounded to a multiple of this.",
    )
    rate_limit_address: Limits = Field(
        default="20/second;600/minute",
        validation_alias=AliasChoices("LMI_RATE_LIMIT_ADDRESS"),
        description="Requests to the API without a valid key, per client address.",
    )
    rate_limit_key: Limits = Field(
        default="100/second;6000/minute",
        validation_alias=AliasChoices("LMI_RATE_LIMIT_KEY"),
        description="Requests with an API key (a portal's server, an institution, an analyst), per key.",
    )
    rate_limit_page: Limits = Field(
        default="100/second;3000/minute",
        validation_alias=AliasChoices("LMI_RATE_LIMIT_PAGE"),
        description="Requests to the public page, its assets and the tracked links, per client address (a school "
        "or a library shares one).",
    )
    rate_limit_visit: Limits = Field(
        default="10/second;120/minute",
        validation_alias=AliasChoices("LMI_RATE_LIMIT_VISIT"),
        description="Requests to the public page per visit (its session cookie).",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        validation_alias=AliasChoices("LMI_RATE_LIMIT_STORAGE"),
        description="Where the limits are counted: memory:// (per process), or a storage the `limits` library "
        "knows, such as redis://host:6379, shared by every worker and host.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        validation_alias=AliasChoices("LMI_WORKERS"),
        description="Worker processes `lmi serve` runs on its one port (each loads the models; the embedding "
        "indexes are memory-mapped, so a host keeps one copy of them).",
    )
    embed_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        validation_alias=AliasChoices("LMI_EMBED_THREADS"),
        description="Threads each process embeds with; unset: the cores divided among the workers.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("LMI_FORWARDED_ALLOW_IPS"),
        description="Addresses of the reverse proxies whose X-Forwarded-For gives the client's address (comma-"
        "separated, or *); the rate limits count per client address.",
    )

    cors_origins: Origins = Field(
        default="",
        validation_alias=AliasChoices("LMI_CORS_ORIGINS"),
        description="Origins of the portals whose pages may call the API from their visitors' browsers (comma-"
        "separated, such as https://portal.example.ca); empty: none (service.http.cors).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        validation_alias=AliasChoices("LMI_LOG_FORMAT"),
        description="How `lmi serve` logs: text for a terminal, or json (one object per line) for a log collector.",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        validation_alias=AliasChoices("LMI_METRICS_TOKEN"),
        description="Bearer token that reads /metrics from anywhere; unset, /metrics answers loopback clients only.",
    )

    def cors_origin_list(self) -> tuple[str, ...]:
        return origin_list(self.cors_origins)

    def rate_limits(self) -> RateLimitSettings:
        return RateLimitSettings(
            per_address=self.rate_limit_address,
            per_key=self.rate_limit_key,
            page_per_address=self.rate_limit_page,
            page_per_visit=self.rate_limit_visit,
            storage=self.rate_limit_storage,
            address_salt=self.link_secret,
            processes=self.workers,
        )

    def threads_per_worker(self) -> int:
        """Threads each worker embeds with: `embed_threads`, else the cores shared among the workers."""
        return self.embed_threads or max(1, available_cores() // self.workers)
