/**
 * Entry point: mounts the app once `window.certdesk` exists. The bridge is a classic script
 * (preload in Electron, /bridge.js in the test host) that runs before this deferred module,
 * so it is normally there at once; otherwise the app waits for the load event, and if the
 * bridge is still missing then, the page says so instead of failing silently.
 */
import { mount } from 'svelte';
import './app.css';
import App from './components/App.svelte';
import { hasBridge } from './lib/api.ts';
import { SitesState } from './state/sites.svelte.ts';
import { TemplatesState } from './state/templates.svelte.ts';

function showMissingBridge(target: HTMLElement): void {
  const message = document.createElement('p');
  message.className = 'bridge-missing';
  message.setAttribute('role', 'alert');
  message.textContent =
    'Certdesk cannot reach its main process: the bridge to it did not load. Restart Certdesk.';
  target.replaceChildren(message);
}

function start(): void {
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html has no #app element');
  if (!hasBridge()) {
    showMissingBridge(target);
    return;
  }
  // Ask for the lists before building the page: with thousands of templates main's answer is
  // megabytes, and it travels while the components mount instead of after.
  const templates = new TemplatesState();
  const sites = new SitesState();
  templates.subscribe();
  sites.subscribe();
  void templates.load();
  void sites.load();
  mount(App, { target, props: { templates, sites } });
}

// Without the bridge yet, give scripts that are still loading until the load event.
if (hasBridge() || document.readyState === 'complete') start();
else window.addEventListener('load', start, { once: true });
