// The one-line preview of a thread's last message under its launch message, as Discord's reads: no
// markdown marks, and mentions and timestamps as a person sees them, not their `<@id>` / `<t:…>` syntax.
// Pure: names and the timestamp's wording (the clock, the locale) are passed in.

export interface PreviewNames {
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
  /** `<t:SECONDS:STYLE>` as the reader sees it (time.ts's `formatTimestamp`). */
  timestamp(seconds: number, style: string | undefined): string;
}

/** Discord's inline syntax: user (`<@id>`, `<@!id>`), role, channel mentions and `<t:SECONDS:STYLE>`. */
const INLINE = /<@!?(\d+)>|<@&(\d+)>|<#(\d+)>|<t:(-?\d+)(?::([tTdDfFR]))?>/g;

export function plainPreview(text: string, names: PreviewNames): string {
  return (
    text
      .replace(/```[a-z]*\n?/gi, "")
      .replace(/[*_`~|]/g, "")
      // After the marks are gone, so a name's own underscores stay.
      .replace(
        INLINE,
        (_, user?: string, role?: string, channel?: string, seconds?: string, style?: string) => {
          if (user !== undefined) return `@${names.userName(user) ?? "unknown-user"}`;
          if (role !== undefined) return "@role";
          if (channel !== undefined) return `#${names.channelName(channel) ?? "unknown"}`;
          return names.timestamp(Number(seconds), style);
        },
      )
      .replace(/\s+/g, " ")
      .trim()
  );
}
