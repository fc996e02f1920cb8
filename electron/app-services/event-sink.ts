import type { EventContract, EventName } from '../ipc-contract.js';

// Where main-to-renderer events go: webContents.send in the app, page.evaluate in the e2e.
export type EventSink = <E extends EventName>(name: E, payload: EventContract[E]) => void;
