# The production image: the web app (gunicorn), the Celery worker and the scheduler.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
COPY vetting ./vetting
COPY candidates ./candidates
COPY signals ./signals
RUN pip install .
COPY . .
# collectstatic needs settings, not secrets: build-time placeholders only.
RUN DEBUG=0 SECRET_KEY=build FINGERPRINT_KEY=build WEBHOOK_SECRET_KEY=build python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 vetting && chown -R vetting /app
USER vetting
EXPOSE 8000
CMD ["gunicorn", "vetting.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
