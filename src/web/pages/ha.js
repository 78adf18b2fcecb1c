// Home Assistant and MQTT: the settings, the connection's state with the last error in words,
// and the entities Home Assistant was told about.
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { ago, Card, Message, Pill, useData } from "../lib/ui.js";
import { SettingsSection } from "./strip.js";

const TONE = { connected: "ok", connecting: "warn", waiting: "warn", disabled: "off" };

function Status() {
  const s = useData(() => api("GET", "/api/v1/mqtt/status"), [], 3000);
  if (!s.data) return html`<${Message} error=${s.error} />`;
  const m = s.data;
  return html`<${Card} title="Connection" id="mqtt-status-title">
    <p><${Pill} tone=${TONE[m.state] ?? "bad"}>${m.enabled ? m.state : "off"}</${Pill}> ${m.url ?? ""}
      ${m.connectedSince && html` · connected ${ago(m.connectedSince)}`}${m.retryInMs !== null && m.retryInMs !== undefined ? ` · next try in ${(m.retryInMs / 1000).toFixed(1)} s` : ""}</p>
    ${m.lastError && html`<p class="error" role="alert">${m.lastError}</p>`}
    <dl class="kv"><dt>Topics</dt><dd><code>${m.baseTopic ?? "—"}</code></dd><dt>Discovery prefix</dt><dd><code>${m.discoveryPrefix}</code></dd>
      <dt>Messages</dt><dd>${m.messages.received} received, ${m.messages.rejected} refused${m.messages.lastRejection ? ` (last: ${m.messages.lastRejection.error})` : ""}</dd></dl>
    ${m.entities?.length > 0 && html`<details><summary>${m.entities.length} entities in Home Assistant</summary>
      <ul class="plain">${m.entities.map((e, i) => html`<li key=${i}>${e.component}: ${e.name}</li>`)}</ul></details>`}
  </${Card}>`;
}

export function HomeAssistant() {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/settings")]), []);
  if (!data.data) return html`<${Message} error=${data.error} />`;
  const [{ settings: schema }, settings] = data.data;
  return html`<${Status} />
    <${SettingsSection} section="mqtt" title="MQTT and Home Assistant" schema=${schema} settings=${settings} onSaved=${data.reload}
      intro=${html`<p class="hint">Point ledbox at the broker Home Assistant uses (the Mosquitto add-on: <code>mqtt://homeassistant.local:1883</code>, with a Home Assistant user).
        ledbox appears under Settings → Devices as a light (one per segment), sensors, a test button, a preset selector and a game-event entity. The password is never shown again; leave it empty to keep it.</p>`} />`;
}
