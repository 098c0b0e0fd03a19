# One image per LearnLoop service, built from the same stages (BuildKit, the default builder
# since Docker 23, is needed for RUN --mount):
#   docker build --target intake    -t learnloop-intake .
#   docker build --target learning  -t learnloop-learning .
#   docker build --target reporting -t learnloop-reporting .
#   docker build -t learnloop .          # the last stage: every `learnloop` command, intake by default
# The entry point is the `learnloop` command, so any subcommand runs in any of them:
#   docker run --rm learnloop topics ensure
ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: wheels for the project and every dependency -------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Only what the distribution is built from (.dockerignore keeps the rest out of the context).
COPY pyproject.toml README.md ./
COPY learnloop ./learnloop
COPY shared ./shared
COPY services ./services
RUN pip wheel --wheel-dir /wheels .

# --- runtime: slim Python, the installed wheels, a non-root user ------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can check it without a passwd lookup.
RUN groupadd --system --gid 10001 learnloop \
    && useradd --system --uid 10001 --gid learnloop --home-dir /app --shell /usr/sbin/nologin learnloop
# The wheels are bind-mounted from the builder, so they never become a layer of this image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels learnloop
WORKDIR /app
RUN mkdir -p /app/.learnloop && chown -R learnloop:learnloop /app
# Containers listen on every interface (the settings default to loopback for laptops); local
# files (SQLite, when no PostgreSQL URL is given) go to the writable state folder.
ENV LEARNLOOP_INTAKE__HOST=0.0.0.0 \
    LEARNLOOP_LEARNING__HOST=0.0.0.0 \
    LEARNLOOP_REPORTING__HOST=0.0.0.0 \
    LEARNLOOP_STATE_DIR=/app/.learnloop \
    LEARNLOOP_LOG_FORMAT=json \
    HEALTHCHECK_URL=http://127.0.0.1:8081/healthz
USER 10001:10001
# urllib raises on a refused connection or any 4xx/5xx, so a non-zero exit means unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4)"]
ENTRYPOINT ["learnloop"]
CMD ["--help"]

# --- one target per service: its command, port and health check URL ---------------------------
FROM runtime AS learning
ENV HEALTHCHECK_URL=http://127.0.0.1:8082/healthz
EXPOSE 8082
CMD ["learning", "serve"]

FROM runtime AS reporting
ENV HEALTHCHECK_URL=http://127.0.0.1:8083/healthz
EXPOSE 8083
CMD ["reporting", "serve"]

# Last, so a plain `docker build .` gives the intake image.
FROM runtime AS intake
ENV HEALTHCHECK_URL=http://127.0.0.1:8081/healthz
EXPOSE 8081
CMD ["intake", "serve"]
