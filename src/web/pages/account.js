// Account and access: the admin password (the current one required; every session ends), API
// tokens for automation (shown once), who may send events and read state, and what to do when
// the password is lost.
import { useState } from "preact/hooks";
import { api, fieldErrors } from "../lib/api.js";
import { html } from "../lib/html.js";
import { Card, Message, useAction, useData } from "../lib/ui.js";
import { SettingsSection } from "./strip.js";

function Password() {
  const [form, set] = useState({ current: "", password: "", again: "" });
  const [errors, setErrors] = useState({});
  const a = useAction();
  const submit = (e) => {
    e.preventDefault();
    setErrors({});
    if (form.password !== form.again) return setErrors({ again: "the two new passwords differ" });
    a.run(async () => {
      try {
        await api("POST", "/api/v1/auth/password", { current: form.current, password: form.password });
        set({ current: "", password: "", again: "" });
      } catch (err) {
        setErrors(err.status === 401 ? { current: err.message } : fieldErrors(err.message));
        throw err;
      }
    }, "Password changed: every other session has ended.");
  };
  const field = (k, label, auto) => html`<div class="field"><label for=${`pw-${k}`}>${label}</label>
    <input id=${`pw-${k}`} type="password" autocomplete=${auto} required minlength=${k === "current" ? 1 : 8} value=${form[k]}
      aria-invalid=${errors[k] ? "true" : undefined} aria-describedby=${errors[k] ? `pw-${k}-error` : undefined} onInput=${(e) => set({ ...form, [k]: e.currentTarget.value })} />
    ${errors[k] && html`<p class="field-error" id=${`pw-${k}-error`} role="alert">${errors[k]}</p>`}</div>`;
  return html`<${Card} title="Admin password" id="password-title">
    <form noValidate onSubmit=${submit}>
      ${field("current", "Current password", "current-password")}${field("password", "New password", "new-password")}${field("again", "New password again", "new-password")}
      <button class="primary" disabled=${a.busy}>Change password</button>
      <${Message} error=${errors[""] ?? null} ok=${a.ok} />
    </form>
    <details><summary>Lost the password?</summary>
      <p>On the device run <code>sudo ledbox reset-password</code> (on the appliance) or <code>npm run reset-password -- --data ./data</code>
        (from a clone). It removes the password and ends every session; ledbox then prints a new setup code to its log
        (<code>journalctl -u ledbox</code>), and this page asks for it as on the first run. Settings, games and mappings stay.</p></details>
  </${Card}>`;
}

function Tokens() {
  const list = useData(() => api("GET", "/api/v1/auth/tokens"), []);
  const [name, setName] = useState("");
  const [made, setMade] = useState(null);
  const a = useAction();
  return html`<${Card} title="API tokens" id="tokens-title">
    <p class="hint">For scripts and other systems: send <code>Authorization: Bearer &lt;token&gt;</code>. A token is shown once, when it is made.</p>
    <form noValidate class="row" onSubmit=${(e) => (e.preventDefault(), a.run(async () => {
      setMade(await api("POST", "/api/v1/auth/tokens", { name }));
      setName("");
      list.reload();
    }))}>
      <div class="field grow"><label for="token-name">Name</label><input id="token-name" required maxlength="64" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></div>
      <button class="primary" disabled=${a.busy}>Make a token</button>
    </form>
    ${made && html`<div class="ok" role="status"><p>The token "${made.name}" — copy it now, it is not shown again:</p><p><code class="secret">${made.token}</code></p></div>`}
    ${list.data && (list.data.length === 0 ? html`<p class="empty">No tokens.</p>` : html`<ul class="plain">${list.data.map((t) => html`<li key=${t.id}>${t.name} <small class="muted">made ${new Date(t.createdAt).toLocaleDateString()}</small>
      <button type="button" class="link" aria-label=${`Revoke ${t.name}`} onClick=${() => a.run(async () => (await api("DELETE", `/api/v1/auth/tokens/${t.id}`), list.reload()), `Revoked ${t.name}.`)}>Revoke</button></li>`)}</ul>`)}
    <${Message} error=${a.error ?? list.error} ok=${!made && a.ok} />
  </${Card}>`;
}

export function Account({ refresh }) {
  const data = useData(() => Promise.all([api("GET", "/api/v1/schemas"), api("GET", "/api/v1/settings")]), []);
  const a = useAction();
  return html`<${Password} /><${Tokens} />
    ${data.data && html`<${SettingsSection} section="http" title="Access" schema=${data.data[0].settings} settings=${data.data[1]} onSaved=${data.reload}
      intro=${html`<p class="hint">ingest: who may send events (open to the LAN, or a token); reads: who may see state and the live strip. The port changes after a restart.</p>`} />`}
    <${Card} title="Session" id="session-title"><button type="button" onClick=${() => a.run(async () => (await api("POST", "/api/v1/auth/logout"), refresh()))}>Log out</button><${Message} error=${a.error} /></${Card}>`;
}
