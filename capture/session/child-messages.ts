import { CaptureError } from './capture-errors.js';
import type { ChildExit } from './pty-child.js';

// What a capture child's dying words mean, as a message that says what to do. bpftrace's
// messages are stable enough across versions for these patterns; anything else is shown as is.

const REJECTED = /Error loading program|verifier|Error attaching probe|Could not resolve symbol|Unknown struct|Unknown field|invalid bpf_context access/i;

export function isProgramRejection(output: string): boolean {
  return REJECTED.test(output);
}

export function explainChildFailure(backend: string, exit: ChildExit, output: string, rejected: boolean): CaptureError {
  const how = exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const text = output.trim() === '' ? '(no output)' : output.trim();
  const missing = /tracepoint not found: (\S+)|probe not found|No probes to attach|kprobe.* not found|Error finding or reading tracepoint/i.exec(text);
  if (missing) {
    return new CaptureError('probe-rejected', `a probe is missing in this kernel: ${missing[0]}`, `the ${backend} output:\n${text}`);
  }
  if (/only supports running as the root user|Operation not permitted|Permission denied|EPERM|EACCES/i.test(text)) {
    return new CaptureError('not-privileged', `the ${backend} child has no permission to trace (it ${how})`, `run as root, or let the capture use sudo/pkexec; its output:\n${text}`);
  }
  if (/command not found|No such file or directory/i.test(text) && /env|sudo|pkexec/.test(text)) {
    return new CaptureError('backend-missing', `the ${backend} program could not be started (it ${how})`, text);
  }
  if (rejected) return new CaptureError('probe-rejected', `the kernel rejected the probe program (${backend} ${how})`, text);
  return new CaptureError('child-failed', `the ${backend} child ${how} before its probes were attached`, text);
}
