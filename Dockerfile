# syntax=docker/dockerfile:1
# Koppel's image: the package installed as a wheel (migrations inside it) on the locked
# dependency set, run as an unprivileged user. Used by docker-compose.yml for `migrate`, `api`
# and `worker`.
FROM python:3.11.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
COPY matching ./matching
COPY models ./models
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 ENVIRONMENT=production
RUN groupadd --system --gid 10001 koppel \
    && useradd --system --uid 10001 --gid koppel --home-dir /app --shell /usr/sbin/nologin koppel
# the locked dependency set (uv.lock, exported by scripts/lock.sh), then Koppel without deps
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-deps --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["koppel", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
