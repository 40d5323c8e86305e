// Checks message components (action rows of buttons, or one string select) and modals (the callback of
// type 9) against Discord's limits, as `50035 Invalid Form Body` trees at the paths Discord reports.
// Error codes seen from real Discord: COMPONENT_CUSTOM_ID_DUPLICATED ("Component custom id was already
// specified", discord-api-docs#3673), SELECT_COMPONENT_OPTION_VALUE_DUPLICATED at `options[i]` ("The
// specified option value is already used"), COMPONENT_LAYOUT_WIDTH_EXCEEDED for a row too wide.

import { ComponentType, MessageFlags, TextInputStyle } from "discord-api-types/v10";
import { ComponentLimits as L, MessageLimits } from "../constants.js";
import {
  badLength,
  choices,
  type FieldError,
  FormErrors,
  maxLength,
  notInteger,
  numberMax,
  numberMin,
  required,
} from "./form-errors.js";

type Path = (string | number)[];
type Json = Record<string, unknown>;

const len = (value: unknown) => (typeof value === "string" ? [...value].length : 0);
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const duplicatedCustomId: FieldError = {
  code: "COMPONENT_CUSTOM_ID_DUPLICATED",
  message: "Component custom id was already specified",
};
const duplicatedOptionValue: FieldError = {
  code: "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
  message: "The specified option value is already used",
};
const tooWide: FieldError = {
  code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
  message: "The specified component exceeds the maximum width",
};

/** Component types that fill a whole action row on their own. */
const SELECT_TYPES: ReadonlySet<number> = new Set([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

/** Custom ids seen so far in one message or modal: Discord wants them unique across all of it. */
class CustomIds {
  private readonly seen = new Set<string>();

  check(errors: FormErrors, path: Path, customId: unknown, requiredHere: boolean): void {
    if (customId === undefined || customId === null) {
      if (requiredHere) errors.add([...path, "custom_id"], required());
      return;
    }
    if (typeof customId !== "string" || len(customId) < 1 || len(customId) > L.customIdMaxChars) {
      errors.add([...path, "custom_id"], badLength(1, L.customIdMaxChars));
      return;
    }
    if (this.seen.has(customId)) errors.add([...path, "custom_id"], duplicatedCustomId);
    this.seen.add(customId);
  }
}

function checkText(
  errors: FormErrors,
  path: Path,
  value: unknown,
  options: { min?: number; max: number; required?: boolean },
): void {
  if (value === undefined || value === null) {
    if (options.required) errors.add(path, required());
    return;
  }
  const n = len(value);
  const min = options.min ?? 0;
  if (typeof value !== "string" || n < min || n > options.max) {
    errors.add(path, min > 0 ? badLength(min, options.max) : maxLength(options.max));
  }
}

function checkInteger(errors: FormErrors, path: Path, value: unknown, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value)) errors.add(path, notInteger(value));
  else if (value < min) errors.add(path, numberMin(min));
  else if (value > max) errors.add(path, numberMax(max));
}

function checkArray(errors: FormErrors, path: Path, value: unknown, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) {
    errors.add(path, value === undefined ? required() : badLength(min, max));
    return [];
  }
  if (value.length < min || value.length > max) errors.add(path, badLength(min, max));
  return value;
}

/** A string select, in a message's action row or in a modal's label. */
function checkStringSelect(errors: FormErrors, path: Path, select: Json, ids: CustomIds): void {
  ids.check(errors, path, select.custom_id, true);
  checkText(errors, [...path, "placeholder"], select.placeholder, { max: L.selectPlaceholderMaxChars });
  checkInteger(errors, [...path, "min_values"], select.min_values, 0, L.selectMinValuesMax);
  checkInteger(
    errors,
    [...path, "max_values"],
    select.max_values,
    L.selectMaxValuesMin,
    L.selectMaxValuesMax,
  );
  const options = checkArray(
    errors,
    [...path, "options"],
    select.options,
    L.selectOptionsMin,
    L.selectOptionsMax,
  );
  const values = new Set<string>();
  options.forEach((option, j) => {
    const at = [...path, "options", j];
    if (!isObject(option)) {
      errors.add(at, required());
      return;
    }
    const text = { min: 1, max: L.selectOptionTextMaxChars, required: true };
    checkText(errors, [...at, "label"], option.label, text);
    checkText(errors, [...at, "value"], option.value, text);
    checkText(errors, [...at, "description"], option.description, { max: L.selectOptionTextMaxChars });
    if (typeof option.value === "string") {
      if (values.has(option.value)) errors.add(at, duplicatedOptionValue);
      values.add(option.value);
    }
  });
}

function checkButton(errors: FormErrors, path: Path, button: Json, ids: CustomIds): void {
  checkText(errors, [...path, "label"], button.label, { max: L.buttonLabelMaxChars });
  // Link (5) and premium (6) buttons carry a url or a SKU instead of a custom id.
  const needsCustomId = button.style !== 5 && button.style !== 6;
  ids.check(errors, path, button.custom_id, needsCustomId);
  if (button.style === 5 && typeof button.url !== "string") errors.add([...path, "url"], required());
}

/** One component of a message's action row. */
function checkRowChild(errors: FormErrors, path: Path, child: unknown, ids: CustomIds): void {
  if (!isObject(child)) errors.add(path, required());
  else if (child.type === ComponentType.Button) checkButton(errors, path, child, ids);
  else if (child.type === ComponentType.StringSelect) checkStringSelect(errors, path, child, ids);
  else if (SELECT_TYPES.has(Number(child.type))) ids.check(errors, path, child.custom_id, true);
  else errors.add([...path, "type"], choices([ComponentType.Button, ...SELECT_TYPES]));
}

/**
 * A message's `components`: at most 5 action rows, each holding 1–5 buttons or exactly one select.
 * Components V2 layouts (flag 1 << 15) are not emulated and pass unchecked.
 */
export function validateMessageComponents(
  errors: FormErrors,
  components: unknown,
  flags: unknown,
  base: Path = ["components"],
): void {
  if (!Array.isArray(components)) return;
  if (typeof flags === "number" && (flags & MessageFlags.IsComponentsV2) !== 0) return;
  if (components.length > MessageLimits.componentsRowsMax) {
    errors.add(base, maxLength(MessageLimits.componentsRowsMax));
  }
  const ids = new CustomIds();
  for (const [i, row] of components.entries()) {
    const at = [...base, i];
    if (!isObject(row) || row.type !== ComponentType.ActionRow) {
      errors.add([...at, "type"], choices([ComponentType.ActionRow]));
      continue;
    }
    const children = checkArray(errors, [...at, "components"], row.components, 1, L.rowButtonsMax);
    const hasSelect = children.some((c) => isObject(c) && SELECT_TYPES.has(Number(c.type)));
    if (hasSelect && children.length > 1) errors.add([...at, "components"], tooWide);
    for (const [j, child] of children.entries()) checkRowChild(errors, [...at, "components", j], child, ids);
  }
}

/** A text input: in an action row it carries its own label; inside a label component it must not. */
function checkTextInput(errors: FormErrors, path: Path, input: Json, ids: CustomIds, inLabel: boolean): void {
  ids.check(errors, path, input.custom_id, true);
  if (input.style !== TextInputStyle.Short && input.style !== TextInputStyle.Paragraph) {
    errors.add([...path, "style"], choices([TextInputStyle.Short, TextInputStyle.Paragraph]));
  }
  // Inside a label component the label component carries the label (discord-api-types: the text
  // input's own "cannot be used in a label component"); an action row's text input needs its own.
  if (!inLabel) {
    checkText(errors, [...path, "label"], input.label, {
      min: 1,
      max: L.textInputLabelMaxChars,
      required: true,
    });
  }
  checkInteger(errors, [...path, "min_length"], input.min_length, 0, L.textInputValueMaxChars);
  checkInteger(errors, [...path, "max_length"], input.max_length, 1, L.textInputValueMaxChars);
  checkText(errors, [...path, "value"], input.value, { max: L.textInputValueMaxChars });
  checkText(errors, [...path, "placeholder"], input.placeholder, { max: L.textInputPlaceholderMaxChars });
  if (input.required !== undefined && typeof input.required !== "boolean") {
    errors.add([...path, "required"], {
      code: "BOOLEAN_TYPE_COERCE",
      message: `Value "${String(input.required)}" is not bool.`,
    });
  }
}

/** One top-level component of a modal. */
function checkModalComponent(errors: FormErrors, at: Path, component: unknown, ids: CustomIds): void {
  if (!isObject(component)) {
    errors.add(at, required());
    return;
  }
  switch (component.type) {
    case ComponentType.ActionRow: {
      const inputs = checkArray(errors, [...at, "components"], component.components, 1, 1);
      const input = inputs[0];
      if (isObject(input) && input.type === ComponentType.TextInput) {
        checkTextInput(errors, [...at, "components", 0], input, ids, false);
      } else if (inputs.length === 1) {
        errors.add([...at, "components", 0, "type"], choices([ComponentType.TextInput]));
      }
      return;
    }
    case ComponentType.Label: {
      checkText(errors, [...at, "label"], component.label, {
        min: 1,
        max: L.textInputLabelMaxChars,
        required: true,
      });
      checkText(errors, [...at, "description"], component.description, { max: L.labelDescriptionMaxChars });
      const inner = component.component;
      if (isObject(inner) && inner.type === ComponentType.TextInput) {
        checkTextInput(errors, [...at, "component"], inner, ids, true);
      } else if (isObject(inner) && inner.type === ComponentType.StringSelect) {
        checkStringSelect(errors, [...at, "component"], inner, ids);
      } else {
        errors.add(
          [...at, "component", "type"],
          choices([ComponentType.TextInput, ComponentType.StringSelect]),
        );
      }
      return;
    }
    case ComponentType.TextDisplay:
      checkText(errors, [...at, "content"], component.content, {
        min: 1,
        max: L.textDisplayMaxChars,
        required: true,
      });
      return;
    default:
      errors.add(
        [...at, "type"],
        choices([ComponentType.ActionRow, ComponentType.TextDisplay, ComponentType.Label]),
      );
  }
}

/**
 * The `data` of a modal callback: custom id, title, and 1–5 components, each an action row with one
 * text input (deprecated by Discord, still accepted), a label around a text input or a string select,
 * or a text display.
 */
export function validateModal(data: unknown, base: Path = ["data"]): FormErrors {
  const errors = new FormErrors();
  if (!isObject(data)) {
    errors.add(base, required());
    return errors;
  }
  const ids = new CustomIds();
  ids.check(errors, base, data.custom_id, true);
  checkText(errors, [...base, "title"], data.title, { min: 1, max: L.modalTitleMaxChars, required: true });
  const components = checkArray(
    errors,
    [...base, "components"],
    data.components,
    L.modalComponentsMin,
    L.modalComponentsMax,
  );
  for (const [i, component] of components.entries()) {
    checkModalComponent(errors, [...base, "components", i], component, ids);
  }
  return errors;
}
