# dealbot's container image: `docker build -t dealbot .` (docs/deploy.md).
# Build arguments: PYTHON_IMAGE (the slim base), CJK_FONT=true to bake in Noto Sans CJK SC for
# Chinese chart labels (the `zh-charts` extra, about 85 MB; without it charts use English labels).
ARG PYTHON_IMAGE=python:3.11-slim-trixie

# --- build: the package and its runtime dependencies into a virtual environment -------------------
FROM ${PYTHON_IMAGE} AS build
ARG CJK_FONT=false
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY adapters ./adapters
COPY bot ./bot
COPY core ./core
COPY storage ./storage
RUN python -m venv /opt/dealbot \
    && if [ "$CJK_FONT" = "true" ]; then target=".[zh-charts]"; else target="."; fi \
    && /opt/dealbot/bin/pip install --no-cache-dir "$target"

# --- runtime: the virtual environment, pg_dump for backups, a user of its own ---------------------
FROM ${PYTHON_IMAGE}
# postgresql-client: pg_dump / pg_restore for `dealbot backup` and `restore` on PostgreSQL (the
# client's major version must be at least the server's: trixie ships 17).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/dealbot --create-home dealbot
COPY --from=build /opt/dealbot /opt/dealbot
COPY deploy/entrypoint.sh /usr/local/bin/dealbot-entrypoint
COPY deploy/healthcheck.py /usr/local/lib/dealbot/healthcheck.py
# The settings a container wants (every one can be overridden; .env.example lists them all):
# listen on every interface, log JSON lines to stderr, keep charts (and an embedded database,
# if no DEALBOT_DATABASE_URL is given) in the volume.
ENV PATH=/opt/dealbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DEALBOT_DATA_DIR=/var/lib/dealbot \
    DEALBOT_HTTP_HOST=0.0.0.0 \
    DEALBOT_HTTP_PORT=8080 \
    DEALBOT_LOG_FILE=- \
    DEALBOT_LOG_FORMAT=json
USER 10001:10001
WORKDIR /var/lib/dealbot
VOLUME ["/var/lib/dealbot"]
EXPOSE 8080 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/usr/local/lib/dealbot/healthcheck.py"]
ENTRYPOINT ["dealbot-entrypoint"]
CMD ["run"]
