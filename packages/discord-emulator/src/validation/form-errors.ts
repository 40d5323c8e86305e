// Discord's "Invalid Form Body" error tree: nested objects keyed by field (array indexes as strings),
// each leaf holding `_errors: [{ code, message }]`.

export interface FieldError {
  code: string;
  message: string;
}

export type FormErrorTree = { _errors?: FieldError[] } & {
  [key: string]: FormErrorTree | FieldError[] | undefined;
};

export class FormErrors {
  readonly tree: FormErrorTree = {};
  private count = 0;

  add(path: (string | number)[], error: FieldError): void {
    let node: FormErrorTree = this.tree;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as FormErrorTree;
    }
    node._errors ??= [];
    node._errors.push(error);
    this.count += 1;
  }

  get empty(): boolean {
    return this.count === 0;
  }
}

export const maxLength = (max: number): FieldError => ({
  code: "BASE_TYPE_MAX_LENGTH",
  message: `Must be ${max} or fewer in length.`,
});

export const badLength = (min: number, max: number): FieldError => ({
  code: "BASE_TYPE_BAD_LENGTH",
  message: `Must be between ${min} and ${max} in length.`,
});

export const required = (): FieldError => ({ code: "BASE_TYPE_REQUIRED", message: "This field is required" });

export const choices = (allowed: readonly number[]): FieldError => ({
  code: "BASE_TYPE_CHOICES",
  message: `Value must be one of {${allowed.join(", ")}}.`,
});

export const numberMin = (min: number): FieldError => ({
  code: "NUMBER_TYPE_MIN",
  message: `int value should be greater than or equal to ${min}.`,
});

export const numberMax = (max: number): FieldError => ({
  code: "NUMBER_TYPE_MAX",
  message: `int value should be less than or equal to ${max}.`,
});

export const notInteger = (value: unknown): FieldError => ({
  code: "NUMBER_TYPE_COERCE",
  message: `Value "${String(value)}" is not int.`,
});
