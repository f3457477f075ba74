# pixorga: one image for web (gunicorn), Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# pip ≥ 25.3 for --group (PEP 735) and --build-constraint; build-constraints.txt keeps the
# sdist-only XStatic-Bootstrap building on a setuptools that still has pkg_resources.
RUN python -m venv /opt/venv \
    && pip install --quiet "pip>=25.3"

WORKDIR /app
COPY pyproject.toml build-constraints.txt ./
RUN pip install --quiet --build-constraint build-constraints.txt --group app

COPY . .
# Static files are collected into the image (whitenoise serves them, hashed and compressed);
# the key is a throwaway: settings refuse to start without one when DEBUG is off.
RUN SECRET_KEY=collectstatic-only-not-a-secret DEBUG=0 \
        python manage.py collectstatic --noinput --verbosity 0 \
    && chmod 0755 docker/entrypoint.sh \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/pixorga \
        --shell /usr/sbin/nologin pixorga \
    && mkdir -p /app/var/media \
    && chown -R pixorga:pixorga /app/var

USER pixorga
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
