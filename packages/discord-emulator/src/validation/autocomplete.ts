// Checks an autocomplete answer (interaction callback type 8) as Discord does: at most 25 choices, each
// with a name of 1–100 characters and a value of at most 100 characters (a string) or a number, errors
// at the paths Discord reports (`data.choices`, `data.choices.<i>.name`).

import { badLength, type FieldError, FormErrors, maxLength, required } from "./form-errors.js";

/** Discord's limits on APPLICATION_COMMAND_AUTOCOMPLETE_RESULT. */
export const AutocompleteLimits = { choices: 25, nameChars: 100, valueChars: 100 } as const;

const len = (value: string) => [...value].length;

const notAnArray: FieldError = { code: "BASE_TYPE_LIST", message: "Must be a list." };
const notAString: FieldError = { code: "BASE_TYPE_STRING", message: "Must be a string." };

export function validateAutocompleteResult(data: Record<string, unknown>): FormErrors {
  const errors = new FormErrors();
  const list = data.choices;
  if (list === undefined) {
    errors.add(["data", "choices"], required());
    return errors;
  }
  if (!Array.isArray(list)) {
    errors.add(["data", "choices"], notAnArray);
    return errors;
  }
  if (list.length > AutocompleteLimits.choices) {
    errors.add(["data", "choices"], maxLength(AutocompleteLimits.choices));
  }
  list.forEach((choice: unknown, i) => {
    const c = (typeof choice === "object" && choice !== null ? choice : {}) as Record<string, unknown>;
    if (typeof c.name !== "string")
      errors.add(["data", "choices", i, "name"], c.name === undefined ? required() : notAString);
    else if (len(c.name) < 1 || len(c.name) > AutocompleteLimits.nameChars) {
      errors.add(["data", "choices", i, "name"], badLength(1, AutocompleteLimits.nameChars));
    }
    if (c.value === undefined) errors.add(["data", "choices", i, "value"], required());
    else if (typeof c.value === "string" && len(c.value) > AutocompleteLimits.valueChars) {
      errors.add(["data", "choices", i, "value"], maxLength(AutocompleteLimits.valueChars));
    } else if (typeof c.value !== "string" && typeof c.value !== "number") {
      errors.add(["data", "choices", i, "value"], notAString);
    }
  });
  return errors;
}
