# newsworker: one image for the migrate, worker and beat services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, for layer caching; the package itself after (pip upgraded first: pip 23
# fails to resolve lxml's html-clean extra). They are read from pyproject.toml alone: installing the package here took README.md (its readme) into the layer,
# and every README edit installed every dependency again.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install --upgrade pip \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md alembic.ini ./
COPY alembic ./alembic
COPY config ./config
COPY worker ./worker
# Editable, so that `newsworker db upgrade` finds alembic.ini and alembic/ in /app.
RUN pip install --no-deps --editable . \
    && useradd --system --create-home --home-dir /home/newsworker newsworker \
    && mkdir -p /app/var && chown newsworker /app/var

USER newsworker
ENV NEWSWORKER_SOURCES_FILE=/app/config/sources.toml

# The default command's own process (its heartbeat), not the service: a hung worker beside a
# live one must fail. Running beat instead, check it with `newsworker health --beat`
# (docker-compose.yml does); `newsworker health` is the service's verdict, for operators.
HEALTHCHECK --interval=30s --timeout=30s --start-period=60s --retries=3 \
    CMD ["newsworker", "health", "--worker"]

CMD ["newsworker", "worker"]
