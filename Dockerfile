# syntax=docker/dockerfile:1.7
#
# The pubdata image: the official Airflow image, the project's dependencies at exactly the versions
# in uv.lock, and the project itself (non-editable), with the registry and expectations baked in.
#
#   docker compose --env-file deploy/.env build        # what docker-compose.yaml does
#   docker build -t pubdata-airflow:0.1.0 .             # the same image by hand
#
# BuildKit is required (RUN --mount); it is the default builder since Docker Engine 23.
# deploy/README.md explains the deployment; every choice below says why it is made.

# The official image at the Airflow version pyproject.toml pins (apache-airflow==3.3.2) and the only
# Python the project supports (requires-python ==3.11). It brings what a custom build would have to
# redo: the Python build, libpq and the other runtime libraries, the `airflow` user (UID 50000,
# GID 0, OpenShift-style), dumb-init and /entrypoint (waits for the DB, migrates, runs a component).
# In production pin it by digest as well (apache/airflow:3.3.2-python3.11@sha256:...), so that a
# re-pushed tag cannot change what is deployed.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11

# uv at the version the Makefile pins (UV_VERSION there; keep the two in step). uv.lock is lockfile
# revision 5 and `uv export --locked` must read it and refuse a lock that is stale against
# pyproject.toml; the uv that the Airflow image happens to contain may be older, so it is not used.
ARG UV_VERSION=0.13.8

# Providers the deployment needs but the project does not depend on (they are not in uv.lock):
# celery (CeleryExecutor and the worker), postgres (psycopg2 for the metadata DB and the Celery
# result backend), redis (the Celery broker client). pip is kept for operators.
ARG DEPLOY_REQUIREMENTS="apache-airflow-providers-celery apache-airflow-providers-postgres apache-airflow-providers-redis pip"

# ...resolved with every package of uv.lock as a constraint, and against PyPI as it was at this
# instant, so that a rebuild next month resolves the same versions (the resolution is printed in the
# build log and kept in the image, see build-info below). The same instant pins the build backend
# (hatchling) that builds the project's wheel. It must not be earlier than the newest upload in
# uv.lock (2026-11-24T20:14:32Z); move it forward deliberately, together with the lock.
ARG EXCLUDE_NEWER=2026-11-25T00:00:00Z

# The uv binary only, from its official image (the documented way to put uv into a Docker build).
# It is bind-mounted where it is needed and never ends up in a layer of the final image.
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

################################################################################################
# build: requirements from the lock, the deployment providers pinned against them, the wheel.
# Runs as root because it is thrown away; nothing from it but /out reaches the final image.
################################################################################################
FROM ${AIRFLOW_IMAGE} AS build
ARG DEPLOY_REQUIREMENTS
ARG EXCLUDE_NEWER
# hadolint ignore=DL3002
USER 0:0
# Use the image's Python 3.11, never download another one.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_NO_CACHE=1
WORKDIR /src
# Only what building the wheel and exporting the lock read (see .dockerignore). README.md is the
# package's readme (pyproject.toml `readme`): hatchling refuses to build without it.
COPY pyproject.toml uv.lock README.md hatch_build.py ./
COPY etl/ ./etl/
# The wheel carries the C token loop (etl/protect/_hmac.c, compiled by hatch_build.py): a compiler
# and OpenSSL's headers, in this throwaway stage only (the runtime has libcrypto, Python needs it).
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends gcc libc6-dev libssl-dev; \
    rm -rf /var/lib/apt/lists/*
# 1. requirements.txt: the locked closure of the runtime dependencies (no dev group), with hashes,
#    without the project itself (it is installed from its wheel below). --locked fails the build if
#    uv.lock does not match pyproject.toml instead of silently re-resolving.
# 2. deploy.txt: the deployment providers resolved with requirements.txt as constraints, so they can
#    only come in at versions that accept the locked ones (an incompatible provider fails here).
# 3. The project's wheel: a regular, non-editable install; etl/ is not copied into the final image.
# The uv binary is called by its path: the image's own `uv` comes first on PATH.
RUN --mount=type=bind,from=uv,source=/uv,target=/opt/uv/uv \
    set -eux; \
    mkdir -p /out; \
    /opt/uv/uv export --locked --no-dev --no-emit-project --format requirements.txt \
        --output-file /out/requirements.txt; \
    printf '%s\n' ${DEPLOY_REQUIREMENTS} > /out/deploy.in; \
    /opt/uv/uv pip compile /out/deploy.in --constraint /out/requirements.txt \
        --exclude-newer "${EXCLUDE_NEWER}" --generate-hashes --output-file /out/deploy.txt; \
    /opt/uv/uv build --wheel --exclude-newer "${EXCLUDE_NEWER}" --out-dir /out/dist; \
    cp pyproject.toml uv.lock /out/

################################################################################################
# The runtime image.
################################################################################################
FROM ${AIRFLOW_IMAGE}

LABEL org.opencontainers.image.title="pubdata-airflow" \
      org.opencontainers.image.description="pubdata pipeline on Apache Airflow 3.3.2 (CeleryExecutor)" \
      org.opencontainers.image.base.name="apache/airflow:3.3.2-python3.11"

# Install as the image's `airflow` user (UID 50000, GID 0), into its virtualenv ($VIRTUAL_ENV =
# /home/airflow/.local), the way the Airflow docs extend the image; installing as root would leave
# root-owned files in it. Numeric, like the base image's own USER, so that a Kubernetes
# `runAsNonRoot` check can verify it.
USER 50000:0

# `uv pip sync` makes the environment exactly requirements.txt + deploy.txt: packages at other
# versions are replaced by the locked ones, and everything else that the stock image carries (its
# ~30 other providers: amazon, google, fab, ... and their libraries) is removed. Installing on top
# instead would leave those providers behind with requirements the lock contradicts (for example
# python-dateutil: uv.lock has 4.0.0, flask-appbuilder and botocore require <3), and `uv pip check`
# would rightly fail. Then the project's wheel, without dependencies (they are all there, locked),
# then the consistency check that fails the build on any conflict. Bytecode is compiled here because
# every Airflow task runs in a fresh interpreter that imports pandas, pyarrow and Great Expectations.
# uv's download cache is a BuildKit cache mount (the image's UV_CACHE_DIR), so it speeds up rebuilds
# without ending up in a layer; files are copied out of it (UV_LINK_MODE=copy).
RUN --mount=type=bind,from=uv,source=/uv,target=/opt/uv/uv \
    --mount=type=bind,from=build,source=/out,target=/opt/pubdata-build \
    --mount=type=cache,target=/tmp/.cache/uv,uid=50000,gid=0 \
    set -eux; \
    export UV_CACHE_DIR=/tmp/.cache/uv UV_LINK_MODE=copy; \
    uv_=/opt/uv/uv; \
    py="${VIRTUAL_ENV}/bin/python"; \
    "$uv_" pip sync --python "$py" --compile-bytecode \
        /opt/pubdata-build/requirements.txt /opt/pubdata-build/deploy.txt; \
    "$uv_" pip install --python "$py" --compile-bytecode --no-deps /opt/pubdata-build/dist/*.whl; \
    "$uv_" pip check --python "$py"

# Deployment files, owned by root and read-only for the user the containers run as: nothing at run
# time may rewrite the DAGs, the plugins, the registry or the expectation suites.
#   - dags/ and plugins/ go where the image's Airflow looks for them by default;
#   - the registry (datasets/) and the suites (expectations/) are baked in, so that an image is one
#     reviewed version of the pipeline; changing a dataset means building and deploying an image.
COPY dags/ /opt/airflow/dags/
COPY plugins/ /opt/airflow/plugins/
# on sys.path of every Airflow process: Celery workers import the pipeline before they fork tasks
COPY deploy/airflow/airflow_local_settings.py /opt/airflow/config/airflow_local_settings.py
COPY datasets/ /opt/pubdata/datasets/
COPY expectations/ /opt/pubdata/expectations/
# What this image was built from, for audit: the lock, and the exact resolution of the deployment
# providers (`cat /opt/pubdata/build-info/deploy.txt`).
COPY --from=build /out/requirements.txt /out/deploy.txt /out/pyproject.toml /out/uv.lock \
     /opt/pubdata/build-info/

# PUBDATA_HOME must be writable by the runtime user (Airflow's GID 0, any UID, as the image
# expects); a named volume mounted there starts with this ownership. /opt/pubdata/landing is only
# a mount point (the landing zone is mounted read-only from the host).
USER 0:0
RUN mkdir -p /opt/pubdata/home/openlineage /opt/pubdata/home/staging /opt/pubdata/landing \
    && chown -R airflow:0 /opt/pubdata/home \
    && chmod -R g+rwX /opt/pubdata/home
USER 50000:0

# etl/settings.py defaults every location to PROJECT_ROOT, the folder above the installed `etl`
# package. With a non-editable install that is site-packages' parent, not a checkout, so the image
# sets every location itself. PUBDATA_LAKE is left to the deployment (unset: a local lake under
# PUBDATA_HOME). Secrets (PUBDATA_TOKEN_KEY, AWS_*) are never baked in.
ENV PUBDATA_HOME=/opt/pubdata/home \
    PUBDATA_REGISTRY=/opt/pubdata/datasets \
    PUBDATA_EXPECTATIONS=/opt/pubdata/expectations \
    PUBDATA_LANDING=/opt/pubdata/landing \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/airflow/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    GX_ANALYTICS_ENABLED=false

# Fail the build, not the deployment, if the image is inconsistent: the exact Airflow version, the
# project importable from site-packages (not from a source tree), and a registry that loads without
# problems. importlib.metadata is used so that nothing writes an airflow.cfg into the image.
RUN python - <<'EOF'
from importlib.metadata import version
from pathlib import Path

import etl
from etl.registry import load_registry
from etl.settings import Settings

assert version("apache-airflow-core") == "3.3.2", version("apache-airflow-core")
assert "site-packages" in Path(etl.__file__).parts, etl.__file__
settings = Settings.from_env()
registry = load_registry(settings.registry)
registry.raise_for_problems()
print(f"pubdata {version('pubdata')}: {len(registry.datasets)} datasets in {settings.registry}")
EOF

# ENTRYPOINT (dumb-init + /entrypoint) and the default command stay the official image's; each
# compose service passes its Airflow component as the command.
