FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY matching ./matching
COPY models ./models
COPY migrations ./migrations
RUN pip install --no-cache-dir -e .
ENV ENVIRONMENT=production
EXPOSE 8000
CMD ["sh", "-c", "koppel migrate && koppel serve --host 0.0.0.0 --port 8000 --workers 2"]
