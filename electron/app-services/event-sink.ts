import type { EventContract, EventName, TraceTableMessage } from '../ipc-contract.js';

// Where main-to-renderer events go: webContents.send in the app, page.evaluate in the e2e.
export type EventSink = <E extends EventName>(name: E, payload: EventContract[E]) => void;

/**
 * Where trace tables go: the window's table port (a MessagePortMain) in the app, an in-page
 * MessagePort in the e2e (docs/adr/0105). False when the window has no port yet.
 */
export type TableSink = (message: TraceTableMessage) => boolean;
