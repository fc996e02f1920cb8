#!/bin/sh
# misertrace-ftrace-helper: the only part of an ftrace capture that runs as root (docs/adr/0020).
# It sets up two private tracefs instances with plain file writes, copies their raw per-CPU
# ring-buffer pages out, and removes the instances when it ends. It parses nothing: the
# unprivileged session decodes the pages. A sudoers line or a polkit action names this file.
#
# Usage: misertrace-ftrace-helper OUTDIR BUFFER_KB PIDS EVENT...   (stdin: lines "pids N,N" add
#        threads; "learn on|off" switch tcp_rcv_space_adjust, if it is one of the EVENTs;
#        "filter INSTANCE|GROUP:NAME|EXPR" replaces the filter of one of the EVENTs)
#   OUTDIR     a directory of the invoking user: every file there is written with that user's
#              rights (setpriv), never root's
#   BUFFER_KB  per-CPU buffer of each instance, 1..1048576
#   PIDS       comma-separated thread ids the "traced" instance follows (children included)
#   EVENT      traced|GROUP:NAME[|FILTER] or sockets|GROUP:NAME[|FILTER]
# Writes to OUTDIR: formats (page layout and each event's format), pages (ring-buffer pages, each
# run of one stream after a line "MTSTREAM <instance> <cpu>"), messages (Attaching/attached/Lost
# lines). Stops on SIGINT/SIGTERM or when its stdin closes; ignores SIGHUP (a closed terminal)
# until it has cleaned up.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
LC_ALL=C
export PATH LC_ALL
umask 077
set -u

T=/sys/kernel/tracing
# A read round every second; a stream with nothing to read costs no process (see has_entries).
# Each round starts a dd per stream and a sleep, and on these VMs a process costs about 1 ms of
# CPU: at 200 ms rounds the helper took 23 ms of CPU per second under a /stock-like load (50,000
# events/s), at 1 s 5 ms (docs/adr/0071). An 8 MiB per-CPU buffer holds seconds of events.
ROUND=1
# The read rounds (the shell, its dd) and the writers run below the traced application: a round
# that wakes up should not preempt a request in flight (p99, docs/adr/0071); the buffers are large
# enough for a round that runs late. Setup and cleanup keep the normal priority, so that a stop
# or a ^C while attaching ends as promptly as before.
NICE=10

fail() {
  echo "ERROR: $*"
  exit 1
}

[ $# -ge 4 ] || fail "usage: misertrace-ftrace-helper OUTDIR BUFFER_KB PIDS EVENT..."
OUTDIR=$1
KB=$2
PIDS=$3
shift 3
case $OUTDIR in /*) ;; *) fail "OUTDIR must be an absolute path" ;; esac
case $KB in '' | *[!0-9]*) fail "BUFFER_KB must be a number" ;; esac
[ "$KB" -ge 1 ] && [ "$KB" -le 1048576 ] || fail "BUFFER_KB must be 1..1048576"
case $PIDS in '' | *[!0-9,]*) fail "PIDS must be comma-separated numbers" ;; esac

# Whose files these are: the user sudo or pkexec ran us for (root when run directly).
uid=${SUDO_UID:-${PKEXEC_UID:-$(id -u)}}
case $uid in '' | *[!0-9]*) fail "cannot tell the invoking user" ;; esac
gid=${SUDO_GID:-$(id -g "$uid" 2>/dev/null)}
case $gid in '' | *[!0-9]*) fail "cannot tell the invoking user's group" ;; esac
as_user() {
  if [ "$uid" = 0 ]; then "$@"; else setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; fi
}
# Appends its stdin to OUTDIR/$1 as the invoking user. The long-lived writers copy every page
# once more: they run below the application like the read rounds (NICE, below), but open their
# file first at the normal priority (a writer slow to start would create it after a ^C's cleanup).
user_append() {
  as_user sh -c 'exec >> "$1" && exec nice -n "$2" cat' sh "$OUTDIR/$1" "$NICE"
}
as_user sh -c 'cd "$1" && : >> formats && : >> pages && : >> messages' sh "$OUTDIR" 2>/dev/null ||
  fail "cannot write to $OUTDIR as uid $uid"

# Events: checked here, written to tracefs only inside our own instances.
events=''
for spec in "$@"; do
  inst=${spec%%|*}
  rest=${spec#*|}
  ev=${rest%%|*}
  case $inst in traced | sockets) ;; *) fail "bad event spec (instance): $spec" ;; esac
  case $ev in *[!a-z0-9_:]* | :* | *: | *:*:*) fail "bad event name: $ev" ;; *:*) ;; *) fail "bad event name: $ev" ;; esac
  events="$events $inst|$ev"
done
has_traced=''
case "$events" in *' traced|'*) has_traced=1 ;; esac

if ! grep -q " $T tracefs " /proc/mounts; then
  mount -t tracefs nodev "$T" 2>/dev/null || fail "tracefs is not mounted at $T and mounting it failed"
fi

# Instances of captures whose helper is gone (killed) are removed first.
remove_instance() {
  d=$1
  [ -d "$d" ] || return 0
  echo 0 > "$d/tracing_on" 2>/dev/null
  echo 0 > "$d/events/enable" 2>/dev/null
  n=0
  while ! rmdir "$d" 2>/dev/null; do
    n=$((n + 1))
    [ -d "$d" ] || return 0
    [ $n -ge 30 ] && { echo "ERROR: cannot remove the tracefs instance $d"; return 1; }
    sleep 0.1
  done
}
for d in "$T"/instances/misertrace-*; do
  [ -d "$d" ] || continue
  p=${d##*/misertrace-}
  p=${p%%-*}
  case $p in '' | *[!0-9]*) continue ;; esac
  kill -0 "$p" 2>/dev/null && continue
  remove_instance "$d" && echo "removed the stale tracefs instance ${d##*/}"
done

# The page layout and every event's format, for the session's decoder.
{
  echo "subbuf_kb $(cat "$T/buffer_subbuf_size_kb" 2>/dev/null || echo 0)"
  echo "#format header_page"
  cat "$T/events/header_page"
  for e in $events; do
    ev=${e#*|}
    echo "#format $ev"
    cat "$T/events/${ev%%:*}/${ev#*:}/format" 2>/dev/null || echo "#missing $ev"
  done
} | user_append formats
for e in $events; do
  ev=${e#*|}
  [ -r "$T/events/${ev%%:*}/${ev#*:}/format" ] || fail "tracepoint not found: $ev"
done

BASE=$T/instances/misertrace-$$
CTL=$(mktemp -d /tmp/misertrace-ftrace-$$.XXXXXX) || fail "mktemp failed"
stop=0
cleanup() {
  trap '' INT TERM
  renice -n 0 -p $$ > /dev/null 2>&1
  for i in traced sockets; do remove_instance "$BASE-$i"; done
  [ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null
  # The writers end when the last write end of their FIFO closes: ours.
  exec 4>&- 5>&-
  [ -n "${writers:-}" ] && wait $writers 2>/dev/null
  rm -rf "$CTL"
}
trap 'stop=1' INT TERM
# A closed terminal is not a stop: the stdin watcher below is. A writer gone is seen each round.
trap '' HUP PIPE
trap 'cleanup' EXIT

put() {
  printf '%s\n' "$2" > "$1" 2>/dev/null || fail "writing \"$2\" to $1 failed"
}

oldifs=$IFS
# Two long-lived writers (as the user), fed through FIFOs in our private folder.
mkfifo "$CTL/pages" "$CTL/messages" || fail "mkfifo failed"
(trap '' INT TERM HUP; user_append pages) < "$CTL/pages" &
writers=$!
(trap '' INT TERM HUP; user_append messages) < "$CTL/messages" &
writers="$writers $!"
exec 5> "$CTL/pages" 4> "$CTL/messages"

# Our stdin: its closing (the session is gone) stops the capture like ^C; a line "pids N,N..."
# adds threads to the traced instance (a container restarted during the capture, docs/adr/0075).
# Anything else is ignored; only digits and commas reach set_event_pid.
exec 3<&0
(
  trap '' INT TERM HUP
  exec 4>&- 5>&- > /dev/null 2>&1
  # The session's lines are not echoed back into its terminal output.
  stty -echo <&3 2>/dev/null
  cr=$(printf '\r')
  while IFS= read -r line <&3; do
    line=${line%"$cr"}
    # "learn on|off": tcp_rcv_space_adjust of the instance that has it, when the capture enabled it
    # (the causal set needs it only for connections older than the capture, docs/adr/0106).
    case $line in
      'learn on' | 'learn off')
        case " $events " in
          *' traced|tcp:tcp_rcv_space_adjust '*) inst=traced ;;
          *' sockets|tcp:tcp_rcv_space_adjust '*) inst=sockets ;;
          *) continue ;;
        esac
        [ "$line" = 'learn on' ] && v=1 || v=0
        echo $v > "$BASE-$inst/events/tcp/tcp_rcv_space_adjust/enable" 2>/dev/null
        continue
        ;;
      # "filter INSTANCE|GROUP:NAME|EXPR": a new filter for one of our events (the causal set's
      # thread names grew, docs/adr/0125). Printable ASCII only, written to our own instance.
      'filter '*)
        spec=${line#filter }
        inst=${spec%%|*}
        rest=${spec#*|}
        ev=${rest%%|*}
        expr=${rest#*|}
        case "$expr" in '' | *[![:print:]]*) continue ;; esac
        case " $events " in *" $inst|$ev "*) ;; *) continue ;; esac
        [ "$rest" != "$ev" ] || continue
        printf '%s\n' "$expr" > "$BASE-$inst/events/${ev%%:*}/${ev#*:}/filter" 2>/dev/null
        continue
        ;;
      'pids '*) [ -n "$has_traced" ] || continue ;;
      *) continue ;;
    esac
    p=${line#pids }
    case $p in '' | *[!0-9,]*) continue ;; esac
    IFS=,
    for t in $p; do echo "$t" >> "$BASE-traced/set_event_pid"; done
    IFS=$oldifs
  done
) &
watcher=$!

for i in traced sockets; do
  mkdir "$BASE-$i" || fail "cannot create the tracefs instance $BASE-$i"
  put "$BASE-$i/tracing_on" 0
  put "$BASE-$i/trace_clock" mono
  put "$BASE-$i/buffer_size_kb" "$KB"
  put "$BASE-$i/options/overwrite" 0
done
# The thread filter only where events are filtered by it: set_event_pid hooks every context
# switch of the machine even with no event enabled (the causal set filters in the reader, docs/adr/0125).
if [ -n "$has_traced" ]; then
  put "$BASE-traced/options/event-fork" 1
  : > "$BASE-traced/set_event_pid"
  oldifs=$IFS
  IFS=,
  for p in $PIDS; do
    echo "$p" >> "$BASE-traced/set_event_pid" 2>/dev/null || echo "warning: thread $p is gone"
  done
  IFS=$oldifs
fi
probes=0
for spec in "$@"; do
  inst=${spec%%|*}
  rest=${spec#*|}
  ev=${rest%%|*}
  filter=''
  [ "$rest" != "$ev" ] && filter=${rest#*|}
  dir=$BASE-$inst/events/${ev%%:*}/${ev#*:}
  [ -n "$filter" ] && put "$dir/filter" "$filter"
  put "$dir/enable" 1
  probes=$((probes + 1))
done
[ $stop = 1 ] && exit 0

PAGE=$(( $(cat "$T/buffer_subbuf_size_kb" 2>/dev/null || echo 4) * 1024 ))
for i in traced sockets; do put "$BASE-$i/tracing_on" 1; done
printf 'Attaching %s probes...\n@misertrace_attached\n' "$probes" >&4

lost_seen=0
# From the per-CPU stats, each file in one read (cat): the kernel makes a stats file's text
# afresh at every read(), and the shell's read takes one byte per read(), so while the events'
# counts grow a line read that way can mix two texts ("dropped events:: 0", a digit lost or
# doubled). A count read so once stopped a capture (an arithmetic error) and could report
# events lost that were not. One process a round.
check_lost() {
  lost=0
  stats=$(cat "$BASE"-*/per_cpu/cpu*/stats 2>/dev/null)
  while IFS=: read -r k v; do
    case $k in
      overrun | 'dropped events')
        v=${v# }
        case $v in '' | *[!0-9]*) ;; *) lost=$((lost + v)) ;; esac
        ;;
    esac
  done <<STATS
$stats
STATS
  if [ "$lost" -gt "$lost_seen" ]; then
    echo "Lost $((lost - lost_seen)) events" >&4
    lost_seen=$lost
  fi
}

# Whether a per-CPU buffer holds unread events, from its stats with the shell's own read: an
# idle capture then starts no dd at all (a dd per stream and round cost ~1 ms of CPU each).
# "entries" is the first line, so a byte-wise read cannot mix its key with another line's; a
# value that is not plainly 0 counts as events to read (a wrong guess costs one dd).
has_entries() {
  while IFS=: read -r k v; do
    case $k in entries) [ "${v# }" != 0 ]; return ;; esac
  done < "$1/stats"
  return 0
}

# Read rounds: every stream until it is empty, then a pause. dd ignores ^C (a page read and not
# yet written would be lost); the loop sees the stop after the round.
rounds=0
final=0
renice -n "$NICE" -p $$ > /dev/null 2>&1
while :; do
  kill -0 "$watcher" 2>/dev/null || stop=1
  for w in $writers; do kill -0 "$w" 2>/dev/null || { [ $final = 0 ] && echo "ERROR: the writer to $OUTDIR stopped"; stop=1; }; done
  if [ $stop = 1 ]; then
    final=1
    renice -n 0 -p $$ > /dev/null 2>&1
    for i in traced sockets; do echo 0 > "$BASE-$i/tracing_on"; done
  fi
  for i in traced sockets; do
    for c in "$BASE-$i"/per_cpu/cpu*; do
      [ $final = 1 ] || has_entries "$c" || continue
      printf 'MTSTREAM %s %s\n' "$i" "${c##*/cpu}" >&5
      (trap '' INT TERM HUP; exec dd if="$c/trace_pipe_raw" iflag=nonblock bs="$PAGE" 2>/dev/null) >&5
    done
  done
  rounds=$((rounds + 1))
  check_lost
  [ $final = 1 ] && break
  sleep $ROUND
done
echo "ftrace helper: stopped after $rounds rounds, $lost_seen events lost"
exit 0
