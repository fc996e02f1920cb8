#!/bin/sh
# mtdemo catalog item page: a CGI run by busybox httpd in a process forked per request.
# It forks a subshell (echo | sed) to parse the query and wget to ask the inventory.
id=$(echo "$QUERY_STRING" | sed -n 's/.*id=\([0-9]*\).*/\1/p')
stock=$(wget -q -O - "http://$INVENTORY/stock?id=${id:-1}")
# Headers end with CRLF (strict HTTP parsers refuse bare LF); printf and echo are sh builtins: no fork.
printf 'Content-Type: application/json\r\n\r\n'
echo "{\"id\":${id:-1},\"name\":\"item-${id:-1}\",\"inventory\":${stock:-null}}"
