#!/usr/bin/env bash
# Renders deploy/nginx/nginx.conf (the compose config, the one source of truth) for a host-local
# nginx: the lines marked "scale-test:" get local upstreams, a local listen address, log files and
# (optionally) lifted rate limits; temp paths go under DIR so nothing outside it is written.
#
# Usage: render-nginx.sh DIR LISTEN_ADDR [--no-limits] UPSTREAM...
#   writes DIR/nginx.conf; run nginx with: nginx -p DIR -c DIR/nginx.conf -g "pid DIR/nginx.pid;"
set -euo pipefail
SRC=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../nginx" && pwd)/nginx.conf
DIR=$1 LISTEN=$2
shift 2
NO_LIMITS=0 SERVERS='' FIRST=''
for arg; do
  case $arg in
    --no-limits) NO_LIMITS=1 ;;
    *)
      SERVERS+="        server $arg max_fails=1 fail_timeout=5s;\\n"
      FIRST=${FIRST:-$arg}
      ;;
  esac
done
[[ -n $SERVERS ]] || { echo "render-nginx.sh: no upstream given" >&2; exit 2; }
mkdir -p "$DIR/temp"
# The load generator is one key from one IP: with --no-limits the limits stay in place (same
# directives, same code path) but at a rate it cannot reach.
rate_sed=()
((NO_LIMITS)) && rate_sed=(-e '/# scale-test: \(key\|ip\) rate/s/rate=[0-9]*r\/s/rate=1000000r\/s/')
# worker_rlimit_nofile is dropped: an unprivileged or capped host cannot raise the limit and
# nginx would log an alert per worker.
sed -e '/^worker_rlimit_nofile/d' \
  -e "s|^\(\s*\)error_log .*# scale-test: error log|\1error_log $DIR/error.log warn;|" \
  -e "s|^\(\s*\)access_log .*# scale-test: access log|\1access_log $DIR/access.log upstream;|" \
  -e "s|^\s*server api:3000 .*# scale-test: upstream servers|$SERVERS|" \
  -e "s|^\(\s*\)listen .*# scale-test: listen|\1listen $LISTEN;|" \
  -e "s|^http {|http {\n    client_body_temp_path $DIR/temp/body;\n    proxy_temp_path $DIR/temp/proxy;\n    fastcgi_temp_path $DIR/temp/fastcgi;\n    uwsgi_temp_path $DIR/temp/uwsgi;\n    scgi_temp_path $DIR/temp/scgi;|" \
  "${rate_sed[@]}" "$SRC" >"$DIR/nginx.conf"
# Every marked line must have been rewritten: a drifted marker would silently test another config.
for want in "error_log $DIR/error.log" "access_log $DIR/access.log" "listen $LISTEN;" "server $FIRST "; do
  grep -qF -- "$want" "$DIR/nginx.conf" || { echo "render-nginx.sh: '$want' missing: markers in $SRC changed?" >&2; exit 1; }
done
