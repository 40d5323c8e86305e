// Terminal text made plain: the one function that removes ANSI escape sequences and control characters
// from anything shown or posted (output lines, answers, notes, thread names, acknowledgements). Pure.
//
// The order matters: escape sequences go first and whole (strip-ansi), control characters after. The
// other way round, removing ESC alone leaves the rest of each sequence behind as text (`[32mgreen[0m`).
import stripAnsi from "strip-ansi";

// C0 controls except tab (U+0009) and newline (U+000A), DEL, and C1 controls (U+0080–U+009F, which
// include the one-character CSI U+009B): they move cursors or ring bells in terminals and mean nothing
// in Discord.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` without escape sequences and control characters; tab and newline stay. */
export function toPlainText(text: string): string {
  // strip-ansi's pattern is large and this runs on every output line: skip it when no ESC or CSI is present.
  const withoutSequences = text.includes("\u001b") || text.includes("\u009b") ? stripAnsi(text) : text;
  return withoutSequences.replace(CONTROL_CHARS, "");
}
