"""Request dependencies: a database session and the settings, both created in the app's lifespan."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.state import ServiceModels


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_models(request: Request) -> ServiceModels:
    """The models as they are now (swapped whole when a first start's build ends)."""
    models: ServiceModels = request.app.state.models
    return models


DbSession = Annotated[Session, Depends(get_session)]
AppModels = Annotated[ServiceModels, Depends(get_models)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SessionFactory = Annotated[sessionmaker[Session], Depends(get_session_factory)]
