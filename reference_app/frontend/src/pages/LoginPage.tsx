/** Sign in with email and password; the server's problem+json explains any refusal. */

import { useState } from "react";
import type { FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";

import { ApiError, fieldErrors } from "../api/problem";
import type { Problem } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { safeNext } from "../auth/RequireAuth";
import { ProblemAlert } from "../components/ProblemAlert";

function loginMessage(problem: Problem): string {
  switch (problem.code) {
    case "invalid_credentials":
      return "That email and password do not match an active account.";
    case "too_many_login_attempts": {
      const wait = problem.retry_after_seconds;
      return typeof wait === "number"
        ? `Too many attempts. Wait ${wait} seconds, then try again.`
        : "Too many attempts. Wait a little, then try again.";
    }
    case "network_error":
      return "The pricing service cannot be reached right now.";
    default:
      return "You could not be signed in.";
  }
}

export function LoginPage() {
  const { status, signIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  if (status === "signed-in" && !busy) {
    return <Navigate to={next} replace />;
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    signIn(email, password)
      .then(() => navigate(next, { replace: true }))
      .catch((error: unknown) => {
        if (!(error instanceof ApiError)) {
          throw error;
        }
        setProblem(error.problem);
      })
      .finally(() => {
        setBusy(false);
      });
  };

  const fields = problem ? fieldErrors(problem) : {};
  return (
    <main className="login">
      <h1>Pricing console</h1>
      <p className="muted">Sign in to review and change prices.</p>
      {params.get("next") && status === "signed-out" && !problem && (
        <p role="status">Sign in to continue to the page you asked for.</p>
      )}
      {problem && <ProblemAlert problem={problem} title={loginMessage(problem)} />}
      <form onSubmit={onSubmit} noValidate>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            aria-invalid={fields.email ? true : undefined}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        </label>
        {fields.email && <p className="field-error">{fields.email}</p>}
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            aria-invalid={fields.password ? true : undefined}
            onChange={(event) => {
              setPassword(event.target.value);
            }}
          />
        </label>
        {fields.password && <p className="field-error">{fields.password}</p>}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
