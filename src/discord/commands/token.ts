// `/omp token action:<issue|list|revoke> [name]`: named tokens for the sidecar (issue 14), for the MCP
// server and scripts. A person issues, lists and revokes only their own; the token is shown once,
// privately, and only its digest is kept.

import { type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import { TOKEN_NAME_PATTERN, TokenIssueError } from "../../sidecar/named-tokens.js";
import { allowedUser, where } from "../access/index.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { defineSubcommand } from "./define.js";

export const TOKEN_OPTIONS = { action: "action", name: "name" } as const;
export const TOKEN_ACTIONS = ["issue", "list", "revoke"] as const;

export const token = defineSubcommand({
  name: "token",
  describe: (sub) =>
    sub
      .setDescription("Issue, list or revoke your named tokens (for the MCP server and scripts)")
      .addStringOption((option) =>
        option
          .setName(TOKEN_OPTIONS.action)
          .setDescription("What to do")
          .setRequired(true)
          .addChoices(...TOKEN_ACTIONS.map((action) => ({ name: action, value: action }))),
      )
      .addStringOption((option) =>
        option
          .setName(TOKEN_OPTIONS.name)
          .setDescription("The token's name (issue, revoke), like ci or laptop")
          .setRequired(false)
          .setMaxLength(32),
      ),
  // Not notShuttingDown: revoking a leaked token must work while the bot stops.
  access: [...where, allowedUser],
  async run(ctx, interaction) {
    const action = interaction.options.getString(TOKEN_OPTIONS.action, true);
    const name = interaction.options.getString(TOKEN_OPTIONS.name)?.trim() ?? "";
    const userId = interaction.user.id;
    if (action === "list") {
      const tokens = ctx.tokens.list(userId);
      const lines = tokens.map(
        (t) =>
          `• \`${t.name}\`${t.configured ? " (configured)" : ""}${t.createdAt ? `, issued <t:${Math.floor(t.createdAt.getTime() / 1000)}:R>` : ""}${t.lastUsedAt ? `, last used <t:${Math.floor(t.lastUsedAt.getTime() / 1000)}:R>` : ""}`,
      );
      return sayPrivately(
        interaction,
        tokens.length === 0
          ? "You have no named tokens. Issue one with `/omp token action:issue name:<name>`."
          : `Your named tokens:\n${lines.join("\n")}`,
      );
    }
    if (!TOKEN_NAME_PATTERN.test(name)) {
      return refuse(
        interaction,
        `Give the token a \`name\`: 1 to 32 letters, digits, \`.\`, \`_\` or \`-\` (like \`ci\` or \`laptop\`).`,
      );
    }
    if (action === "revoke") {
      const result = ctx.tokens.revoke(userId, name);
      if (result === "unknown") {
        return refuse(
          interaction,
          `You have no token named \`${name}\`. \`/omp token action:list\` shows yours.`,
        );
      }
      if (result === "configured") {
        return refuse(
          interaction,
          `\`${name}\` is a configured token: remove it from OMPCORD_NAMED_TOKENS and restart the bot.`,
        );
      }
      ctx.logger.info({ token: name, user: userId }, "named token revoked");
      return sayPrivately(interaction, `🗑️ Token \`${name}\` revoked: it is refused from now on.`);
    }
    if (action !== "issue") {
      return refuse(interaction, `Expected \`action\` to be one of ${TOKEN_ACTIONS.join(", ")}.`);
    }
    let issued: { token: string };
    try {
      issued = ctx.tokens.issue({ name, discordUserId: userId, createdBy: userId });
    } catch (error) {
      if (error instanceof TokenIssueError) return refuse(interaction, error.message);
      throw error;
    }
    ctx.logger.info({ token: name, user: userId }, "named token issued");
    return sayPrivately(
      interaction,
      [
        `🔑 Token \`${name}\` acts for you. It is shown this once; keep it like a password:`,
        `\`\`\`\n${issued.token}\n\`\`\``,
        `Use it as \`Authorization: Bearer …\` on the sidecar, or as OMPCORD_TOKEN for the MCP server (README, "Discord tools for any MCP client"). Revoke it with \`/omp token action:revoke name:${name}\`.`,
      ].join("\n"),
    );
  },
});

/** Private, never pinging: a token must not be seen by anyone else in the channel. */
async function sayPrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
}
