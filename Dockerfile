# The service with its reference database on a volume; the public data is mounted read-only at /data.
#   docker build -t lmi .
#   docker run -p 8000:8000 -v /path/to/shared/data:/data:ro -v lmi-var:/var/lib/lmi lmi
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LMI_DATA_DIR=/data \
    DATABASE_URL=sqlite:////var/lib/lmi/lmi.sqlite3 \
    LMI_INDEX_DIR=/var/lib/lmi/index \
    LMI_HOST=0.0.0.0 \
    LMI_PORT=8000

RUN useradd --create-home --uid 10001 lmi && mkdir -p /var/lib/lmi && chown lmi:lmi /var/lib/lmi

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service/ service/
COPY models/ models/
COPY labour_market/ labour_market/
COPY matching/ matching/
COPY accounts/ accounts/
COPY catalog/ catalog/
COPY recommendations/ recommendations/
COPY analytics/ analytics/
RUN pip install --no-cache-dir .

USER lmi
VOLUME ["/data", "/var/lib/lmi"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# Import is skipped for unchanged files and the embedding index is cached on the volume, so a
# restart is quick; the first start embeds every title (several minutes).
CMD ["sh", "-c", "lmi import-reference --quiet && lmi build-index && exec lmi serve"]
