// Preact with htm: components written as tagged templates, no build step (the device serves
// these files as they are). The libraries come from the device too (/web/vendor/).
import { h, render } from "preact";
import htm from "htm";

export const html = htm.bind(h);
export { render };
