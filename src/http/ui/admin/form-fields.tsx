import { describedBy, FieldError, type FieldErrors } from "./components.tsx";
import { useI18n } from "../i18n-context.tsx";

/** The admin forms' labelled inputs: label, optional hint, and the field's own error, tied together for screen readers. */
interface FieldProps {
  id: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
}

function Hint(props: { id: string; text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class="hint" id={`${props.id}-hint`}>
      {props.text}
    </p>
  );
}

export function TextField(props: FieldProps & { value: string; type?: "text" | "password" | "email"; mandatory?: boolean; inputmode?: "url" | "numeric"; suffix?: string; autocomplete?: string }) {
  const attrs = {
    id: props.id,
    name: props.id,
    value: props.value,
    inputmode: props.inputmode,
    autocomplete: props.autocomplete,
    "aria-required": props.mandatory ? ("true" as const) : undefined,
    "aria-invalid": props.errors[props.id] ? ("true" as const) : undefined,
    "aria-describedby": describedBy(props.id, props.errors, props.id, !!props.hint),
  };
  // Preact types each input type separately, so the three kinds are written out.
  const input = props.type === "password" ? <input type="password" {...attrs} /> : props.type === "email" ? <input type="email" {...attrs} /> : <input type="text" {...attrs} />;
  return (
    <div class="field">
      <label for={props.id}>
        {props.mandatory ? (
          <span class="mandatory" aria-hidden="true" title={useI18n().t("common.mandatory")}>
            *
          </span>
        ) : null}
        {props.label}
      </label>
      {props.suffix ? (
        <div class="with-suffix">
          {input}
          <span class="suffix">{props.suffix}</span>
        </div>
      ) : (
        input
      )}
      <Hint id={props.id} text={props.hint} />
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}

export function Checkbox(props: FieldProps & { checked: boolean; disabled?: boolean }) {
  return (
    <div class="field field-check">
      <input
        type="checkbox"
        id={props.id}
        name={props.id}
        value="true"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={describedBy(props.id, props.errors, props.id, !!props.hint)}
      />
      <label for={props.id}>{props.label}</label>
      <Hint id={props.id} text={props.hint} />
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}
