# syntax=docker/dockerfile:1
# Build a static binary, then ship it alone on a distroless, non-root base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces one module with the patched copy in third_party.
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/parley ./cmd/parley

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/parley /parley
# Listen on all interfaces inside the container; the default is loopback only.
ENV PARLEY_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/parley"]
