// A very small Markdown renderer for adapters' setup steps: paragraphs, numbered and bulleted
// lists, `code`, **bold**, *italic* and [links](…). Written here rather than taken from a
// library: the setup texts use only this much, and a full parser would outweigh the whole page.
// Everything is escaped first, so a setup text cannot inject markup.

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function inline(s) {
  return escape(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" rel="noreferrer noopener">$1</a>');
}

/** Markdown → HTML (a string for dangerouslySetInnerHTML: its input is escaped above). */
export function markdown(text) {
  const out = [];
  let list = null;
  const close = () => {
    if (list) out.push(`</${list}>`);
    list = null;
  };
  for (const block of text.replace(/\r/g, "").split(/\n{2,}/)) {
    // Continuation lines (indented) belong to the item above.
    const lines = block.split("\n").reduce((acc, l) => (/^\s{2,}\S/.test(l) && acc.length ? ((acc[acc.length - 1] += " " + l.trim()), acc) : (acc.push(l), acc)), []);
    for (const line of lines) {
      const ol = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      const ul = /^\s*[-*]\s+(.*)$/.exec(line);
      const kind = ol ? "ol" : ul ? "ul" : null;
      if (kind) {
        if (list !== kind) {
          close();
          out.push(`<${kind}>`);
          list = kind;
        }
        out.push(`<li>${inline((ol ?? ul)[1])}</li>`);
      } else if (line.trim()) {
        close();
        out.push(`<p>${inline(line.trim())}</p>`);
      }
    }
    close();
  }
  return out.join("");
}
