FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.lock
COPY bot ./bot
COPY handlers ./handlers
COPY workflows ./workflows
COPY alembic ./alembic
COPY alembic.ini ./
RUN useradd --system --uid 10001 --home /app minwon \
 && mkdir -p /app/data && chown minwon /app/data
USER minwon
VOLUME ["/app/data"]
CMD ["python", "-m", "bot"]
