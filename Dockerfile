# syntax=docker/dockerfile:1
# Build the SPA, then the Go binary with the SPA embedded, then a small runtime image.

FROM node:20-bookworm-slim AS spa
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json frontend/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY graph/ /src/graph/
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS binary
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=spa /src/frontend/dist/ frontend/dist/
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kaas .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/kaas --create-home kaas
COPY --from=binary /out/kaas /usr/local/bin/kaas
USER 10001:10001
ENV KAAS_ADDR=:8080 KAAS_DATA_DIR=/var/lib/kaas
VOLUME /var/lib/kaas
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/kaas"]
