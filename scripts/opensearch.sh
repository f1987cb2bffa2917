#!/usr/bin/env bash
# Run a real single-node OpenSearch (with the k-NN plugin) without Docker.
#
#   scripts/opensearch.sh install   download (Maven Central, cached in ~/.m2) and install
#   scripts/opensearch.sh start     install if needed, start, wait for yellow/green health
#   scripts/opensearch.sh stop      stop the node
#   scripts/opensearch.sh status    print cluster health
#
# Exit codes: 0 ok; 1 failure; 2 usage; 3 `status`: node not running (`stop` of a
# stopped node is a no-op, exit 0).
#
# Which version: OpenSearch 3.5.0 (Lucene 10) when a JDK >= 21 is found, else 2.19.1
# (Lucene 9.12) with a log line saying why. Lucene runs its distance functions on the JDK's
# vector API (SIMD) only with Lucene 10 on Java 21+ (Lucene 9.12 only on Java 20-22); on
# 2.19 + Java 17 every kNN distance is scalar Java. 2.x needs the SecurityManager (Java <= 23).
#
# Pieces, all from Maven Central:
#   org.opensearch.distribution.integ-test-zip:opensearch:<ver>:zip   (server, no JDK;
#       3.x ships every module, lang-painless and analysis-common included, and the
#       opensearch-agent that replaces the SecurityManager; 2.x only transport-netty4)
#   2.x only: org.opensearch.plugin:lang-painless:<ver> (+ deps) -> modules/lang-painless
#       (k-NN declares lang-painless as a required extended plugin)
#   2.x only: org.opensearch.plugin:analysis-common:<ver> -> modules/analysis-common
#       (english/stemming/stop analyzers; OPENSEARCH_ANALYSIS_COMMON=0 to skip)
#   org.opensearch.plugin:opensearch-knn:<ver>.0:zip    -> bin/opensearch-plugin install
# The k-NN zip on Central has no native faiss/nmslib libraries: knn_vector fields must
# use "engine": "lucene".
#
# Environment (all optional):
#   OPENSEARCH_VERSION   default 3.5.0 with a JDK >= 21, else 2.19.1 (k-NN <ver>.0 must
#                        exist on Central)
#   OPENSEARCH_HOME      install dir; default $HOME/.cache/photodesk/opensearch-<ver>,
#                        or /var/cache/photodesk/opensearch-<ver> when run as root
#                        (root's HOME is not readable by the service user)
#   OPENSEARCH_PORT      HTTP port on 127.0.0.1, default 9200
#   OPENSEARCH_RUN_DIR   config/data/logs/pid; default /tmp/photodesk-opensearch-<port>
#   OPENSEARCH_USER      system user used when run as root, default opensearch
#   OPENSEARCH_JAVA_HOME the JDK (2.x: 11..23, 3.x: >= 21); default: first suitable of
#                        JAVA_HOME, java on PATH, /usr/lib/jvm/* (readable by the service user)
#   OPENSEARCH_JAVA_OPTS default "-Xms512m -Xmx512m"
#   OPENSEARCH_START_TIMEOUT seconds to wait for health, default 120
set -euo pipefail

NEW_VERSION=3.5.0 # needs Java >= 21
OLD_VERSION=2.19.1 # runs on Java 11..23
PORT="${OPENSEARCH_PORT:-9200}"
OS_USER="${OPENSEARCH_USER:-opensearch}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-120}"
WITH_ANALYSIS_COMMON="${OPENSEARCH_ANALYSIS_COMMON:-1}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

RUN_DIR="${OPENSEARCH_RUN_DIR:-/tmp/photodesk-opensearch-${PORT}}"
PID_FILE="${RUN_DIR}/opensearch.pid"
URL="http://127.0.0.1:${PORT}"
MARKER=".photodesk-install"
VERSION_FILE="${RUN_DIR}/.photodesk-version" # which version wrote data/
# set by resolve_version (install/start only: stop and status need no Java)
OS_VERSION="" KNN_VERSION="" OS_MAJOR="" OS_HOME="" MARKER_TEXT="" JDK=""

log() { echo "[opensearch] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- java
java_major() { # prints the major version of $1/bin/java, or nothing
  [[ -x "$1/bin/java" ]] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n1
}

java_candidates() { # JDK homes to try, in order of preference, one per line
  local c
  [[ -n "${JAVA_HOME:-}" ]] && echo "$JAVA_HOME"
  if command -v java >/dev/null 2>&1; then
    c="$(readlink -f "$(command -v java)")"; echo "${c%/bin/java}"
  fi
  for c in /usr/lib/jvm/*; do
    [[ -d "$c" ]] && readlink -f "$c"
  done
  return 0
}

find_java_home() { # $1 min major, $2 max major; prints the first JDK in range, or nothing
  local c m
  while read -r c; do
    m="$(java_major "$c")"
    if [[ -n "$m" && $m -ge $1 && $m -le $2 ]]; then echo "$c"; return 0; fi
  done < <(java_candidates)
  return 0
}

java_range() { # the JDK majors a version runs on: "min max"
  # 3.x is built for 21; 2.x needs the SecurityManager, which Java 24 removed
  if [[ ${1%%.*} -ge 3 ]]; then echo "21 99"; else echo "11 23"; fi
}

range_text() { if [[ $2 -ge 99 ]]; then echo ">= $1"; else echo "$1..$2"; fi; }

resolve_version() { # sets OS_VERSION, JDK and what follows from them
  local m lo hi
  if [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]]; then
    m="$(java_major "$OPENSEARCH_JAVA_HOME")"
    [[ -n "$m" ]] || die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME has no bin/java"
    if [[ -n "${OPENSEARCH_VERSION:-}" ]]; then
      OS_VERSION="$OPENSEARCH_VERSION"
    elif [[ $m -ge 21 ]]; then
      OS_VERSION="$NEW_VERSION"
    else
      OS_VERSION="$OLD_VERSION"
      log "OPENSEARCH_JAVA_HOME is Java $m (< 21): OpenSearch $OS_VERSION, Lucene's vector API off"
    fi
    read -r lo hi < <(java_range "$OS_VERSION")
    [[ $m -ge $lo && $m -le $hi ]] \
      || die "OpenSearch $OS_VERSION needs a JDK $(range_text "$lo" "$hi"); OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME is $m"
    JDK="$OPENSEARCH_JAVA_HOME"
  elif [[ -n "${OPENSEARCH_VERSION:-}" ]]; then
    OS_VERSION="$OPENSEARCH_VERSION"
    read -r lo hi < <(java_range "$OS_VERSION")
    JDK="$(find_java_home "$lo" "$hi")"
    [[ -n "$JDK" ]] || die "OpenSearch $OS_VERSION needs a JDK $(range_text "$lo" "$hi"): none found; set OPENSEARCH_JAVA_HOME"
  else
    JDK="$(find_java_home 21 99)"
    if [[ -n "$JDK" ]]; then
      OS_VERSION="$NEW_VERSION"
    else
      OS_VERSION="$OLD_VERSION"
      JDK="$(find_java_home 11 23)"
      [[ -n "$JDK" ]] || die "no JDK found (OpenSearch $NEW_VERSION needs >= 21, $OLD_VERSION 11..23); set OPENSEARCH_JAVA_HOME"
      log "no JDK >= 21 found (JAVA_HOME, java on PATH, /usr/lib/jvm/*): OpenSearch $OS_VERSION on Java $(java_major "$JDK"), Lucene's vector API off (scalar kNN distances)"
    fi
  fi
  KNN_VERSION="${OS_VERSION}.0"
  OS_MAJOR="${OS_VERSION%%.*}"
  if [[ $EUID -eq 0 ]]; then
    OS_HOME="${OPENSEARCH_HOME:-/var/cache/photodesk/opensearch-${OS_VERSION}}"
  else
    OS_HOME="${OPENSEARCH_HOME:-${HOME}/.cache/photodesk/opensearch-${OS_VERSION}}"
  fi
  MARKER_TEXT="opensearch=${OS_VERSION} knn=${KNN_VERSION} analysis-common=${WITH_ANALYSIS_COMMON}"
}

# ---------------------------------------------------------------- install
fetch_artifacts() { # $1 = output dir; resolves through ~/.m2 (cached)
  local out="$1" pomdir
  pomdir="$(mktemp -d)"
  local ac_dep="" painless_dep=""
  if [[ $OS_MAJOR -lt 3 ]]; then
    painless_dep="<dependency><groupId>org.opensearch.plugin</groupId><artifactId>lang-painless</artifactId><version>${OS_VERSION}</version>
      <!-- painless-spi depends on the server, which lib/ already holds (jar hell) -->
      <exclusions><exclusion><groupId>org.opensearch</groupId><artifactId>opensearch</artifactId></exclusion></exclusions></dependency>"
  fi
  if [[ "$WITH_ANALYSIS_COMMON" == 1 && $OS_MAJOR -lt 3 ]]; then
    ac_dep="<dependency><groupId>org.opensearch.plugin</groupId><artifactId>analysis-common</artifactId><version>${OS_VERSION}</version><exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>"
  fi
  cat >"$pomdir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.photodesk</groupId><artifactId>opensearch-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.opensearch.distribution.integ-test-zip</groupId><artifactId>opensearch</artifactId>
      <version>${OS_VERSION}</version><type>zip</type>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.opensearch.plugin</groupId><artifactId>opensearch-knn</artifactId>
      <version>${KNN_VERSION}</version><type>zip</type>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>
    ${painless_dep}
    ${ac_dep}
  </dependencies>
</project>
EOF
  log "resolving artifacts with mvn (cached in ~/.m2)"
  if ! mvn -B -q -f "$pomdir/pom.xml" "${DEP_PLUGIN}:copy-dependencies" \
      -DoutputDirectory="$out" -DincludeScope=runtime >"$pomdir/mvn.log" 2>&1; then
    tail -n 40 "$pomdir/mvn.log" >&2
    rm -rf "$pomdir"
    die "mvn could not resolve OpenSearch ${OS_VERSION} / k-NN ${KNN_VERSION}"
  fi
  rm -rf "$pomdir"
}

write_module_descriptor() { # dir name classname description extended
  cat >"$1/plugin-descriptor.properties" <<EOF
description=$4
version=${OS_VERSION}
name=$2
classname=$3
java.version=11
opensearch.version=${OS_VERSION}
extended.plugins=$5
has.native.controller=false
EOF
}

installed() { [[ -f "$OS_HOME/$MARKER" && "$(cat "$OS_HOME/$MARKER")" == "$MARKER_TEXT" ]]; }

do_install() {
  if installed; then
    log "already installed: $OS_HOME"
    return 0
  fi
  # Several runs (a developer's suite, a test's own node, CI) may start at once: one installs,
  # the others wait for it instead of replacing the install under it.
  mkdir -p "$(dirname "$OS_HOME")"
  (
    flock 9
    if installed; then
      log "installed meanwhile: $OS_HOME"
    else
      install_locked
    fi
  ) 9>"${OS_HOME}.lock"  # (a failure in the subshell ends the script: set -e)
}

install_modules_2x() { # $1 tmp dir, $2 unpacked home: the modules the 2.x zip lacks
  local tmp="$1" home="$2"
  # lang-painless as a module: its jar, its dependencies, a descriptor and its policy
  local pm="$home/modules/lang-painless" f
  mkdir -p "$pm"
  for f in "$tmp"/dl/*.jar; do
    case "$(basename "$f")" in analysis-common-*) ;; *) cp "$f" "$pm/" ;; esac
  done
  write_module_descriptor "$pm" lang-painless org.opensearch.painless.PainlessPlugin \
    "An easy, safe and fast scripting language for OpenSearch" ""
  cat >"$pm/plugin-security.policy" <<'EOF'
grant {
  // needed to generate runtime classes
  permission java.lang.RuntimePermission "createClassLoader";
  // needed to find the classloader to load whitelisted classes from
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
  if [[ "$WITH_ANALYSIS_COMMON" == 1 ]]; then
    local am="$home/modules/analysis-common"
    mkdir -p "$am"
    cp "$tmp"/dl/analysis-common-*.jar "$am/"
    write_module_descriptor "$am" analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin \
      "Adds \"built in\" analyzers to OpenSearch." lang-painless
  fi
}

install_locked() {
  if [[ -e "$OS_HOME" ]]; then
    [[ -f "$OS_HOME/$MARKER" ]] || die "$OS_HOME exists but was not made by this script; remove it or set OPENSEARCH_HOME"
    log "replacing install with different options: $OS_HOME"
  fi
  command -v mvn >/dev/null || die "mvn not found"
  command -v unzip >/dev/null || die "unzip not found"
  local jh="$JDK"
  local parent; parent="$(dirname "$OS_HOME")"
  mkdir -p "$parent"
  local tmp="${OS_HOME}.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/dl"
  trap 'rm -rf "'"$tmp"'"' EXIT

  fetch_artifacts "$tmp/dl"
  local dist="$tmp/dl/opensearch-${OS_VERSION}.zip" knn="$tmp/dl/opensearch-knn-${KNN_VERSION}.zip"
  [[ -f "$dist" && -f "$knn" ]] || die "artifacts missing after mvn: $(ls "$tmp/dl")"

  log "unpacking OpenSearch ${OS_VERSION}"
  unzip -q "$dist" -d "$tmp/x"
  local home="$tmp/x/opensearch-${OS_VERSION}"
  [[ -x "$home/bin/opensearch" ]] || die "unexpected layout in $dist"

  if [[ $OS_MAJOR -lt 3 ]]; then
    install_modules_2x "$tmp" "$home"
  fi

  log "installing k-NN ${KNN_VERSION}"
  # bin/opensearch-env honours OPENSEARCH_HOME / OPENSEARCH_PATH_CONF from the environment
  local penv=(env "OPENSEARCH_HOME=$home" "OPENSEARCH_PATH_CONF=$home/config" "OPENSEARCH_JAVA_HOME=$jh")
  "${penv[@]}" "$home/bin/opensearch-plugin" install --batch "file://$knn" </dev/null >&2 \
    || die "opensearch-plugin install failed"
  "${penv[@]}" "$home/bin/opensearch-plugin" list </dev/null | grep -qx opensearch-knn \
    || die "k-NN not listed after install"

  chmod -R a+rX "$home"
  echo "$MARKER_TEXT" >"$home/$MARKER"
  rm -rf "$OS_HOME"
  mv "$home" "$OS_HOME"
  rm -rf "$tmp"
  trap - EXIT
  log "installed: $OS_HOME"
}

# ---------------------------------------------------------------- run
running_pid() { # prints the pid if our node is alive
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(tr -dc 0-9 <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'org.opensearch.bootstrap.OpenSearch'; then
    echo "$pid"; return 0
  fi
  return 1
}

launching() { # is a java process for this run dir alive (pid file or not)?
  # (the bracket keeps this grep from matching its own command line)
  grep -aqs -- "-Dopensearch[.]path[.]conf=$RUN_DIR/config" /proc/[0-9]*/cmdline
}

health_status() { # prints green/yellow/red, or nothing if unreachable
  curl -s -m 5 "$URL/_cluster/health" 2>/dev/null \
    | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true
}

ensure_user() {
  id -u "$OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user $OS_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$OS_USER" || die "useradd $OS_USER failed"
}

prepare_run_dir() {
  mkdir -p "$RUN_DIR/config" "$RUN_DIR/data" "$RUN_DIR/logs"
  cp -r "$OS_HOME/config/jvm.options.d" "$OS_HOME/config/log4j2.properties" "$RUN_DIR/config/"
  # keep GC log, heap dumps and hs_err files out of the (read-only) install
  # and drop the default 1g heap lines (the heap comes from OPENSEARCH_JAVA_OPTS)
  sed -e '/^-Xm[sx]/d' \
      -e "s#file=logs/#file=$RUN_DIR/logs/#" \
      -e "s#HeapDumpPath=data#HeapDumpPath=$RUN_DIR/data#" \
      -e "s#ErrorFile=logs/#ErrorFile=$RUN_DIR/logs/#" \
      "$OS_HOME/config/jvm.options" >"$RUN_DIR/config/jvm.options"
  cat >"$RUN_DIR/config/opensearch.yml" <<EOF
cluster.name: photodesk-dev
node.name: photodesk-dev-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: ${PORT}
path.data: ${RUN_DIR}/data
path.logs: ${RUN_DIR}/logs
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  if [[ $EUID -eq 0 ]]; then
    chown -R "$OS_USER:" "$RUN_DIR"
  fi
}

check_run_dir_version() {
  # 3.x upgrades a 2.x data directory in place; 2.x cannot read what 3.x wrote
  [[ -d "$RUN_DIR/data/nodes" || -d "$RUN_DIR/data/_state" ]] || return 0
  local was="2.19.1"  # a data dir from before this file was written
  [[ -f "$VERSION_FILE" ]] && was="$(cat "$VERSION_FILE")"
  [[ "$was" == "$OS_VERSION" ]] && return 0
  if [[ ${was%%.*} -gt $OS_MAJOR ]]; then
    die "$RUN_DIR/data was written by OpenSearch $was, which $OS_VERSION cannot read; set OPENSEARCH_RUN_DIR or remove $RUN_DIR/data"
  fi
  log "$RUN_DIR/data was written by OpenSearch $was: $OS_VERSION upgrades it in place"
}

print_log_tail() {
  local f
  for f in "$RUN_DIR/logs/console.log" "$RUN_DIR/logs/photodesk-dev.log"; do
    if [[ -s "$f" ]]; then
      log "---- tail of $f"
      tail -n 60 "$f" >&2
    fi
  done
}

do_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $URL"
    do_status
    return $?
  fi
  if curl -s -m 2 -o /dev/null "$URL/" 2>/dev/null; then
    die "port $PORT already answers HTTP but not from our node (pid file $PID_FILE); set OPENSEARCH_PORT"
  fi
  do_install
  local jh="$JDK"
  if [[ $EUID -eq 0 ]]; then
    ensure_user
    runuser -u "$OS_USER" -- "$jh/bin/java" -version >/dev/null 2>&1 \
      || die "user $OS_USER cannot run $jh/bin/java (the JDK must be readable by it); set OPENSEARCH_JAVA_HOME"
  fi
  rm -f "$PID_FILE"
  check_run_dir_version
  prepare_run_dir
  echo "$OS_VERSION" >"$VERSION_FILE"
  : >"$RUN_DIR/logs/console.log"

  local envs=(
    "OPENSEARCH_JAVA_HOME=$jh"
    "OPENSEARCH_HOME=$OS_HOME"
    "OPENSEARCH_PATH_CONF=$RUN_DIR/config"
    "OPENSEARCH_JAVA_OPTS=${OPENSEARCH_JAVA_OPTS:--Xms512m -Xmx512m}"
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  )
  local cmd=(env -i "${envs[@]}" "$OS_HOME/bin/opensearch" -d -p "$PID_FILE")
  log "starting OpenSearch ${OS_VERSION} on $URL (java $(java_major "$jh") at $jh, run dir $RUN_DIR)"
  local rc=0
  if [[ $EUID -eq 0 ]]; then
    (cd "$RUN_DIR" && setsid -w runuser -u "$OS_USER" -- "${cmd[@]}") \
      </dev/null >>"$RUN_DIR/logs/console.log" 2>&1 || rc=$?
  else
    (cd "$RUN_DIR" && setsid -w "${cmd[@]}") </dev/null >>"$RUN_DIR/logs/console.log" 2>&1 || rc=$?
  fi
  if [[ $rc -ne 0 ]]; then
    print_log_tail
    die "launcher exited with $rc"
  fi

  local t0=$SECONDS st=""
  while (( SECONDS - t0 < START_TIMEOUT )); do
    st="$(health_status)"
    if [[ "$st" == green || "$st" == yellow ]]; then
      pid="$(running_pid || true)"
      log "up: status $st, pid ${pid:-?}, $((SECONDS - t0)) s"
      return 0
    fi
    # the pid file appears only once the node is initialised; before that look for the process
    if [[ -f "$PID_FILE" ]] && ! running_pid >/dev/null; then
      print_log_tail
      die "node exited during startup"
    fi
    if ! launching; then
      sleep 1
      if ! launching && ! running_pid >/dev/null; then
        print_log_tail
        die "node exited during startup"
      fi
    fi
    sleep 1
  done
  print_log_tail
  die "no yellow/green health after ${START_TIMEOUT} s (last status: '${st}')"
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE" 2>/dev/null || true
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 1
  done
  log "still alive after 60 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 1
  kill -0 "$pid" 2>/dev/null && die "could not stop pid $pid"
  rm -f "$PID_FILE"
  log "killed"
}

do_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "not running"
    return 3
  fi
  local body
  if ! body="$(curl -s -m 5 "$URL/_cluster/health?pretty")"; then
    echo "pid $pid, but $URL does not answer"
    return 1
  fi
  echo "pid $pid, $URL"
  echo "$body"
  case "$(health_status)" in green|yellow) return 0 ;; *) return 1 ;; esac
}

case "${1:-}" in
  install) resolve_version; do_install ;;
  start) resolve_version; do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 {install|start|stop|status}" >&2; exit 2 ;;
esac
