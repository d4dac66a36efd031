import { describe, expect, it } from "vitest";

import { fieldErrors, readProblem } from "./problem";

describe("readProblem", () => {
  it("keeps the members and extensions of a problem+json body", async () => {
    const response = new Response(
      JSON.stringify({
        type: "https://pricing-service.dev/problems/validation-failed",
        title: "Request validation failed",
        status: 422,
        detail: "#/price must be a decimal",
        code: "validation_failed",
        request_id: "abc",
        errors: [{ pointer: "#/price", detail: "must be a decimal" }, { bogus: true }],
      }),
      { status: 422, headers: { "Content-Type": "application/problem+json" } },
    );

    const problem = await readProblem(response);

    expect(problem.code).toBe("validation_failed");
    expect(problem.request_id).toBe("abc");
    expect(problem.errors).toEqual([{ pointer: "#/price", detail: "must be a decimal" }]);
  });

  it("makes a readable problem of a body that is not JSON (a proxy's 502 page)", async () => {
    const response = new Response("<html>Bad gateway</html>", {
      status: 502,
      statusText: "Bad Gateway",
    });

    const problem = await readProblem(response);

    expect(problem.status).toBe(502);
    expect(problem.code).toBe("http_error");
    expect(problem.detail).toBe("The server answered 502 Bad Gateway");
  });
});

describe("fieldErrors", () => {
  it("keys messages by the body member the pointer names, joining repeats", () => {
    const byField = fieldErrors({
      type: "t",
      title: "t",
      status: 422,
      detail: "d",
      code: "validation_failed",
      errors: [
        { pointer: "#/price", detail: "too many decimals" },
        { pointer: "#/price", detail: "not positive" },
        { pointer: "#/query/q", detail: "too long" },
      ],
    });

    expect(byField).toEqual({ price: "too many decimals; not positive", "query/q": "too long" });
  });
});
