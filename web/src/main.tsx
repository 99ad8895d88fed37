import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
// Cascade order: later stylesheets build on (and narrow-screens.css overrides) earlier ones.
import './styles/base.css';
import './styles/layout.css';
import './styles/records.css';
import './styles/records-row.css';
import './styles/status-icons.css';
import './styles/project-header.css';
import './styles/run.css';
import './styles/pipeline.css';
import './styles/settings.css';
import './styles/accounts.css';
import './styles/notify.css';
import './styles/narrow-screens.css';

// The app's files all arrived: the boot guard (web/public/boot-guard.js) starts counting afresh.
try {
  sessionStorage.removeItem('slipway.bootTries');
} catch {
  // Storage disabled: the guard keeps no count either.
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
