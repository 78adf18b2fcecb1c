import { useState } from "preact/hooks";
import { api } from "../lib/api.js";
import { html } from "../lib/html.js";
import { Card, Message, useAction } from "../lib/ui.js";

/** The admin login, shown in place of a page that needs it. */
export function Login({ refresh }) {
  const [password, setPassword] = useState("");
  const a = useAction();
  const submit = (e) => {
    e.preventDefault();
    a.run(async () => {
      await api("POST", "/api/v1/auth/login", { password });
      refresh();
    });
  };
  return html`<${Card} title="Log in" id="login-title">
    <p class="hint">This page changes the device: log in with the admin password.
      Lost it? Run <code>npm run reset-password</code> on the device (on the appliance: <code>sudo ledbox reset-password</code>), then use the setup code it prints to the log.</p>
    <form noValidate onSubmit=${submit}>
      <div class="field"><label for="login-password">Admin password</label>
        <input id="login-password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} /></div>
      <button class="primary" disabled=${a.busy}>Log in</button>
      <${Message} error=${a.error} />
    </form>
  </${Card}>`;
}
