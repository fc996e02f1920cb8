import { useEffect } from 'react';
import { loadCatalog, refreshNetworks } from '../actions/capture-actions.js';
import { useCapture } from '../stores/capture-store.js';
import { CaptureOptions } from './capture-options.js';
import { CaptureSessionView } from './capture-session-view.js';
import { NetworkPicker } from './network-picker.js';
import { PrivilegePrompt } from './privilege-prompt.js';
import { HostPicker, HostPromptDialog } from './remote-hosts.js';

export function CaptureScreen() {
  const session = useCapture((s) => s.session);
  useEffect(() => {
    // Discovery is cheap; refresh each time the screen opens so the list is current.
    if (useCapture.getState().session === null) {
      void refreshNetworks();
      if (useCapture.getState().catalog.value === null) void loadCatalog();
    }
  }, []);
  return (
    <main className="capture-screen" aria-label="Capture">
      {session !== null ? (
        <CaptureSessionView session={session} />
      ) : (
        <div className="capture-columns">
          <HostPicker
            onChange={() => {
              // Another host's networks are not this one's: the choice starts over.
              useCapture.getState().setNetwork(null);
              void refreshNetworks();
              void loadCatalog();
            }}
          />
          <NetworkPicker />
          <CaptureOptions />
        </div>
      )}
      <PrivilegePrompt />
      <HostPromptDialog />
    </main>
  );
}
