import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { hasExplorerApi } from './ipc/explorer-api.js';
import './styles.css';
import './dark.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    {hasExplorerApi() ? (
      <App />
    ) : (
      <main className="fatal" role="alert">
        <h1>MiSeRTrace Explorer cannot start</h1>
        <p>The app's bridge to its main process is missing (the preload script did not run). Start the app with `npm start`, not by opening this page in a browser.</p>
      </main>
    )}
  </StrictMode>,
);
