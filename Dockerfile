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
# PYTHONDONTWRITEBYTECODE and a read-only /app: without this, every start compiles the code again
# and parses the text catalogues (about 0.9 s of the start; benchmarks/bench_startup.py)
RUN python -m compileall -q bot handlers workflows alembic \
 && python -c "import workflows.texts"
RUN useradd --system --uid 10001 --home /app minwon \
 && mkdir -p /app/data && chown minwon /app/data
USER minwon
VOLUME ["/app/data"]
# /healthz answers when HTTP_PORT is set (docker-compose.yml sets 8080); without it, no check
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import os,sys,urllib.request as u; p=os.environ.get('HTTP_PORT'); sys.exit(0 if not p else 0 if u.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4).status == 200 else 1)"
CMD ["python", "-m", "bot"]
