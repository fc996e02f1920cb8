#!/bin/sh
# mtdemo catalog item page: a CGI run by busybox httpd in a process forked per request.
# It forks a subshell (echo | sed) to parse the query and wget to ask the inventory.
# Ground truth (e2e/accuracy): the request id comes in the query (rid=...), goes on to the
# inventory as X-Request-Id, and a line per request is appended to /www/gt.log (served as
# /gt.log) with builtins only, so the fork tree stays as it was: $$ is the CGI's pid in the
# container, /proc/uptime the time (10 ms steps; the checker does not rely on it).
rid=
case "$QUERY_STRING" in *rid=*) rid=${QUERY_STRING##*rid=}; rid=${rid%%&*} ;; esac
read up0 _ < /proc/uptime
id=$(echo "$QUERY_STRING" | sed -n 's/.*id=\([0-9]*\).*/\1/p')
if [ -n "$rid" ]; then stock=$(wget -q -O - --header "X-Request-Id: $rid" "http://$INVENTORY/stock?id=${id:-1}")
else stock=$(wget -q -O - "http://$INVENTORY/stock?id=${id:-1}"); fi
read up1 _ < /proc/uptime
[ -n "$rid" ] && echo "{\"svc\":\"catalog\",\"rid\":\"$rid\",\"pid\":$$,\"uptime\":[\"$up0\",\"$up1\"]}" >> /www/gt.log
# Headers end with CRLF (strict HTTP parsers refuse bare LF); printf and echo are sh builtins: no fork.
printf 'Content-Type: application/json\r\n\r\n'
echo "{\"id\":${id:-1},\"name\":\"item-${id:-1}\",\"inventory\":${stock:-null}}"
