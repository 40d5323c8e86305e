// Discord's limits on buttons, select menus and modals, and the budgets of approval cards and questions,
// named once. The component limits match the emulator's `ComponentLimits` (discord-api-types 0.38,
// @discordjs/builders 1.15); they belong beside DISCORD_LIMITS once src/format takes them.

/** Hard limits of Discord's API on components: exceeding one makes the whole message fail with a 400. */
export const COMPONENT_LIMITS = {
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
  modalTitle: 45,
  modalComponents: 5,
  /** The label of a modal field (a label component or a text input's own). */
  fieldLabel: 45,
  fieldDescription: 100,
  textInputPlaceholder: 100,
  textInputValue: 4000,
} as const;

/** What an approval card or a question shows; each stays well inside Discord's limits. */
export const CARD_LIMITS = {
  /**
   * Characters of the call (command, diff, arguments) in the card's description, code fence included.
   * Beyond it the card says so and the whole call is attached as a text file.
   */
  bodyChars: 3000,
  /** Lines of unchanged context around each change of an edit's diff. */
  diffContextLines: 3,
  /** One field value such as a path. */
  fieldChars: 300,
  /** A reason someone typed to deny, as the card shows it; the agent gets all of it. */
  reasonShownChars: 900,
  /** The longest reason the Deny… modal accepts. */
  reasonMaxChars: 1000,
  /** A question's text in its embed description. */
  questionChars: 3500,
  /** An answer typed in the free-text modal. */
  answerMaxChars: 4000,
} as const;
