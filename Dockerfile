# The survey platform's image: gunicorn (web), Celery worker and beat all run from it.
# Build: docker compose build. Translations and static files are compiled into the image;
# migrations run when the web service starts (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: msgfmt for compilemessages. No compiler is needed: psycopg[binary] ships wheels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 app
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Build-time settings only: nothing connects to these services while building.
RUN DJANGO_ENV=production SECRET_KEY=image-build-only CLIENT_HASH_SALT=image-build-salt \
        PAYOUT_KEY=aW1hZ2UtYnVpbGQtb25seS1ub3QtYS1yZWFsLWtleSE= \
        ALLOWED_HOSTS=build \
        DATABASE_URL=postgres://build@build:5432/build REDIS_URL=redis://build:6379/0 \
        sh -c 'python manage.py compilemessages --ignore=var --ignore=node_modules \
            && python manage.py collectstatic --noinput' \
    && mkdir -p var/exports var/media var/beat \
    && chown -R app:app var

USER app
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "config/gunicorn.py"]
