# syntax=docker/dockerfile:1.7
# RenderMart backend: the `rendermart` binary (serve | worker | migrate | export-schema).
#   docker build -t rendermart-backend .
# Stages: chef (toolchain + cargo-chef) -> planner (dependency recipe) -> builder (dependencies
# in their own cached layer, then the workspace) -> runtime (distroless, non-root).

ARG RUST_IMAGE=rust:1.95.0-slim-trixie
# Debian 13 like the builder, so the binary's glibc matches.
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian13:nonroot

FROM ${RUST_IMAGE} AS chef
RUN cargo install cargo-chef --locked --version 0.1.73
WORKDIR /src

FROM chef AS planner
COPY . .
# recipe.json lists only manifests and the lockfile: it changes when dependencies change,
# not when our code does, so the next stage's dependency layer stays cached.
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# Size over link time: the final image should stay well under 40 MB.
ENV CARGO_PROFILE_RELEASE_LTO=thin \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_STRIP=symbols
COPY --from=planner /src/recipe.json recipe.json
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo chef cook --release --locked --recipe-path recipe.json
COPY Cargo.toml Cargo.lock ./
COPY api api
COPY entity entity
COPY migration migration
# Built only for AWS Lambda (deploy/aws/lambda-template.yaml), but a workspace member: the
# workspace does not resolve without it. The image still builds only `rendermart`.
COPY lambda lambda
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo build --release --locked --bin rendermart \
 && install -D -m 0755 target/release/rendermart /out/rendermart

FROM ${RUNTIME_IMAGE} AS runtime
# distroless/cc: glibc, libgcc, CA certificates (Bedrock and S3 over TLS); no shell, no package manager.
COPY --from=builder /out/rendermart /usr/local/bin/rendermart
# 65532 is distroless's "nonroot"; numeric so Kubernetes can verify runAsNonRoot.
USER 65532:65532
WORKDIR /home/nonroot
ENV RENDERMART_DATA_DIR=/home/nonroot/data
EXPOSE 4000
ENTRYPOINT ["/usr/local/bin/rendermart"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
