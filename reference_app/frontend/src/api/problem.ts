/**
 * RFC 9457 problem details, as every error of the pricing service is shaped
 * (policies/error-contract.md). People read `detail`; code branches on `code`.
 */

export interface FieldError {
  /** RFC 6901 pointer into the body (`#/price`) or a parameter (`#/query/q`). */
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
  /** Extensions documented per code, e.g. `current_version`, `min_price`. */
  [extension: string]: unknown;
}

/** An API call that ended in a problem; `problem` is what the server said. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFieldError(value: unknown): value is FieldError {
  return isObject(value) && typeof value.pointer === "string" && typeof value.detail === "string";
}

/** A problem made on this side, for failures that never produced a problem body. */
export function localProblem(status: number, code: string, title: string, detail: string): Problem {
  return { type: "about:blank", title, status, detail, code };
}

/**
 * The problem in a failed response. A body that is not problem+json (a proxy's HTML 502, an
 * empty 500) still becomes a problem a person can read, with the HTTP status in words.
 */
export async function readProblem(response: Response): Promise<Problem> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = null; // not JSON at all
  }
  const fallbackDetail = `The server answered ${response.status} ${response.statusText}`.trim();
  if (!isObject(body)) {
    return localProblem(response.status, "http_error", "Unexpected response", fallbackDetail);
  }
  const errors = Array.isArray(body.errors) ? body.errors.filter(isFieldError) : undefined;
  const problem: Problem = {
    ...body,
    type: typeof body.type === "string" ? body.type : "about:blank",
    title: typeof body.title === "string" ? body.title : "Unexpected response",
    status: typeof body.status === "number" ? body.status : response.status,
    detail: typeof body.detail === "string" ? body.detail : fallbackDetail,
    code: typeof body.code === "string" ? body.code : "http_error",
  };
  if (errors) {
    problem.errors = errors;
  } else {
    delete problem.errors;
  }
  return problem;
}

/**
 * Per-field messages keyed by the body member they point at: `#/price` → `price`.
 * Pointers into parameters (`#/query/q`) keep their full path after `#/`.
 */
export function fieldErrors(problem: Problem): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    const field = error.pointer.replace(/^#\//, "");
    byField[field] = byField[field] ? `${byField[field]}; ${error.detail}` : error.detail;
  }
  return byField;
}
