#!/usr/bin/env bash
# CPU profile of the spend path: one command, prints where the service's CPU goes, writes
# bench/results/profile-<stamp>-<jvm|native>.collapsed (flame-graph input) and a .txt of the tables.
#   bench/profile.sh            (the production jar; PROFILE_SECONDS=20 of 64-client spends)
#   bench/profile.sh native     (target/*-runner or BENCH_NATIVE)
# One PostgreSQL 15, 10 000 seeded users, uncontended spends (bench/lua/genledger.lua). The JVM is
# warmed up (10 s windows until two in a row are within 3 %), then async-profiler (Maven Central,
# tools.profiler:async-profiler, downloaded once into bench/.cache) is attached for the measured
# window, `ctimer` sampling (per-thread CPU timers; perf_events are not available in this VM). The
# native binary takes no agent, and async-profiler preloaded into it wrote no profile (ctimer,
# itimer, or a timed stop: none reached its file), so the image's own JFR samples it from start to
# exit: build it with `./mvnw package -Dnative -Dquarkus.native.monitoring=jfr`. Its execution
# samples (threads running Java code; time in system calls is not sampled) become the same
# collapsed stacks.
# Ports: lib.sh's defaults.
# Needs: wrk, jq, PostgreSQL 15 server, JDK 25, unzip (the JVM's profiler), root.
source "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT
MODE=${1:-jvm}
SECONDS_PER=${PROFILE_SECONDS:-20}
USERS=${PROFILE_USERS:-10000}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_ROOT/bench/results"
PROFILE="$OUT/profile-$STAMP-$MODE"
AP_VERSION=4.2
AP="$BENCH_ROOT/bench/.cache/async-profiler-$AP_VERSION/linux-x64/libasyncProfiler.so"
mkdir -p "$OUT"

# Only the JVM takes the profiler; the native binary records itself.
if [ "$MODE" = jvm ] && [ ! -f "$AP" ]; then
  mkdir -p "$(dirname "$(dirname "$AP")")"
  curl -sf -o "$WORK/ap.jar" \
    "https://repo1.maven.org/maven2/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar"
  unzip -qo "$WORK/ap.jar" 'linux-x64/*' -d "$(dirname "$(dirname "$AP")")"
fi
[ -f "$BENCH_ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$BENCH_ROOT" && ./mvnw -q -B -ntp package -DskipTests)
[ "$MODE" = jvm ] || native_binary >/dev/null || { log "no native build: ./mvnw package -Dnative (or BENCH_NATIVE=path)"; exit 1; }

spends() { spend_load "$APP_PORT" spend "$1" "$2"; }   # spends <seconds> <prefix>

pg_start
log "migrating, then seeding $USERS users"
app_start jvm; app_wait_ready 180 >/dev/null; app_stop
seed_users "$USERS" 1000000000000
TOKEN=$(token service)

if [ "$MODE" = jvm ]; then
  BENCH_JAVA_OPTS="-XX:+EnableDynamicAgentLoading ${BENCH_JAVA_OPTS:-}" app_start jvm
  app_wait_ready 180 >/dev/null
  windows=0 prev=0
  while [ "$windows" -lt 24 ]; do
    windows=$((windows + 1)); rps=$(spends 10 warmup | jq .rps)
    log "warm-up window $windows: $rps req/s"
    [ "$windows" -ge 6 ] && settled "$prev" "$rps" && break
    prev=$rps
  done
  # jcmd parses a=b itself unless the agent's options are quoted
  "$JAVA_HOME/bin/jcmd" "$APP_PID" JVMTI.agent_load "$AP" '"start,event=ctimer,interval=1ms"' >/dev/null
  t0=$(cpu_ticks "$APP_PID"); r0=$(ledger_rows)
  rps=$(spends "$SECONDS_PER" measured | jq .rps)
  cpu=$(ticks_ms $(($(cpu_ticks "$APP_PID") - t0))); spent=$(($(ledger_rows) - r0))
  "$JAVA_HOME/bin/jcmd" "$APP_PID" JVMTI.agent_load "$AP" "\"stop,file=$PROFILE.collapsed,collapsed\"" >/dev/null
else
  # No JIT to warm up, and the start-up is a fraction of a second of the recording.
  BENCH_NATIVE_OPTS="-XX:StartFlightRecording=filename=$PROFILE.jfr,settings=profile ${BENCH_NATIVE_OPTS:-}" app_start native
  app_wait_ready 60 >/dev/null
  t0=$(cpu_ticks "$APP_PID"); r0=$(ledger_rows)
  rps=$(spends "$SECONDS_PER" measured | jq .rps)
  cpu=$(ticks_ms $(($(cpu_ticks "$APP_PID") - t0))); spent=$(($(ledger_rows) - r0))
  app_stop
  [ -s "$PROFILE.jfr" ] || { log "no recording: the binary needs -Dquarkus.native.monitoring=jfr"; exit 1; }
  "$JAVA_HOME/bin/jfr" print --json --events jdk.ExecutionSample --stack-depth 256 "$PROFILE.jfr" \
    | jq -r '.recording.events[].values.stackTrace.frames | map(.method.type.name + "." + .method.name) | reverse | join(";")' \
    | sort | uniq -c | awk '{ n = $1; $1 = ""; print substr($0, 2) " " n }' > "$PROFILE.collapsed"
fi
log "measured: $rps req/s"
[ -s "$PROFILE.collapsed" ] || { log "the profiler wrote nothing"; exit 1; }

# Stacks are "frame;frame;...;leaf count". A sample goes to the layer of the frame nearest its leaf
# that any layer claims (in this order for one frame); JDK and kernel frames are claimed by none, so
# a socket read inside pgjdbc counts as pgjdbc I/O. Java frames read a/b/C.m on the JVM, a.b.C.m in a
# native image.
awk -v rps="$rps" -v secs="$SECONDS_PER" -v cpu="$cpu" -v spent="$spent" '
  BEGIN {
    k = 0
    name[++k] = "pgjdbc socket I/O";        pat[k] = "org[./]postgresql[./]core[./](VisibleBufferedInputStream|PGStream)"
    name[++k] = "pgjdbc protocol";          pat[k] = "^org[./]postgresql"
    name[++k] = "Agroal pool";              pat[k] = "^io[./]agroal"
    name[++k] = "Narayana JTA";             pat[k] = "^(com[./]arjuna|io[./]quarkus[./]narayana)"
    name[++k] = "Hibernate Validator";      pat[k] = "^org[./]hibernate[./]validator"
    name[++k] = "Hibernate ORM";            pat[k] = "^org[./]hibernate"
    name[++k] = "SmallRye Fault Tolerance"; pat[k] = "^io[./]smallrye[./]faulttolerance"
    name[++k] = "SmallRye JWT";             pat[k] = "^(io[./]smallrye[./]jwt|org[./]jose4j)"
    name[++k] = "Jackson";                  pat[k] = "^com[./]fasterxml[./]jackson"
    name[++k] = "RESTEasy Reactive";        pat[k] = "^(org[./]jboss[./]resteasy|io[./]quarkus[./]resteasy)"
    name[++k] = "Vert.x / Netty";           pat[k] = "^(io[./]vertx|io[./]netty)"
    name[++k] = "Micrometer";               pat[k] = "^io[./]micrometer"
    name[++k] = "Quarkus / ArC / SmallRye"; pat[k] = "^(io[./]quarkus|io[./]smallrye)"
    name[++k] = "genledger";                pat[k] = "^dev[./]genledger"
    name[++k] = "GC";                       pat[k] = "^(G1|GC|Serial|PSScavenge|ParallelScavenge|ScavengeRoots|com[./]oracle[./]svm[./]core[./]genscavenge)"
    name[++k] = "JIT compiler";             pat[k] = "^(CompileBroker|C2Compiler|Compile::|C1_|Parse::|PhaseIdealLoop|Compilation::)"
  }
  {
    count = $NF; stack = $0; sub(/ [0-9]+$/, "", stack); total += count
    nf = split(stack, f, ";"); layer = "other (JDK, kernel, threads)"
    for (i = nf; i >= 1 && layer ~ /^other/; i--)
      for (j = 1; j <= k; j++) if (f[i] ~ pat[j]) { layer = name[j]; break }
    by[layer] += count; self[f[nf]] += count
  }
  END {
    printf "%d samples in %d s at %s req/s; the process used %.3f ms of CPU per spend (/proc)\n\n", total, secs, rps, cpu / spent
    print "| layer (nearest the leaf) | share of samples |"; print "|---|---:|"
    cmd = "sort -t \"|\" -b -k3 -g -r"
    for (l in by) printf "| %s | %.1f %% |\n", l, 100 * by[l] / total | cmd
    close(cmd)
    print ""; print "| top self frames | share |"; print "|---|---:|"
    cmd = "sort -t \"|\" -b -k3 -g -r | head -15"
    for (x in self) printf "| `%s` | %.1f %% |\n", substr(x, 1, 110), 100 * self[x] / total | cmd
    close(cmd)
  }' "$PROFILE.collapsed" | tee "$PROFILE.txt"
echo; echo "results: ${PROFILE#$BENCH_ROOT/}.collapsed, ${PROFILE#$BENCH_ROOT/}.txt"
