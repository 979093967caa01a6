# bench/lib.sh: what bench/run and bench/soak share. Sourced, not run. The caller sets `out` (its results directory)
# and `results` (its properties file) before starting servers.

log() { printf '\n== %s\n' "$*" >&2; }

# --- JDK 25, found the way ./ccx finds it --------------------------------------------------------------------------
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(java_major "$JAVA_HOME")
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return; fi
  fi
  local c best="" best_v=0
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/javac" ] || continue
    local v; v=$(java_major "$c"); v=${v%%.*}
    if [ "${v:-0}" -ge 25 ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best="$c"; best_v=$v; fi
  done
  [ -n "$best" ] || { echo "bench: needs a JDK 25+ (JAVA_HOME or /usr/lib/jvm/*)" >&2; exit 1; }
  echo "$best"
}
export JAVA_HOME; JAVA_HOME="$(find_jdk)"
java="$JAVA_HOME/bin/java"

# The server's JVM options, as ./ccx serve takes them: CCX_JAVA_OPTS, or ../jvm.options.
if [ -n "${CCX_JAVA_OPTS+set}" ]; then jvm_opts="$CCX_JAVA_OPTS"; else
  jvm_opts=$(grep -v '^[[:space:]]*#' "$root/jvm.options" | tr '\n' ' '); fi

put() { printf '%s=%s\n' "$1" "$2" >>"$results"; }

# Builds ccx (unless CCX_JAR is given) and the load generator, and copies both into $out, so other builds in this
# tree cannot swap the jars under a running benchmark. ccx is built with `mvn package` in the reactor, tests skipped:
# not with ./ccx, which runs `mvn install` and so writes this tree's modules into ~/.m2, shared with other builds.
build_jars() {
  local src_jar
  if [ -n "${CCX_JAR:-}" ]; then
    src_jar="$CCX_JAR"
  else
    log "building ccx (mvn package -pl cli -am, tests skipped)"
    mvn -B -q -f "$root/pom.xml" -DskipTests -DskipITs -pl cli -am package >&2
    src_jar="$root/cli/target/ccx.jar"
  fi
  log "building the load generator (bench/pom.xml)"
  mvn -B -q -f "$here/pom.xml" package >&2
  cp "$src_jar" "$out/ccx.jar"
  cp "$here/target/ccx-bench.jar" "$out/ccx-bench.jar"
}

# --- processes we start, and their end ------------------------------------------------------------------------------
started=()
cleanup() {
  local p
  [ ${#started[@]} -gt 0 ] || { rm -rf "$out"/state.* 2>/dev/null || true; return; }
  for p in "${started[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$out"/state.* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() { # PID: SIGTERM, then SIGKILL after 10 s; then forgets it, so cleanup never signals a reused pid
  local p=$1 q keep=()
  if kill -TERM "$p" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
  for q in "${started[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  started=(${keep[@]+"${keep[@]}"})
}

# Idle share of the CPUs over one second, in percent: other work on the machine skews every number here.
idle_pct() {
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 1
  read -r -a b < <(head -1 /proc/stat)
  local ta=0 tb=0 i
  for i in 1 2 3 4 5 6 7 8; do ta=$((ta + a[i])); tb=$((tb + b[i])); done
  echo $(( 100 * ((b[4] + b[5]) - (a[4] + a[5])) / (tb - ta) ))
}
quiet_check() { # NAME: waits (10 s at most) for two idle seconds, and records how idle the machine was
  local idle quiet=0 deadline=$((SECONDS + 10))
  while :; do
    idle=$(idle_pct)
    if [ "$idle" -ge 90 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ "$quiet" -ge 2 ] || [ "$SECONDS" -ge "$deadline" ] && break
  done
  put "idle.$1" "$idle"
  if [ "$idle" -lt 90 ]; then
    echo "bench: WARNING: the machine was only ${idle}% idle before $1; something else is running" >&2
  fi
}

ccx_pid="" ccx_url="" ccx_state=""
# NAME [serve options...]: a ccx server on a free port, with its own state dir; sets ccx_pid, ccx_url, ccx_state.
# It runs $ccx_jar when set (another build, for a side-by-side run), else $out/ccx.jar.
start_ccx() {
  local name=$1; shift
  local state; state=$(mktemp -d "$out/state.XXXX")
  ccx_state=$state
  local opts=(--enable-native-access=ALL-UNNAMED)
  # shellcheck disable=SC2206 # word splitting of the options is intended
  opts+=(${jvm_opts})
  if [ "${jfr:-0}" = 1 ]; then
    opts+=("-XX:StartFlightRecording=filename=$out/ccx-$name.jfr,settings=profile")
  fi
  : >"$out/ccx-$name.out" # before the server starts: the loop below may read it before the child opens it
  "$java" "${opts[@]}" -jar "${ccx_jar:-$out/ccx.jar}" serve --port 0 --state-dir "$state" --log-level WARN "$@" \
    >"$out/ccx-$name.out" 2>"$out/ccx-$name.log" &
  ccx_pid=$!
  started+=("$ccx_pid")
  for _ in $(seq 300); do
    ccx_url=$(sed -n 's/^ccx listening on //p' "$out/ccx-$name.out")
    [ -n "$ccx_url" ] && break
    kill -0 "$ccx_pid" 2>/dev/null || { cat "$out/ccx-$name.log" >&2; echo "bench: ccx did not start" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$ccx_url" ] || { echo "bench: ccx did not print its URL within 30 s" >&2; exit 1; }
  echo "ccx ($name) pid $ccx_pid at $ccx_url" >&2
}

put_machine() { # the facts every report starts with
  put meta.date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  put meta.nproc "$(nproc)"
  put meta.cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  put meta.mem "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  put meta.jdk "$("$java" -version 2>&1 | sed -n 's/^\(openjdk\|java\) version "\([^"]*\)".*/JDK \2/p; s/^OpenJDK Runtime Environment \(.*\)/(\1)/p' | paste -sd' ')"
  put meta.ccx "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -n "${CCX_JAR:-}" ] && echo " (CCX_JAR=$CCX_JAR)")"
  put meta.ccx_jvm_opts "$jvm_opts"
}
