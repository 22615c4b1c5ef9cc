import { createSignal, type JSX, Show } from "solid-js";
import { errorSentence } from "../lib/api.js";
import type { SessionStore } from "../lib/session.js";

const MIN_PASSWORD_LENGTH = 10;
/**
 * After a sign-up whose sign-in failed. The server answers a taken email like a new one, so
 * this is said without telling which it was (docs/api.md § Sign-up answers alike for a taken email).
 */
const SIGN_UP_SIGN_IN_NEEDED =
  "We could not sign you in with those details. If you already have an account with that email, sign in with its password.";

/** Sign in (email or username) and create an account, on one screen. */
export function SignIn(props: { session: SessionStore; notice: string | null }): JSX.Element {
  const [mode, setMode] = createSignal<"sign-in" | "sign-up">("sign-in");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [info, setInfo] = createSignal<string | null>(null);
  const [prefill, setPrefill] = createSignal("");

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      await work();
    } catch (err) {
      setError(errorSentence(err));
    } finally {
      setBusy(false);
    }
  };

  const onSignIn = (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const identifier = String(data.get("identifier") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!identifier || !password) return setError("Enter your email or username and your password.");
    void run(() => props.session.signIn(identifier, password));
  };

  const onSignUp = (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const input = {
      name: String(data.get("name") ?? "").trim(),
      username: String(data.get("username") ?? "").trim(),
      email: String(data.get("email") ?? "").trim(),
      password: String(data.get("password") ?? ""),
    };
    if (!input.name || !input.username || !input.email) return setError("Fill in every field.");
    if (input.password.length < MIN_PASSWORD_LENGTH)
      return setError(`Use a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
    void run(async () => {
      if ((await props.session.signUp(input)) === "signed-in") return;
      setPrefill(input.email);
      switchTo("sign-in");
      setInfo(SIGN_UP_SIGN_IN_NEEDED);
    });
  };

  const switchTo = (next: "sign-in" | "sign-up") => {
    setError(null);
    setInfo(null);
    setMode(next);
    queueMicrotask(() => document.querySelector<HTMLInputElement>(".auth form input")?.focus());
  };

  return (
    <main class="auth">
      <div class="auth-card">
        <div class="auth-brand">
          <img src="/icons/icon.svg" alt="" width="32" height="32" />
          <span>Messenger</span>
        </div>
        <Show when={props.notice && mode() === "sign-in"}>
          <p class="alert" role="alert">
            {props.notice}
          </p>
        </Show>
        <Show
          when={mode() === "sign-in"}
          fallback={
            <>
              <h1>Create account</h1>
              <form onSubmit={onSignUp} novalidate>
                <Field name="name" label="Name" autocomplete="name" />
                <Field name="username" label="Username" autocomplete="username" />
                <Field name="email" label="Email" type="email" autocomplete="email" />
                <Field
                  name="password"
                  label="Password"
                  type="password"
                  autocomplete="new-password"
                  hint="At least 10 characters."
                />
                <ErrorText error={error()} />
                <button class="btn" type="submit" disabled={busy()}>
                  Create account
                </button>
              </form>
              <p class="auth-switch">
                Already have an account?{" "}
                <button type="button" class="btn-link" onClick={() => switchTo("sign-in")}>
                  Sign in instead
                </button>
              </p>
            </>
          }
        >
          <h1>Sign in</h1>
          <Show when={info()}>
            <p class="alert" role="status">
              {info()}
            </p>
          </Show>
          <form onSubmit={onSignIn} novalidate>
            <Field name="identifier" label="Email or username" autocomplete="username" value={prefill()} />
            <Field name="password" label="Password" type="password" autocomplete="current-password" />
            <ErrorText error={error()} />
            <button class="btn" type="submit" disabled={busy()}>
              Sign in
            </button>
          </form>
          <p class="auth-switch">
            New here?{" "}
            <button type="button" class="btn-link" onClick={() => switchTo("sign-up")}>
              Create an account
            </button>
          </p>
        </Show>
      </div>
    </main>
  );
}

function Field(props: {
  name: string;
  label: string;
  type?: string;
  autocomplete: string;
  hint?: string;
  value?: string;
}): JSX.Element {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        class="input"
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        autocomplete={props.autocomplete}
        value={props.value ?? ""}
        autocapitalize="off"
        spellcheck={false}
        required
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      <Show when={props.hint}>
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      </Show>
    </div>
  );
}

function ErrorText(props: { error: string | null }): JSX.Element {
  return (
    <Show when={props.error}>
      <p class="alert" role="alert">
        {props.error}
      </p>
    </Show>
  );
}
