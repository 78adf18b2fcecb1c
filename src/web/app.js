// ledbox on-device page: one small app of pages, each its own module. Plain ES modules with
// Preact and htm, served by the device as they are: no build step, no CDN, works on an offline LAN.
import { useEffect, useState } from "preact/hooks";
import { StorageBanner, useStorage } from "./components/storage.js";
import { api } from "./lib/api.js";
import { html, render } from "./lib/html.js";
import { useLiveStatus } from "./lib/live.js";
import { Message, Pill, useData } from "./lib/ui.js";
import { Account } from "./pages/account.js";
import { Dashboard } from "./pages/dashboard.js";
import { Games } from "./pages/games.js";
import { HomeAssistant } from "./pages/ha.js";
import { Login } from "./pages/login.js";
import { Mappings } from "./pages/mappings.js";
import { Segments } from "./pages/segments.js";
import { Schedules } from "./pages/schedules.js";
import { Servers } from "./pages/servers.js";
import { Setup } from "./pages/setup.js";
import { StripPage } from "./pages/strip.js";
import { System } from "./pages/system.js";

const PAGES = [
  { path: "", title: "Live", view: Dashboard, open: true },
  { path: "strip", title: "Strip", view: StripPage },
  { path: "segments", title: "Segments", view: Segments },
  { path: "mappings", title: "Mappings", view: Mappings },
  { path: "games", title: "Games", view: Games },
  { path: "servers", title: "Servers", view: Servers },
  { path: "schedules", title: "Schedules", view: Schedules, open: true },
  { path: "ha", title: "Home Assistant", view: HomeAssistant },
  { path: "account", title: "Account", view: Account },
  { path: "system", title: "System", view: System },
];

const route = () => location.hash.replace(/^#\/?/, "").split("/");

function useRoute() {
  const [r, set] = useState(route());
  useEffect(() => {
    const on = () => set(route());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return r;
}

function LiveBadge() {
  const live = useLiveStatus();
  if (live.state === "live") return html`<${Pill} tone="ok">live · ${live.hello.ledCount} LEDs · ${live.hello.engineFps} fps</${Pill}>`;
  if (live.state === "connecting") return html`<${Pill} tone="warn">connecting…</${Pill}>`;
  return html`<${Pill} tone="bad">not live: ${live.why}</${Pill}>`;
}

function App() {
  const [name, ...rest] = useRoute();
  const session = useData(() => api("GET", "/api/v1/auth"), []);
  const storage = useStorage(name);
  const auth = session.data;
  const page = PAGES.find((p) => p.path === name) ?? (name === "setup" ? { path: "setup", title: "First run", view: Setup, open: true } : PAGES[0]);
  // A new device: the guided first run, whichever page was asked for.
  const View = auth?.setupRequired && page.path !== "setup" ? Setup : page.view;
  useEffect(() => {
    document.title = `${page.title} · ledbox`;
    // On a phone the tabs scroll sideways: keep the current one in view.
    document.querySelector(".tabs [aria-current]")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [page]);
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="#/"><span class="logo" aria-hidden="true"></span>ledbox</a>
      <div role="status" aria-live="polite"><${LiveBadge} /></div>
    </header>
    <nav class="tabs" aria-label="Pages">
      ${PAGES.map((p) => html`<a href=${`#/${p.path}`} aria-current=${p === page ? "page" : undefined}>${p.title}</a>`)}
    </nav>
    <main id="main" tabindex="-1">
      <h1 class="sr-only">${page.title}</h1>
      <${Message} error=${session.error} />
      <${StorageBanner} storage=${storage} />
      ${auth && (View === Setup || page.open || auth.authenticated
        ? html`<${View} session=${auth} refresh=${session.reload} params=${rest} />`
        : html`<${Login} refresh=${session.reload} />`)}
    </main>`;
}

render(html`<${App} />`, document.getElementById("app"));
