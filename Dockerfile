# The entdrill image: the flood shard pods of deploy/k8s/flood-job.yaml run `entdrill flood ...`.
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/entdrill
COPY pyproject.toml README.md ./
COPY src ./src
COPY actions ./actions
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home entdrill
USER 10001
ENV ENTDRILL_RUNTIME_DIR=/tmp/entdrill
ENTRYPOINT ["entdrill"]
CMD ["--help"]
