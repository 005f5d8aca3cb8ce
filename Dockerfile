# Harms Portal image: web (gunicorn), worker and beat (celery) and migrate all run this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libmagic1: evidence uploads are identified by content (python-magic), never by file name.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The lock pins every package.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Hashed, compressed static files are baked into the image. The secret only lets settings
# load for this one command; the real one comes from the environment at run time.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything \
    HARMSPORTAL_STATIC_MANIFEST=1 \
    python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays root-owned and read-only to it; the only
# writable place is the private evidence store (a volume in docker-compose.yml).
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin harmsportal \
    && mkdir -p /srv/harmsportal/private \
    && chown harmsportal:harmsportal /srv/harmsportal/private
ENV HARMSPORTAL_PRIVATE_STORAGE=/srv/harmsportal/private
USER harmsportal

EXPOSE 8000
CMD ["gunicorn", "harmsportal.wsgi:application", "--config", "docker/gunicorn.conf.py"]
