import { useEffect } from 'react';
import { closeBundle, loadStartup, pickAndOpenBundle } from './actions/bundle-actions.js';
import { linkRefused, openRequested } from './actions/link-actions.js';
import { subscribeCaptureEvents } from './actions/capture-actions.js';
import { exportCurrentTrace } from './actions/export-actions.js';
import { CaptureScreen } from './capture/capture-screen.js';
import { ContextMenu } from './common/context-menu.js';
import { Notices } from './common/notices.js';
import { TopBar } from './common/top-bar.js';
import { onEvent } from './ipc/explorer-api.js';
import { useSession } from './stores/session-store.js';
import { useTraceView } from './stores/trace-view-store.js';
import { StartScreen } from './start/start-screen.js';
import { useFileDrop } from './start/use-file-drop.js';
import { TraceTableScreen } from './table/trace-table-screen.js';
import { TraceScreen } from './trace/trace-screen.js';
import { CompareScreen } from './compare/compare-screen.js';

export function App() {
  const screen = useSession((s) => s.screen);
  const dropping = useFileDrop();
  useEffect(() => {
    void loadStartup();
    const off = [
      onEvent('openRequested', (p) => void openRequested(p.path, p.at)),
      onEvent('linkRefused', (p) => linkRefused(p.message, p.hint)),
      onEvent('menuCommand', (p) => {
        switch (p.command) {
          case 'open':
            return void pickAndOpenBundle();
          case 'new-capture':
            return useSession.getState().setScreen('capture');
          case 'export-svg':
            return useTraceView.getState().detail !== null ? void exportCurrentTrace('svg') : undefined;
          case 'close-bundle':
            return void closeBundle();
          case 'show-start':
            return useSession.getState().setScreen('start');
        }
      }),
      subscribeCaptureEvents(),
    ];
    return () => off.forEach((dispose) => dispose());
  }, []);
  return (
    <div className="app">
      <TopBar />
      <Notices />
      <ContextMenu />
      <div className="screen">
        {screen === 'start' && <StartScreen />}
        {screen === 'capture' && <CaptureScreen />}
        {screen === 'traces' && <TraceTableScreen />}
        {screen === 'trace' && <TraceScreen />}
        {screen === 'compare' && <CompareScreen />}
      </div>
      {dropping && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop a .mstrace bundle to open it</div>
        </div>
      )}
    </div>
  );
}
