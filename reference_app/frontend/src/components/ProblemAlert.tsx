/** A problem from the API, in words: its detail, and the request id to quote in a bug report. */

import type { Problem } from "../api/problem";

export function ProblemAlert({ problem, title }: { problem: Problem; title?: string }) {
  return (
    <div role="alert" className="alert">
      <strong>{title ?? problem.title}</strong>
      <p>{problem.detail}</p>
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.pointer}:${error.detail}`}>
              <code>{error.pointer.replace(/^#\//, "")}</code>: {error.detail}
            </li>
          ))}
        </ul>
      )}
      {problem.request_id && <p className="muted small">Request id: {problem.request_id}</p>}
    </div>
  );
}
