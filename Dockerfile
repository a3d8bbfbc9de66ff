# syntax=docker/dockerfile:1
# One image with both binaries; compose.yaml chooses which one a service runs.

# --- build -------------------------------------------------------------------
# rust-version in Cargo.toml is 1.94; the slim image carries gcc, which the
# bundled SQLite and the TLS library's C code need.
FROM rust:1.95-slim-trixie AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the crate downloads and compiled dependencies between builds;
# the binaries are copied out because the target folder is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin ingest --bin api \
    && install -m 0755 target/release/ingest target/release/api /usr/local/bin/

# --- runtime -----------------------------------------------------------------
FROM debian:trixie-slim
# ca-certificates: outgoing TLS (e.g. a PostgreSQL server requiring it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --create-home tripgraph \
    && install -d -o tripgraph -g tripgraph /app/data
COPY --from=builder /usr/local/bin/ingest /usr/local/bin/api /usr/local/bin/
WORKDIR /app
USER tripgraph
# Listen on every interface: 127.0.0.1 inside a container is unreachable from outside.
# Without DATABASE_URL the binaries use the embedded SQLite file /app/data/tripgraph.db.
ENV INGEST_ADDR=0.0.0.0:8081 \
    API_ADDR=0.0.0.0:8080
EXPOSE 8080 8081
CMD ["ingest", "serve"]
