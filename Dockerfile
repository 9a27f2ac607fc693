FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .
# SQLite and audio under /data (a volume); listening on every interface of the container
ENV VOICER_DATA_DIR=/data VOICER_HOST=0.0.0.0
VOLUME /data
EXPOSE 8000
CMD ["voicer", "serve"]
