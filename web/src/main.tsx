import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { applyTheme, prefs } from './lib/prefs';
import { App } from './ui/App';
import './styles/app.css';

applyTheme(prefs.theme());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
