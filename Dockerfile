# Tabik's container image: the Rasa server, the action server and the workers of one
# instance, started by the launcher (what `make serve` runs, without the venv check).
#
#   make train                      # the image serves the model in models/ (see docs)
#   docker build -t tabik .
#
# Not built on the development machine (no Docker there); see docs/operations.md.
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    LOG_FORMAT=json

# libpq for psycopg2 at run time; nothing else from the distribution is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin tabik
WORKDIR /app

COPY . .
# Pinned by constraints.txt, as on a developer's machine; the code runs from /app.
RUN python -m venv /app/.venv \
    && /app/.venv/bin/pip install -c constraints.txt . \
    && mkdir -p var models \
    && chown -R tabik:tabik var models

USER tabik
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONPATH=/app

# 5005: Rasa (webhooks, /ready, /metrics); 5055: actions (inside the container only).
EXPOSE 5005
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/ready' % os.environ.get('RASA_PORT', '5005'), timeout=4)"]

ENTRYPOINT ["python", "-m", "bot.entrypoints.launcher"]
CMD ["serve"]
