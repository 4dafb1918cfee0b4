# Shared by scripts/benchmark and scripts/benchmark-as2 (sourced, not run).
# Expects: say, fail; sets/uses java, service_pid.

# Newest JDK >= 21 under /usr/lib/jvm (the java on PATH may be older).
bench_find_java() {
  java=""
  local jdk v
  for jdk in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
    [ -x "$jdk/bin/java" ] || continue
    v=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 \
          | awk -F'= ' '/java.specification.version/ { print $2 }')
    if [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 21 ]; then java="${jdk%/}/bin/java"; break; fi
  done
  [ -n "$java" ] || { say "no JDK >= 21 found under /usr/lib/jvm"; exit 1; }
}

# bench_start_service LOG HEALTH_URL TIMEOUT_S JAVA_AND_APP_ARGS... : starts the jar in the
# background (service_pid) and waits until /actuator/health says UP.
bench_start_service() {
  local log=$1 health=$2 timeout=$3
  shift 3
  "$java" "$@" > "$log" 2>&1 &
  service_pid=$!
  local deadline=$(( $(date +%s) + timeout ))
  until curl -sk --max-time 5 "$health" 2>/dev/null | grep -Eq '"status" *: *"UP"'; do
    kill -0 "$service_pid" 2>/dev/null || fail "the service exited during start-up"
    [ "$(date +%s)" -lt "$deadline" ] || fail "service not healthy (UP) after ${timeout} s"
    sleep 1
  done
}

bench_stop_service() {
  [ -n "${service_pid:-}" ] || return 0
  if kill -0 "$service_pid" 2>/dev/null; then
    kill "$service_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$service_pid" 2>/dev/null && { say "service did not stop in 30 s; killing it"; kill -9 "$service_pid" 2>/dev/null || true; }
  fi
  wait "$service_pid" 2>/dev/null || true
  service_pid=""
}

# bench_pg_settings DB: the PostgreSQL settings that bear on bulk loads and commits, as one line, so every
# report says what it was measured with (README, "PostgreSQL settings").
bench_pg_settings() {
  PGPASSWORD=${PGPASSWORD:-ingest} psql -X -At -h localhost -U ingest -d "$1" -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
    FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'synchronous_commit',
      'wal_level', 'wal_compression', 'full_page_writes', 'fsync', 'maintenance_work_mem', 'work_mem')" 2>/dev/null \
    || echo unknown
}

# bench_recreate_db DB: drops and creates the benchmark database. A service just stopped may keep a backend
# for a moment, which makes DROP DATABASE refuse ("being accessed by other users"): tried again for up to
# 10 s. (Not WITH (FORCE): that refuses outright when an autovacuum worker of the last load is in there,
# which a plain DROP cancels by itself.)
bench_recreate_db() {
  local db=$1 i
  for i in $(seq 1 20); do
    PGPASSWORD=${PGPASSWORD:-ingest} psql -X -q -v ON_ERROR_STOP=1 -h localhost -U ingest -d postgres \
      -c "DROP DATABASE IF EXISTS $db" 2>/dev/null && break
    sleep 0.5
  done
  PGPASSWORD=${PGPASSWORD:-ingest} psql -X -q -v ON_ERROR_STOP=1 -h localhost -U ingest -d postgres \
    -c "CREATE DATABASE $db OWNER ingest"
}

# bench_cpu_snapshot PID FILE: the service's per-thread CPU ticks, every PostgreSQL process's, the machine's busy
# and idle ticks and the time, for scripts/bench/cpu_split.py diff.
bench_cpu_snapshot() {
  python3 scripts/bench/cpu_split.py snapshot "$1" "$2"
}

# bench_await_quiet DB: waits (up to 300 s) until the aftermath of a warm-up is over, so that it does not share the
# measured feeds' CPU: the production ledger's queue is empty (it recomputes the warm-up's systems) and no
# autovacuum worker runs (it analyses the rows the warm-up added). Returns 1 when they are still busy after that.
bench_await_quiet() {
  local busy deadline=$(( $(date +%s) + 300 ))
  while :; do
    busy=$(PGPASSWORD=${PGPASSWORD:-ingest} psql -X -At -h localhost -U ingest -d "$1" -c "SELECT
        (SELECT count(*) FROM production_dirty)
      + (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker')") || return 1
    [ "$busy" = 0 ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
