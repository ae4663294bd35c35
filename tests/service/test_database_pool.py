"""Each worker's pool of database connections is sized by LMI_DB_POOL_SIZE and LMI_DB_MAX_OVERFLOW."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.pool import QueuePool

from models.database import create_database_engine
from service.config import Settings


def test_the_pool_takes_its_size_and_overflow_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMI_DB_POOL_SIZE", "7")
    monkeypatch.setenv("LMI_DB_MAX_OVERFLOW", "3")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    engine = create_database_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    try:
        assert isinstance(engine.pool, QueuePool)
        assert (engine.pool.size(), engine.pool._max_overflow) == (7, 3)
        held = [engine.connect() for _ in range(10)]  # 7 kept, 3 more when busy
        assert engine.pool.overflow() == 3
        for connection in held:
            connection.close()
    finally:
        engine.dispose()


def test_the_defaults_keep_four_workers_under_postgresqls_hundred_connections() -> None:
    settings = Settings()
    assert 4 * (settings.db_pool_size + settings.db_max_overflow) <= 90


def test_the_service_pools_its_connections_as_configured(client: TestClient) -> None:
    pool = client.app.state.engine.pool  # type: ignore[attr-defined]
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow) == (settings.db_pool_size, settings.db_max_overflow)
