# syntax=docker/dockerfile:1
# One image holding the three binaries: manager (the operator), dispatcher (the data plane)
# and dropship-sim (simulators for demos and tests). The operator runs dispatchers from its
# own image unless a RoutingPolicy names another.
#
#   make docker-build IMG=registry.example.com/dropship-operator:v0.1.0
#
# Static binaries (CGO_ENABLED=0: the SQLite journal uses a pure-Go driver) on distroless
# static, running as the nonroot user (65532). Time zone data is compiled into the binaries
# (time/tzdata), so the image needs none.

ARG GO_VERSION=1.26
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
WORKDIR /src
# Dependencies first, so source changes do not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY controllers/ controllers/
COPY dispatcher/ dispatcher/
COPY internal/ internal/
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath \
      -ldflags "-s -w -X github.com/dropship-operator/dropship-operator/internal/version.Version=${VERSION}" \
      -o /out/ ./cmd/manager ./cmd/dispatcher ./cmd/dropship-sim

FROM gcr.io/distroless/static:nonroot
LABEL org.opencontainers.image.source="https://github.com/dropship-operator/dropship-operator" \
      org.opencontainers.image.description="dropship-operator: Kubernetes operator for drop-ship order distribution from Kingdee K3Cloud" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/manager /out/dispatcher /out/dropship-sim /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/manager"]
