#!/usr/bin/env bash
# setup-pgvector.sh: make PostgreSQL 15 with pgvector usable for Parley's tests and
# benchmarks, and print the DSN to put in PARLEY_TEST_DATABASE_URL.
#
# Debian bookworm ships PostgreSQL 15 but no pgvector package; trixie carries the
# pgvector 0.8.0 source package, which builds against bookworm's
# postgresql-server-dev-15. So, only when the extension is missing, this script adds
# a source-only (deb-src) apt entry for trixie that uses the same mirror as the
# machine's own bookworm entry, builds pgvector from that source and installs it.
# It then makes sure the cluster runs and that database parley_test exists with the
# vector extension created.
#
# Idempotent; run as root:  bash scripts/setup-pgvector.sh
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
DB_NAME="${PARLEY_TEST_DB:-parley_test}"
PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
SOURCES_FILE=/etc/apt/sources.list.d/debian.sources
TRIXIE_SRC_FILE=/etc/apt/sources.list.d/parley-trixie-src.sources

log() { printf 'setup-pgvector: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get and make install need it)"

# extension_dir prints where PostgreSQL looks for extension control files. pg_config
# may be missing until postgresql-server-dev is installed; the server's own
# pg_config is preferred over the libpq-dev wrapper, which may pick another major.
extension_dir() {
	local pgc=""
	if [ -x "/usr/lib/postgresql/$PG_MAJOR/bin/pg_config" ]; then
		pgc="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
	elif command -v pg_config >/dev/null 2>&1; then
		pgc="$(command -v pg_config)"
	fi
	if [ -n "$pgc" ] && sharedir="$("$pgc" --sharedir 2>/dev/null)" && [ -n "$sharedir" ]; then
		printf '%s/extension\n' "$sharedir"
	else
		printf '/usr/share/postgresql/%s/extension\n' "$PG_MAJOR"
	fi
}

# debian_uris prints the URIs of the machine's main bookworm entry (not security),
# so the trixie source entry uses the same mirror; no mirror host lives in the repo.
debian_uris() {
	[ -r "$SOURCES_FILE" ] || die "$SOURCES_FILE not found; cannot tell which Debian mirror to use"
	awk -v RS= '
		/(^|\n)Suites:[^\n]*bookworm/ && !/(^|\n)Suites:[^\n]*security/ {
			n = split($0, lines, "\n")
			for (i = 1; i <= n; i++) if (lines[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", lines[i]); print lines[i]; exit }
		}' "$SOURCES_FILE"
}

start_cluster() {
	# "already running" is fine; any real failure shows up in the pg_isready wait below.
	pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start >/dev/null 2>&1 || true
	for _ in $(seq 1 60); do
		if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
			return 0
		fi
		sleep 1
	done
	die "PostgreSQL $PG_MAJOR is not accepting connections on $PG_HOST:$PG_PORT"
}

install_pgvector() {
	local uris
	uris="$(debian_uris)"
	[ -n "$uris" ] || die "no URIs for bookworm in $SOURCES_FILE"

	local want
	want="$(printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uris")"
	if [ ! -f "$TRIXIE_SRC_FILE" ] || [ "$(cat "$TRIXIE_SRC_FILE")" != "$want" ]; then
		log "adding source-only apt entry for trixie: $TRIXIE_SRC_FILE"
		printf '%s\n' "$want" >"$TRIXIE_SRC_FILE"
	fi

	export DEBIAN_FRONTEND=noninteractive
	log "installing build dependencies"
	apt-get update -q
	apt-get install -y -q --no-install-recommends "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev
	# Installing the server headers may have upgraded postgresql-$PG_MAJOR and stopped it.
	start_cluster

	# Global, not local: the EXIT trap runs after this function has returned.
	BUILD_DIR="$(mktemp -d)"
	trap 'rm -rf "$BUILD_DIR"' EXIT
	local work="$BUILD_DIR"
	log "building pgvector from the trixie source package in $work"
	(
		cd "$work"
		apt-get source -q pgvector
		dir="$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
		[ -n "$dir" ] || die "apt-get source pgvector produced no source folder"
		cd "$dir"
		make PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
		make install PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
	)
}

ext_dir="$(extension_dir)"
if [ -f "$ext_dir/vector.control" ]; then
	log "pgvector already installed in $ext_dir"
else
	log "pgvector missing from $ext_dir; installing"
	install_pgvector
	ext_dir="$(extension_dir)"
	[ -f "$ext_dir/vector.control" ] || die "pgvector build finished but $ext_dir/vector.control is missing"
fi

start_cluster

psql_admin() { psql -X -v ON_ERROR_STOP=1 -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }

if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
	log "creating database $DB_NAME"
	psql_admin -d postgres -c "CREATE DATABASE \"$DB_NAME\""
fi
psql_admin -d "$DB_NAME" -c 'CREATE EXTENSION IF NOT EXISTS vector'
log "vector extension $(psql_admin -d "$DB_NAME" -tAc "SELECT extversion FROM pg_extension WHERE extname = 'vector'") ready in $DB_NAME"

printf 'postgres://%s@%s:%s/%s?sslmode=disable\n' "$PG_USER" "$PG_HOST" "$PG_PORT" "$DB_NAME"
