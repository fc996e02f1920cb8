// The root side of every remote capture: a POSIX sh script (sent as the argument of `sh -c`,
// nothing is installed) that samples the host's clocks, runs the tracer and watches our channel
// (docs/adr/0065). Protocol on its stdin: "stop" asks the tracer to finish (`stopsig`), "kill"
// kills it, "cleanup" (after we received everything) lets it clean up and exit. The END of its
// stdin, when the connection drops, the laptop sleeps past the keepalives or the app dies,
// counts as "stop" then "cleanup": tracing stops and the tracefs instance and uploaded files go,
// with no one on the other side. On stderr: `@misertrace_privileged` (it runs: sudo took the
// password), `@misertrace_clock start|end <CLOCK_REALTIME ns> <CLOCK_MONOTONIC ns> <boot id>`
// (/proc/timer_list's "now at" is CLOCK_MONOTONIC), `@misertrace_tracer <pid>`,
// `@misertrace_ended <exit status>`. The tracer's stdout is the channel's stdout, followed by
// EOFMARK once it ended: the end of its output (sudo keeps the pipe open, so no EOF says so).
// Its stdin is a FIFO that closes on "stop" (the ftrace helper stops when its stdin ends). SIGPIPE is ignored and HUP,
// INT and TERM are caught (a handler, not "ignore", which the tracer would inherit), so a
// dropped connection cannot kill the shell before its cleanup.
// A connection can also die silently (the laptop sleeps, a NAT forgets it): sshd there may not
// notice for hours, and our stdin never ends. So we send "hb" every 5 s, and a timer stops the
// tracer and cleans up when none came for HBSECS (30 s; POSIX sh has no read timeout).
// Arguments: STOPSIG EOFMARK HBSECS CLEANUP-COMMAND PROGRAM ARGS...

export const PRIVILEGED_LINE = '@misertrace_privileged';
export const CLOCK_LINE = '@misertrace_clock';
export const TRACER_LINE = '@misertrace_tracer';
export const ENDED_LINE = '@misertrace_ended';
export const HEARTBEAT_LOST_LINE = '@misertrace_heartbeat_lost';
/** How often we say "hb"; the watchdog stops after HEARTBEAT_TIMEOUT_S without one. */
export const HEARTBEAT_EVERY_MS = 5000;
export const HEARTBEAT_TIMEOUT_S = 30;

export const WATCHDOG = `trap '' PIPE
trap : HUP INT TERM
stopsig=$1; eofmark=$2; hbsecs=$3; cleanup=$4; shift 4
echo ${PRIVILEGED_LINE} >&2
clock() {
  echo "${CLOCK_LINE} $1 $(date +%s%N) $(sed -n '/^now at /{s/^now at \\([0-9]*\\) nsecs$/\\1/p;q;}' /proc/timer_list 2>/dev/null) $(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" >&2
}
clock start
d=$(mktemp -d /tmp/misertrace-watchdog.XXXXXX) && mkfifo "$d/in" || { echo "ERROR: mktemp/mkfifo failed" >&2; exit 1; }
exec 3<&0 5>&1 >/dev/null
"$@" <"$d/in" >&5 3<&- 5>&- &
child=$!
exec 4>"$d/in"
echo "${TRACER_LINE} $child" >&2
date +%s > "$d/hb"
(
  exec 5>&-
  stopped=0
  stop() {
    [ $stopped = 1 ] && return
    stopped=1
    exec 4>&-
    kill -$1 "$child" 2>/dev/null
    ( n=0; while kill -0 "$child" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; kill -KILL "$child" 2>/dev/null ) &
  }
  while read -r line <&3; do
    case $line in
      hb) date +%s > "$d/hb" ;;
      stop) stop "$stopsig" ;;
      kill) stopped=0; stop KILL ;;
      cleanup) exit 0 ;;
    esac
  done
  stop "$stopsig"
) &
watchdog=$!
exec 3<&- 4>&-
(
  exec 5>&-
  while kill -0 "$child" 2>/dev/null; do
    sleep 2
    read -r last < "$d/hb" 2>/dev/null || last=0
    if [ $(( $(date +%s) - last )) -gt "$hbsecs" ]; then
      echo "${HEARTBEAT_LOST_LINE}" >&2
      kill "$watchdog" 2>/dev/null
      kill -$stopsig "$child" 2>/dev/null
      n=0; while kill -0 "$child" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
      kill -KILL "$child" 2>/dev/null
      break
    fi
  done
) &
timer=$!
wait "$child"; rc=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
kill "$timer" 2>/dev/null
printf '%s\n' "$eofmark" >&5
exec 5>&-
clock end
echo "${ENDED_LINE} $rc" >&2
wait "$watchdog"
rm -rf "$d"
eval "$cleanup"
exit $rc`;

export interface RemoteClock {
  realtimeNs: string;
  monotonicNs: string;
  bootId: string;
}

export function parseClockLine(line: string): { which: 'start' | 'end'; clock: RemoteClock } | null {
  const m = /^@misertrace_clock (start|end) (\d+) (\d+) ([0-9a-f-]{36})$/.exec(line.trim());
  return m ? { which: m[1] as 'start' | 'end', clock: { realtimeNs: m[2]!, monotonicNs: m[3]!, bootId: m[4]! } } : null;
}
