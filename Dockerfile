FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .
ENV VOICER_DATA_DIR=/data
CMD ["voicer", "serve"]
