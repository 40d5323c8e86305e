import { ApplicationCommandOptionType, InteractionContextType } from "discord.js";
import { describe, expect, it } from "vitest";
import { buildOmpCommand } from "../../src/discord/commands/index.js";

type Option = {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  max_length?: number;
  options?: Option[];
};

function subcommands(json: ReturnType<typeof buildOmpCommand>): Record<string, Option> {
  return Object.fromEntries((json.options as Option[]).map((option) => [option.name, option]));
}

describe("/omp command definition", () => {
  it("is one guild-only /omp command with every subcommand of the SPEC table, in order", () => {
    const json = buildOmpCommand();
    expect(json.name).toBe("omp");
    expect(json.contexts).toEqual([InteractionContextType.Guild]);
    expect((json.options as Option[]).map((o) => o.name)).toEqual([
      "new",
      "say",
      "steer",
      "cancel",
      "stop",
      "queue",
      "model",
      "status",
      "health",
      "version",
      "token",
      "report",
    ]);
    for (const option of json.options as Option[]) {
      expect(option.type).toBe(ApplicationCommandOptionType.Subcommand);
      expect(option.description.length).toBeGreaterThan(0);
      expect(option.description.length).toBeLessThanOrEqual(100);
    }
  });

  it("/omp new takes a required prompt of at most 6000 characters, an optional name, model and project", () => {
    const options = subcommands(buildOmpCommand()).new!.options!;
    expect(options.map((o) => [o.name, o.type, o.required ?? false])).toEqual([
      ["prompt", ApplicationCommandOptionType.String, true],
      ["name", ApplicationCommandOptionType.String, false],
      ["model", ApplicationCommandOptionType.String, false],
      ["project", ApplicationCommandOptionType.String, false],
    ]);
    // Both are answered as the person types (a model list from omp, the channel's projects).
    expect(options.slice(2).map((o) => (o as { autocomplete?: boolean }).autocomplete)).toEqual([true, true]);
    expect(options[0]!.max_length).toBe(6000);
    expect(options[1]!.max_length).toBe(91);
  });

  it("/omp model takes one required, autocompleted model", () => {
    const options = subcommands(buildOmpCommand()).model!.options!;
    expect(options).toEqual([
      expect.objectContaining({
        name: "model",
        type: ApplicationCommandOptionType.String,
        required: true,
        autocomplete: true,
      }),
    ]);
  });

  it("/omp say takes one required prompt", () => {
    const options = subcommands(buildOmpCommand()).say!.options!;
    expect(options).toHaveLength(1);
    expect(options[0]).toMatchObject({
      name: "prompt",
      type: ApplicationCommandOptionType.String,
      required: true,
    });
  });

  it("cancel, queue, status, health and version take no options", () => {
    const subs = subcommands(buildOmpCommand());
    for (const name of ["cancel", "queue", "status", "health", "version"]) {
      expect(subs[name]!.options ?? []).toEqual([]);
    }
  });

  it("stop takes one optional switch, delete_files", () => {
    const options = subcommands(buildOmpCommand()).stop!.options ?? [];
    expect(options.map((o) => [o.name, o.type, o.required ?? false])).toEqual([["delete_files", 5, false]]);
  });

  it("uses a smaller configured prompt limit and clamps one above Discord's 6000", () => {
    expect(subcommands(buildOmpCommand({ promptMaxChars: 500 })).say!.options![0]!.max_length).toBe(500);
    expect(subcommands(buildOmpCommand({ promptMaxChars: 100_000 })).say!.options![0]!.max_length).toBe(6000);
  });

  it("refuses a prompt limit that is not a positive integer, saying what it got", () => {
    expect(() => buildOmpCommand({ promptMaxChars: 0 })).toThrow(
      "Expected `promptMaxChars` to be an integer from 1 and up, got `0` (number)",
    );
  });
});
