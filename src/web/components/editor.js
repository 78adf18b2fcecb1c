// A record's form built from its API schema (a mapping, a server, a schedule source): the fields,
// Save and Cancel, and the API's messages at the fields they name. `extra(value)` adds buttons
// that act on the value being edited (a mapping's "Try it").
import { useState } from "preact/hooks";
import { fieldErrors } from "../lib/api.js";
import { Field } from "../lib/form.js";
import { html } from "../lib/html.js";
import { Message, useAction } from "../lib/ui.js";

/** The fields a record has that its input does not: dropped before editing. */
const RECORD_FIELDS = ["id", "preset", "createdAt", "updatedAt", "hasRconPassword", "state"];

export function RecordEditor({ schema, record, blank, save, saveLabel, onDone, extra, hint }) {
  const [value, setValue] = useState(() => (record ? Object.fromEntries(Object.entries(record).filter(([k]) => !RECORD_FIELDS.includes(k))) : blank));
  const form = useSubmit();
  return html`<form noValidate class="editor" onSubmit=${form.submit(async () => (await save(value), onDone()))}>
    <${Field} schema=${schema} value=${value} path="" label="" errors=${form.errors} onChange=${setValue} />
    ${hint}
    <div class="row">
      <button class="primary" disabled=${form.busy}>${saveLabel}</button>
      ${extra?.(value, form)}
      <button type="button" class="link" onClick=${onDone}>Cancel</button>
    </div>
    <${Message} error=${form.general} ok=${form.ok} />
  </form>`;
}

/** Submitting a form to the API: the errors by field it names, and the rest in words. */
export function useSubmit() {
  const [errors, setErrors] = useState({});
  const a = useAction();
  const submit = (fn, ok) => (e) => {
    e?.preventDefault();
    setErrors({});
    return a.run(async () => {
      try {
        return await fn();
      } catch (err) {
        setErrors(fieldErrors(err.message));
        throw err;
      }
    }, ok);
  };
  const general = errors[""] ?? (a.error && !Object.keys(errors).length ? a.error : null);
  return { errors, submit, run: a.run, busy: a.busy, ok: a.ok, general };
}
