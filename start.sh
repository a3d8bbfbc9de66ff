#!/usr/bin/env bash
# Starts the whole product on this machine: builds `ingest` and `api`, runs both
# on the embedded SQLite database (data/tripgraph.db), sends the bundled sample
# webhooks through the real HTTP endpoints, and prints where to click.
# Ctrl-C stops both processes cleanly. Needs only the Rust toolchain.
#
# Overrides: DATABASE_URL, INGEST_ADDR, API_ADDR, PARTNERS_CONFIG and every secret
# below are taken from the environment when set.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

# --- DEVELOPMENT-ONLY secrets -------------------------------------------------
# Fixed, publicly known values so that a fresh clone works without set-up. Never
# use them anywhere reachable from outside this machine. A value already in the
# environment wins.
export HAHN_AIR_TOKEN="${HAHN_AIR_TOKEN:-dev-hahn-air-token}"
export AGW_PASSWORD="${AGW_PASSWORD:-dev-agw-password}"
export SPOTNANA_CLIENT_SECRET="${SPOTNANA_CLIENT_SECRET:-dev-spotnana-client-secret}"
export TRAXO_PASSWORD="${TRAXO_PASSWORD:-dev-traxo-password}"
# The contract's published Standard Webhooks example secret: development only.
export TRANSFERS_WEBHOOK_SECRET="${TRANSFERS_WEBHOOK_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}"
export INGEST_TOKEN_SECRET="${INGEST_TOKEN_SECRET:-dev-only-ingest-token-secret-change-me}"
export API_JWT_SECRET="${API_JWT_SECRET:-dev-only-api-jwt-secret-change-me}"
# -----------------------------------------------------------------------------

export DATABASE_URL="${DATABASE_URL:-sqlite://data/tripgraph.db?mode=rwc}"
export INGEST_ADDR="${INGEST_ADDR:-127.0.0.1:8081}"
export API_ADDR="${API_ADDR:-127.0.0.1:8080}"
export PARTNERS_CONFIG="${PARTNERS_CONFIG:-partners.toml}"

log_dir=data/logs
mkdir -p "$log_dir"

# host and port to connect to for a listen address ("0.0.0.0:8081" -> 127.0.0.1 8081).
connect_host() {
    local host=${1%:*}
    host=${host#\[}
    host=${host%\]}
    case $host in "" | 0.0.0.0 | "::") host=127.0.0.1 ;; esac
    printf '%s' "$host"
}
connect_port() { printf '%s' "${1##*:}"; }

ingest_host=$(connect_host "$INGEST_ADDR")
ingest_port=$(connect_port "$INGEST_ADDR")
api_host=$(connect_host "$API_ADDR")
api_port=$(connect_port "$API_ADDR")
ingest_url="http://$ingest_host:$ingest_port"
api_url="http://$api_host:$api_port"

# True when something accepts TCP connections on host:port.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# True when GET http://host:port/path answers 200. Uses curl when present and
# falls back to bash's /dev/tcp, so a machine with only cargo works too.
http_ok() {
    local host=$1 port=$2 path=$3
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 2 "http://$host:$port$path" 2>/dev/null
        return
    fi
    (
        exec 3<>"/dev/tcp/$host/$port" || exit 1
        printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$path" "$host" "$port" >&3
        read -r -t 2 _ status _ <&3 || exit 1
        [[ $status == 200 ]]
    ) 2>/dev/null
}

for target in "ingest $ingest_host $ingest_port INGEST_ADDR" "api $api_host $api_port API_ADDR"; do
    read -r name host port var <<<"$target"
    if port_open "$host" "$port"; then
        echo "error: something already listens on $host:$port, where $name should run." >&2
        echo "       Stop it (an earlier ./start.sh?) or choose another address with $var=127.0.0.1:PORT." >&2
        exit 1
    fi
done

# The debug profile builds in a fraction of the release time and is plenty for
# trying the product out; use `cargo build --release` for benchmarks.
echo "==> Building ingest and api (debug profile)…"
cargo build --bin ingest --bin api
bin="${CARGO_TARGET_DIR:-target}/debug"

pids=()
# shellcheck disable=SC2317 # invoked by the traps below
stop_children() {
    trap - EXIT INT TERM
    if ((${#pids[@]} > 0)); then
        echo
        echo "==> Stopping ingest and api…"
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
        echo "==> Stopped."
    fi
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> Starting ingest on $INGEST_ADDR and api on $API_ADDR (logs in $log_dir/)…"
"$bin/ingest" serve >"$log_dir/ingest.log" 2>&1 &
ingest_pid=$!
pids+=("$ingest_pid")
"$bin/api" serve >"$log_dir/api.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")

# Waits for GET /readyz to answer 200, or reports why the process stopped.
wait_ready() {
    local name=$1 pid=$2 host=$3 port=$4
    local timeout_s=60 deadline
    deadline=$((SECONDS + timeout_s))
    until http_ok "$host" "$port" /readyz; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name stopped during start-up. Last lines of $log_dir/$name.log:" >&2
            tail -n 20 "$log_dir/$name.log" >&2
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "error: $name is not ready after $timeout_s s (GET /readyz). Last lines of $log_dir/$name.log:" >&2
            tail -n 20 "$log_dir/$name.log" >&2
            exit 1
        fi
        sleep 0.3
    done
    echo "    $name is ready"
}
wait_ready ingest "$ingest_pid" "$ingest_host" "$ingest_port"
wait_ready api "$api_pid" "$api_host" "$api_port"

echo "==> Sending the sample webhooks through $ingest_url…"
if ! "$bin/ingest" load-samples --url "$ingest_url"; then
    echo "warning: not every sample was accepted (see above); the product keeps running." >&2
fi

token=$("$bin/api" token --role analyst --ttl 8h)
db_shown=$(sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<<"$DATABASE_URL")

cat <<EOF

================================================================================
 tripgraph is running (development secrets; database: $db_shown)

 GraphiQL (analysts):   $api_url/graphql
   Open it, and in the "Headers" tab paste:
     {"Authorization": "Bearer $token"}
   then run, for example:
     { bookings(first: 10) { totalCount edges { node {
         id partner reference status tripStart tripEnd
         destination { code name } segments { sequence origin { code } destination { code } departureAt }
     } } } }

 Analyst token (valid 8 h; another one: $bin/api token --role analyst --ttl 8h):
   export TOKEN=$token

 Same query from a shell:
   curl -s $api_url/graphql -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
     -d '{"query":"{ bookings(first: 10) { totalCount edges { node { partner reference status tripStart } } } }"}'

 Partner webhooks:      $ingest_url/webhooks/<partner>[/<topic>]   (partners: $PARTNERS_CONFIG)
   e.g. curl -s '$ingest_url/webhooks/hahn-air/booking-create?token=$HAHN_AIR_TOKEN' \\
          -H 'Content-Type: application/json' \\
          -d '{"bookingId":"9001","tripStart":"2030-05-01T08:00:00Z","bookingDate":"2030-01-10T12:00:00Z",
               "departureAirportCode":"LHR","destinationAirportCode":"LIS","destinationName":"Lisbon",
               "customerId":"c-1","phoneNumber":"+441632960881","email":"ana@example.com","firstName":"Ana"}'
 OAuth token endpoint:  $ingest_url/oauth/token
 Health:                $ingest_url/readyz   $api_url/readyz
 Logs:                  $log_dir/ingest.log   $log_dir/api.log

 Press Ctrl-C to stop both.
================================================================================
EOF

# Wait until Ctrl-C / SIGTERM (the traps stop both children) or until one of
# them exits on its own, which is reported and stops the other. (A polling loop
# rather than `wait -n`, so that the bash 3.2 shipped with macOS runs it too;
# `sleep & wait` lets a signal interrupt the pause at once.)
while kill -0 "$ingest_pid" 2>/dev/null && kill -0 "$api_pid" 2>/dev/null; do
    sleep 1 &
    wait $! || true
done
for name in ingest api; do
    pid=$ingest_pid
    [[ $name == api ]] && pid=$api_pid
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "error: $name exited unexpectedly. Last lines of $log_dir/$name.log:" >&2
        tail -n 20 "$log_dir/$name.log" >&2
    fi
done
exit 1
